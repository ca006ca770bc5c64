//! Scripted faults: each variant changes the next token response, first in, first out.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use learn_oauth_mock::{Fault, Quirk};
use serde_json::json;

#[test]
fn faults_apply_to_the_next_token_requests_in_order_then_stop() {
    let server = server();
    server.enqueue(Fault::status(503));
    server.enqueue_n(2, Fault::status(500));
    assert_eq!(server.pending_faults(), 3);
    let statuses: Vec<u16> = (0..4).map(|_| get_token(&server).status).collect();
    assert_eq!(statuses, [503, 500, 500, 200]);
    let faulted: Vec<bool> = server.requests().iter().map(|r| r.faulted).collect();
    assert_eq!(faulted, [true, true, true, false]);
}

#[test]
fn cleared_faults_are_not_applied() {
    let server = server();
    server.enqueue_n(3, Fault::status(500));
    server.clear_faults();
    assert_eq!(get_token(&server).status, 200);
}

#[test]
fn requests_to_the_resource_do_not_consume_faults() {
    let server = server();
    server.enqueue(Fault::status(500));
    ping(&server, None);
    assert_eq!(server.pending_faults(), 1);
}

#[test]
fn a_status_fault_answers_with_the_vendor_envelope() {
    let server = server();
    server.enqueue(Fault::status(503));
    server.enqueue(Fault::status_with_message(400, json!({ "reason": "bad tenant" })));
    let reply = get_token(&server);
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.json(),
        json!({ "status": 503, "error": "Service Unavailable", "message": "Service Unavailable" })
    );
    let reply = get_token(&server);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["message"]["reason"], "bad tenant");
    assert_eq!(server.requests()[1].status, Some(400));
}

#[test]
fn an_oauth_error_fault_answers_with_an_rfc6749_error_body() {
    let server = server();
    server.enqueue(Fault::oauth_error_with_description(400, "invalid_scope", "nope"));
    server.enqueue(Fault::oauth_error(401, "invalid_client"));
    let reply = get_token(&server);
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({ "error": "invalid_scope", "error_description": "nope" })
    );
    let reply = get_token(&server);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), json!({ "error": "invalid_client" }));
}

#[test]
fn a_delay_fault_postpones_a_normal_answer() {
    let server = server();
    let delay = Duration::from_millis(300);
    server.enqueue(Fault::Delay(delay));
    let started = Instant::now();
    let reply = get_token(&server);
    assert!(started.elapsed() >= delay);
    assert_eq!(reply.status, 200);
    let record = &server.requests()[0];
    assert!(record.faulted && record.succeeded());
}

#[test]
fn a_truncated_body_promises_more_than_it_sends_then_closes() {
    let server = server();
    server.enqueue(Fault::TruncatedBody);
    let (bytes, _) = raw_exchange(server.local_addr(), &raw_token_request(TENANT));
    let response = parse_raw(&bytes);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let declared = response.content_length().expect("content-length");
    assert!(!response.body.is_empty() && response.body.len() < declared);
    assert!(!server.requests()[0].succeeded());

    server.enqueue(Fault::TruncatedBody);
    let mut response = agent()
        .post(server.token_url(TENANT))
        .header("Authorization", basic_raw(TENANT, SECRET))
        .send_form([("grant_type", "client_credentials")])
        .unwrap();
    assert!(response.body_mut().read_to_string().is_err());
}

#[test]
fn a_huge_body_is_streamed_in_full() {
    let server = server();
    let size: u64 = 10 * 1024 * 1024;
    server.enqueue(Fault::HugeBody { size });
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    std::io::Write::write_all(&mut stream, &raw_token_request(TENANT)).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let response = parse_raw(&head);
    assert_eq!(response.status, 200);
    assert_eq!(response.content_length(), Some(size as usize));
    let (mut total, mut first, mut last) = (0u64, Vec::new(), 0u8);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        if first.len() < 17 {
            first.extend_from_slice(&buf[..n.min(17 - first.len())]);
        }
        total += n as u64;
        last = buf[n - 1];
    }
    assert_eq!(total, size);
    assert_eq!(first, br#"{"access_token":""#);
    assert_eq!(last, b'}');
}

#[test]
fn a_dropped_connection_sends_nothing() {
    let server = server();
    server.enqueue(Fault::DropConnection);
    let (bytes, _) = raw_exchange(server.local_addr(), &raw_token_request(TENANT));
    assert!(bytes.is_empty());
    let record = &server.requests()[0];
    assert_eq!((record.status, record.succeeded()), (None, false));

    server.enqueue(Fault::DropConnection);
    let result = agent()
        .post(server.token_url(TENANT))
        .send_form([("grant_type", "client_credentials")]);
    assert!(result.is_err());
}

#[test]
fn retry_after_faults_carry_the_header_and_the_envelope() {
    let server = server();
    server.enqueue(Fault::retry_after(429, 7));
    server.enqueue(Fault::retry_after(503, 120));
    let reply = get_token(&server);
    assert_eq!((reply.status, reply.header("retry-after")), (429, Some("7")));
    assert_eq!(reply.json()["error"], "Too Many Requests");
    let reply = get_token(&server);
    assert_eq!((reply.status, reply.header("retry-after")), (503, Some("120")));
}

#[test]
fn a_proxy_html_fault_is_a_502_html_page() {
    let server = server();
    server.enqueue(Fault::ProxyHtml);
    let reply = get_token(&server);
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(reply.body.contains("<h1>502 Bad Gateway</h1>"));
}

fn quirky(quirk: Quirk) -> serde_json::Value {
    let server = server();
    server.enqueue(Fault::Quirky(quirk));
    let reply = get_token(&server);
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let token = body["access_token"].as_str().expect("a token");
    assert_eq!(ping(&server, Some(&format!("Bearer {token}"))).status, 200);
    assert!(server.requests()[0].succeeded());
    body
}

#[test]
fn quirky_successes_bend_the_body_but_issue_working_tokens() {
    assert_eq!(quirky(Quirk::StringExpiresIn)["expires_in"], "3600");
    assert_eq!(quirky(Quirk::LowercaseBearer)["token_type"], "bearer");
    let no_scope = quirky(Quirk::MissingScope);
    assert!(no_scope.get("scope").is_none() && no_scope.get("expires_in").is_some());
    let no_expiry = quirky(Quirk::MissingExpiresIn);
    assert!(no_expiry.get("expires_in").is_none() && no_expiry.get("scope").is_some());
    let extra = quirky(Quirk::ExtraFields);
    assert!(extra.as_object().unwrap().len() > 4);
    assert_eq!(extra["token_type"], "Bearer");
    assert_eq!(quirky(Quirk::ExpiresIn(42))["expires_in"], 42);
}

#[test]
fn a_custom_expires_in_is_how_long_the_token_really_lives() {
    let server = server();
    server.enqueue(Fault::Quirky(Quirk::ExpiresIn(42)));
    let token = get_token(&server).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    server.advance_clock(Duration::from_secs(42));
    assert_eq!(ping(&server, Some(&format!("Bearer {token}"))).status, 401);
}

#[test]
fn a_raw_fault_sends_exactly_the_given_status_headers_and_body() {
    let server = server();
    server.enqueue(Fault::raw(
        418,
        &[("X-Teapot", "yes"), ("Content-Type", "text/plain")],
        "short and stout",
    ));
    let reply = get_token(&server);
    assert_eq!(reply.status, 418);
    assert_eq!(reply.header("x-teapot"), Some("yes"));
    assert_eq!(reply.body, "short and stout");
    assert_eq!(server.requests()[0].status, Some(418));
}

#[test]
fn a_raw_bytes_fault_sends_exactly_those_bytes() {
    let server = server();
    server.enqueue(Fault::RawBytes(
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{".to_vec(),
    ));
    let (bytes, _) = raw_exchange(server.local_addr(), &raw_token_request(TENANT));
    assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{");
}
