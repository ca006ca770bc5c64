//! The server itself: binding, HTTPS, parallel instances, runtimes, shutdown, and its
//! HTTP/1.1 handling (keep-alive, limits, malformed input).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use learn_oauth_mock::{Fault, MockServer, Tenant};

fn https_server() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .https(true)
        .start()
        .unwrap()
}

#[test]
fn https_works_for_a_client_that_trusts_the_throwaway_ca() {
    let server = https_server();
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let pem = server.ca_certificate_pem().expect("a CA in PEM");
    let der = server.ca_certificate_der().expect("a CA in DER");
    let from_pem = ureq::tls::Certificate::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(from_pem.der(), der.as_slice());

    let agent = agent_trusting(&pem);
    let mut response = agent
        .post(server.token_url(TENANT))
        .header("Authorization", basic_raw(TENANT, SECRET))
        .send_form([("grant_type", "client_credentials")])
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    let token = body["access_token"].as_str().unwrap();
    let ping = agent
        .get(server.resource_url())
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(ping.status().as_u16(), 200);
}

#[test]
fn https_is_refused_by_a_client_that_does_not_trust_the_ca() {
    let server = https_server();
    let other = https_server();
    let agent = agent_trusting(&other.ca_certificate_pem().unwrap());
    assert!(
        agent
            .post(server.token_url(TENANT))
            .send_form([("a", "b")])
            .is_err()
    );
    assert_eq!(server.token_request_count(), 0);
}

#[test]
fn plain_http_has_no_ca() {
    let server = server();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.ca_certificate_pem().is_none() && server.ca_certificate_der().is_none());
}

#[test]
fn urls_are_built_from_the_base_url() {
    let server = server();
    let base = server.base_url().to_owned();
    assert_eq!(server.token_url(TENANT), format!("{base}/oauth2/token/{TENANT}"));
    assert_eq!(
        server.token_url("a b/c"),
        format!("{base}/oauth2/token/a%20b%2Fc")
    );
    assert_eq!(server.resource_url(), format!("{base}/api/v1/ping"));
}

#[test]
fn a_percent_encoded_tenant_id_is_decoded_from_the_path() {
    let server = MockServer::builder()
        .tenant(Tenant::new("a b", SECRET))
        .start()
        .unwrap();
    let reply = post_form(
        &server.token_url("a b"),
        Some(&basic_raw("a b", SECRET)),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(server.requests()[0].tenant, "a b");
}

#[test]
fn two_servers_in_parallel_do_not_interfere() {
    let a = server();
    let b = MockServer::builder()
        .tenant(Tenant::new("other", "other-secret"))
        .start()
        .unwrap();
    assert_ne!(a.local_addr(), b.local_addr());
    a.enqueue(Fault::status(503));
    let b_reply = post_form(
        &b.token_url("other"),
        Some(&basic_raw("other", "other-secret")),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(b_reply.status, 200);
    assert_eq!(get_token(&a).status, 503);
    assert_eq!((a.token_request_count(), b.token_request_count()), (1, 1));
    assert_eq!(get_token(&b).status, 401);
}

#[test]
fn a_non_loopback_bind_address_is_refused() {
    for addr in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
        let err = MockServer::builder()
            .bind_address(addr.parse().unwrap())
            .start()
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{addr}");
    }
}

#[test]
fn the_same_tenant_twice_is_refused() {
    let err = MockServer::builder()
        .tenant(Tenant::new("t", "a"))
        .tenant(Tenant::new("t", "b"))
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn debug_output_never_shows_a_secret() {
    let tenant = Tenant::new(TENANT, SECRET);
    let builder = MockServer::builder().tenant(tenant.clone());
    let server = builder.clone().start().unwrap();
    let shown = format!("{tenant:?} {builder:?} {server:?}");
    assert!(shown.contains(TENANT) && !shown.contains(SECRET));
}

#[test]
fn dropping_the_server_closes_the_port() {
    let server = server();
    let addr = server.local_addr();
    drop(server);
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn dropping_the_server_ends_a_request_in_progress() {
    let server = server();
    server.enqueue(Fault::Delay(Duration::from_secs(600)));
    let addr = server.local_addr();
    let client = std::thread::spawn(move || raw_exchange(addr, &raw_token_request(TENANT)));
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.pending_faults() > 0 {
        assert!(Instant::now() < deadline, "the request never arrived");
        std::thread::yield_now();
    }
    let started = Instant::now();
    drop(server);
    let (bytes, _) = client.join().unwrap();
    assert!(bytes.is_empty());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn it_works_inside_a_tokio_test_and_drops_there() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = server();
    let mut stream = tokio::net::TcpStream::connect(server.local_addr()).await.unwrap();
    stream.write_all(&raw_token_request(TENANT)).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    assert_eq!(parse_raw(&bytes).status, 200);
    drop(server);
}

#[test]
fn a_kept_alive_connection_serves_sequential_and_pipelined_requests() {
    let server = server();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let request = keep_alive_request("grant_type=client_credentials");
    stream.write_all(request.as_bytes()).unwrap();
    assert_eq!(read_response(&mut reader).0, 200);
    stream
        .write_all(format!("{request}{request}").as_bytes())
        .unwrap();
    assert_eq!(read_response(&mut reader).0, 200);
    assert_eq!(read_response(&mut reader).0, 200);
    assert_eq!(server.token_request_count(), 3);
}

#[test]
fn a_chunked_body_and_expect_continue_are_understood() {
    let server = server();
    let request = format!(
        "POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Expect: 100-continue\r\nConnection: close\r\n\r\n\
         a;ext=1\r\ngrant_type\r\n13\r\n=client_credentials\r\n0\r\n\r\n",
        basic_raw(TENANT, SECRET)
    );
    let (bytes, _) = raw_exchange(server.local_addr(), request.as_bytes());
    let text = String::from_utf8(bytes).unwrap();
    let rest = text
        .strip_prefix("HTTP/1.1 100 Continue\r\n\r\n")
        .expect("100 Continue first");
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");
}

#[test]
fn malformed_or_oversized_requests_get_an_error_status_not_a_crash() {
    let server = server();
    let token = format!("POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\n");
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (b"GET / HTTP/2.0\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/ping HTTP/1.1\r\n folded\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/ping HTTP/1.1\r\nno colon\r\n\r\n".to_vec(), 400),
        (format!("{token}Content-Length: abc\r\n\r\n").into_bytes(), 400),
        (
            format!("{token}Content-Length: 1\r\nContent-Length: 2\r\n\r\n").into_bytes(),
            400,
        ),
        (
            format!("{token}Transfer-Encoding: gzip\r\n\r\n").into_bytes(),
            501,
        ),
        (
            format!("{token}Transfer-Encoding: chunked\r\n\r\nzz\r\n").into_bytes(),
            400,
        ),
        (
            format!("{token}Content-Length: 100000000\r\n\r\n").into_bytes(),
            413,
        ),
        (
            format!("GET /x HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(70_000)).into_bytes(),
            431,
        ),
        (
            b"GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
            404,
        ),
    ];
    for (request, status) in cases {
        assert_eq!(
            status_of(&server, &request),
            status,
            "{}",
            String::from_utf8_lossy(&request[..40.min(request.len())])
        );
    }
    // Still serving afterwards.
    assert_eq!(get_token(&server).status, 200);
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .idle_timeout(Duration::from_millis(200))
        .start()
        .unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    assert_eq!(stream.read_to_end(&mut buf).unwrap(), 0);
}

#[test]
fn the_command_line_tool_prints_the_token_url_and_serves_it() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
        .env("LEARN_MOCK_SECRET", SECRET)
        .args(["--port", "0", "--tenant", TENANT, "--lifetime", "77"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("token URL: ")
        .expect("token URL line")
        .to_owned();
    let reply = post_form(
        &url,
        Some(&basic_raw(TENANT, SECRET)),
        &[("grant_type", "client_credentials")],
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["expires_in"], 77);
    let addr: SocketAddr = url["http://".len()..].split('/').next().unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback());
}

#[test]
fn the_command_line_tool_rejects_bad_arguments() {
    for args in [
        &["--tenant"][..],
        &["--port", "x", "--tenant", "a"],
        &[],
        &["--bogus"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

/// A mock started on the port of one just stopped binds, even though the stopped one
/// closed its connections first (they sit in `TIME_WAIT` on that port; the listener is
/// bound with `SO_REUSEADDR`, as std does on Unix): a test that swaps the mock behind a
/// fixed token URL, to rotate a tenant's secret, needs it.
#[test]
fn a_new_mock_binds_the_port_of_one_just_stopped() {
    let first = MockServer::builder()
        .tenant(Tenant::new("t", "s"))
        .start()
        .expect("starts");
    let addr = first.local_addr();
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .write_all(b"GET /mock-nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("writes");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("the server closes first");
    drop(first);
    let second = MockServer::builder()
        .port(addr.port())
        .tenant(Tenant::new("t", "s"))
        .start()
        .expect("binds the stopped mock's port");
    assert_eq!(second.local_addr(), addr);
}
