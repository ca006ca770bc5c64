//! The control endpoint answers only this machine's clients: a loopback `Host` with the
//! mock's port and no `Origin` but the mock's own. Everything else is a 403 that changes
//! nothing, whatever the action.

mod common;

use std::time::Duration;

use common::{SECRET, TENANT, parse_raw, raw_exchange, token};
use learn_oauth_mock::{Fault, MockServer, Tenant};

fn control_server() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .token_lifetime(Duration::from_secs(60))
        .control(true)
        .start()
        .expect("mock server starts")
}

/// `METHOD PATH` on a raw socket with this `Host` and extra header lines (each
/// `Name: value\r\n`): the status and body.
fn raw(server: &MockServer, method: &str, path: &str, host: &str, extra: &str, body: &str) -> (u16, String) {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let response = parse_raw(&raw_exchange(server.local_addr(), request.as_bytes()).0);
    (
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    )
}

/// Every action that changes the mock, with a body that would be accepted.
const CHANGES: [(&str, &str, &str); 5] = [
    ("POST", "/mock/faults", "status=503"),
    ("DELETE", "/mock/faults", ""),
    ("POST", "/mock/resource", "401"),
    ("POST", "/mock/revoke", ""),
    ("POST", "/mock/clock", "3600"),
];

/// Tries every action with `host` and `extra` headers; each must be a 403 and leave the
/// mock as it was: the queued fault still there, no scripted answer, the token valid.
#[track_caller]
fn assert_refused_without_effect(server: &MockServer, host: &str, extra: &str) {
    server.clear_faults();
    let live = token(server);
    server.enqueue(Fault::status(500));
    for (method, path, body) in CHANGES.iter().chain([&("GET", "/mock/state", "")]) {
        let (status, answer) = raw(server, method, path, host, extra, body);
        assert_eq!(
            status, 403,
            "{method} {path} with Host {host} and {extra:?}: {answer}"
        );
        assert!(answer.contains("control endpoint"), "says why: {answer}");
    }
    assert_eq!(server.pending_faults(), 1, "faults untouched");
    let ping = common::ping(server, Some(&format!("Bearer {live}")));
    assert_eq!(
        ping.status, 200,
        "no scripted answer, no revocation, no clock move"
    );
}

#[test]
fn a_foreign_host_is_refused_and_changes_nothing() {
    let server = control_server();
    let port = server.local_addr().port();
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port ^ 1),
        "127.0.0.1".to_owned(),
        format!("0.0.0.0:{port}"),
    ] {
        assert_refused_without_effect(&server, &host, "");
    }
}

#[test]
fn a_missing_or_repeated_host_is_refused() {
    let server = control_server();
    let port = server.local_addr().port();
    let request = "POST /mock/revoke HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
    let response = parse_raw(&raw_exchange(server.local_addr(), request.as_bytes()).0);
    assert_eq!(response.status, 403, "no Host");
    let twice = format!("Host: evil.example:{port}\r\n");
    assert_refused_without_effect(&server, &format!("127.0.0.1:{port}"), &twice);
}

#[test]
fn a_web_pages_origin_is_refused_and_changes_nothing() {
    let server = control_server();
    let port = server.local_addr().port();
    for origin in [
        "http://evil.example".to_owned(),
        format!("http://evil.example:{port}"),
        "null".to_owned(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{}", port ^ 1),
        format!("http://127.0.0.1:{port}/path"),
        String::new(),
    ] {
        let header = format!("Origin: {origin}\r\n");
        assert_refused_without_effect(&server, &format!("127.0.0.1:{port}"), &header);
    }
}

#[test]
fn loopback_requests_without_a_foreign_origin_work_as_before() {
    let server = control_server();
    let port = server.local_addr().port();
    for (host, origin) in [
        (format!("127.0.0.1:{port}"), None),
        (format!("localhost:{port}"), None),
        (format!("LOCALHOST:{port}"), None),
        (format!("[::1]:{port}"), None),
        (
            format!("127.0.0.1:{port}"),
            Some(format!("http://127.0.0.1:{port}")),
        ),
        (
            format!("localhost:{port}"),
            Some(format!("http://localhost:{port}")),
        ),
    ] {
        server.clear_faults();
        let extra = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        let (status, body) = raw(&server, "POST", "/mock/faults", &host, &extra, "status=503*2");
        assert_eq!(status, 200, "{host} {extra:?}: {body}");
        assert!(body.contains(r#""pending_faults":2"#), "{body}");
        assert_eq!(server.pending_faults(), 2);
    }
    server.clear_faults();
    let live = token(&server);
    let host = format!("127.0.0.1:{port}");
    assert_eq!(raw(&server, "POST", "/mock/revoke", &host, "", "").0, 200);
    assert_eq!(common::ping(&server, Some(&format!("Bearer {live}"))).status, 401);
}

#[test]
fn the_token_endpoint_and_the_resource_do_not_check_host_or_origin() {
    // They answer as the real endpoint would; what they hand out is worth nothing away
    // from this mock.
    let server = control_server();
    let hostile = "Origin: http://evil.example\r\n";
    let body = format!("grant_type=client_credentials&client_id={TENANT}&client_secret={SECRET}");
    let extra = format!("Content-Type: application/x-www-form-urlencoded\r\n{hostile}");
    let path = format!("/oauth2/token/{TENANT}");
    let (status, answer) = raw(&server, "POST", &path, "evil.example", &extra, &body);
    assert_eq!(status, 200, "{answer}");
    let live = token(&server);
    let auth = format!("Authorization: Bearer {live}\r\n{hostile}");
    assert_eq!(
        raw(&server, "GET", "/api/v1/ping", "evil.example", &auth, "").0,
        200
    );
}
