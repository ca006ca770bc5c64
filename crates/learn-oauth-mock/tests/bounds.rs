//! What keeps a long-running mock (the `learn-oauth-mock` binary, up for days) bounded:
//! the records it keeps, the connections it serves at once, the tokens it remembers, and
//! what one request can make it buffer.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use learn_oauth_mock::{Fault, MockServer, Tenant};

fn builder() -> learn_oauth_mock::MockServerBuilder {
    MockServer::builder().tenant(Tenant::new(TENANT, SECRET))
}

#[test]
fn past_max_records_the_oldest_records_go_and_the_count_stays_exact() {
    let server = builder().max_records(3).start().unwrap();
    server.enqueue(Fault::status(503));
    for _ in 0..5 {
        get_token(&server);
    }
    assert_eq!(server.token_request_count(), 5);
    let kept = server.requests();
    assert_eq!(kept.len(), 3);
    // The faulted first request is among those forgotten: the newest three are kept.
    assert!(kept.iter().all(|r| !r.faulted && r.succeeded()));
    server.clear_requests();
    assert_eq!((server.token_request_count(), server.requests().len()), (0, 0));
}

#[test]
fn past_max_connections_a_new_connection_waits_until_one_closes() {
    let server = builder().max_connections(1).start().unwrap();
    // The one slot: a kept-alive connection that has been served once.
    let first = TcpStream::connect(server.local_addr()).unwrap();
    first.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = BufReader::new(first.try_clone().unwrap());
    let request = keep_alive_request("grant_type=client_credentials");
    (&first).write_all(request.as_bytes()).unwrap();
    assert_eq!(read_response(&mut reader).0, 200);

    // A second connection is not served while the first is open. (Not a wait for
    // something to happen: the bound only limits how long we look for a wrong answer,
    // so a slow machine can weaken this check but never fail it.)
    let mut second = TcpStream::connect(server.local_addr()).unwrap();
    second.write_all(request.as_bytes()).unwrap();
    second.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut byte = [0u8; 1];
    let waited = second.read(&mut byte);
    assert!(
        waited.as_ref().is_err_and(|e| matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
        "served past the cap: {waited:?}"
    );
    assert_eq!(server.token_request_count(), 1);

    // ...and is, once it closes.
    drop(reader);
    drop(first);
    second.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = BufReader::new(second);
    assert_eq!(read_response(&mut reader).0, 200);
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn connections_past_the_cap_that_close_unserved_do_not_stop_serving() {
    let server = builder().max_connections(2).start().unwrap();
    let extra: Vec<TcpStream> = (0..20)
        .map(|i| {
            let mut stream = TcpStream::connect(server.local_addr()).unwrap();
            if i % 2 == 0 {
                let half = format!("POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\n");
                stream.write_all(half.as_bytes()).unwrap();
            }
            stream
        })
        .collect();
    drop(extra);
    // Each slot comes back as its connection ends, so these are served (a leaked slot
    // would leave them waiting until the client's 20 s timeout).
    for _ in 0..3 {
        assert_eq!(get_token(&server).status, 200);
    }
    assert_eq!(server.token_request_count(), 3);
}

#[test]
fn over_https_connections_that_never_finish_a_handshake_give_their_slot_back() {
    let server = builder().https(true).max_connections(1).start().unwrap();
    let extra: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(server.local_addr()).unwrap())
        .collect();
    drop(extra);
    let agent = agent_trusting(&server.ca_certificate_pem().unwrap());
    let response = agent
        .post(server.token_url(TENANT))
        .header("Authorization", basic_raw(TENANT, SECRET))
        .send_form([("grant_type", "client_credentials")])
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[test]
fn an_idle_connection_holds_its_slot_only_until_the_idle_timeout() {
    let server = builder()
        .max_connections(1)
        .idle_timeout(Duration::from_millis(300))
        .start()
        .unwrap();
    // Accepted first (the listen backlog is first in, first out) and never sends a thing.
    let mut idle = TcpStream::connect(server.local_addr()).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    assert_eq!(get_token(&server).status, 200);
    let mut rest = Vec::new();
    assert_eq!(idle.read_to_end(&mut rest).unwrap(), 0, "closed, never answered");
}

#[test]
fn past_max_issued_tokens_the_oldest_tokens_are_rejected_by_the_resource() {
    let server = builder().max_issued_tokens(2).start().unwrap();
    let tokens: Vec<String> = (0..3).map(|_| token(&server)).collect();
    let status = |token: &str| ping(&server, Some(&format!("Bearer {token}"))).status;
    assert_eq!(status(&tokens[0]), 401, "forgotten past the cap");
    assert_eq!(status(&tokens[1]), 200);
    assert_eq!(status(&tokens[2]), 200);
}

#[test]
fn a_body_of_exactly_64_kib_is_read_and_one_byte_more_is_413() {
    let server = server();
    let form = |pad: usize| {
        post_form(
            &server.token_url(TENANT),
            Some(&basic_raw(TENANT, SECRET)),
            &[("grant_type", "client_credentials"), ("pad", &"a".repeat(pad))],
        )
    };
    // "grant_type=client_credentials&pad=" is 34 bytes.
    assert_eq!(form(64 * 1024 - 34).status, 200);
    let head = format!("POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\n");
    let over = format!("{head}Content-Length: {}\r\n\r\n", 64 * 1024 + 1);
    assert_eq!(status_of(&server, over.as_bytes()), 413);
}

#[test]
fn one_request_cannot_make_the_mock_buffer_past_its_limits() {
    let server = server();
    let chunked =
        format!("POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    let fields = |n: usize| -> String { (0..n).map(|i| format!("X-{i}: v\r\n")).collect() };
    let cases: Vec<(&str, String, u16)> = vec![
        (
            "a header section that never ends",
            format!("GET /api/v1/ping HTTP/1.1\r\nX: {}", "a".repeat(70_000)),
            431,
        ),
        (
            "100 header fields",
            format!(
                "GET /api/v1/ping HTTP/1.1\r\n{}Connection: close\r\n\r\n",
                fields(99)
            ),
            401,
        ),
        (
            "101 header fields",
            format!("GET /api/v1/ping HTTP/1.1\r\n{}\r\n", fields(101)),
            400,
        ),
        (
            "chunks adding up past 64 KiB",
            format!(
                "{chunked}{}0\r\n\r\n",
                format!("400\r\n{}\r\n", "a".repeat(1024)).repeat(65)
            ),
            413,
        ),
        (
            "a chunk-size line that never ends",
            format!("{chunked}1;{}", "x".repeat(2000)),
            400,
        ),
        (
            "a trailer section that never ends",
            format!("{chunked}0\r\n{}", "X: v\r\n".repeat(12_000)),
            431,
        ),
    ];
    for (what, request, status) in cases {
        assert_eq!(status_of(&server, request.as_bytes()), status, "{what}");
    }
    assert_eq!(get_token(&server).status, 200, "still serving");
}

#[test]
fn past_max_concurrent_token_requests_the_rest_get_429_with_retry_after_and_take_no_fault() {
    let server = builder().max_concurrent_token_requests(1).start().unwrap();
    server.enqueue(Fault::Delay(Duration::from_secs(60)));
    server.enqueue(Fault::status(503));
    assert_eq!(
        (server.peak_concurrent_token_requests(), server.peak_connections()),
        (0, 0)
    );

    // The one admitted request: held by its delay (until the server is dropped).
    let mut held = TcpStream::connect(server.local_addr()).unwrap();
    held.write_all(&raw_token_request(TENANT)).unwrap();
    // Not a sleep: the mock counts the request once it has read it, which it does at once.
    while server.peak_concurrent_token_requests() < 1 {
        std::thread::yield_now();
    }

    let refused = get_token(&server);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(server.token_requests_over_limit(), 1);
    assert_eq!(server.pending_faults(), 1, "the refused request took no fault");
    assert_eq!(
        server.peak_concurrent_token_requests(),
        2,
        "the refused one counts too"
    );
    assert_eq!(server.peak_connections(), 2);
    let recorded = server.requests();
    assert_eq!(
        recorded.last().map(|r| (r.status, r.faulted)),
        Some((Some(429), true))
    );

    // Counts start again from what is in progress: the held request.
    server.clear_requests();
    assert_eq!(server.token_requests_over_limit(), 0);
    assert_eq!(server.peak_concurrent_token_requests(), 1);
    drop(held);
}

#[test]
fn without_a_limit_every_token_request_is_answered_and_the_peaks_are_counted() {
    let server = builder().start().unwrap();
    for _ in 0..3 {
        assert_eq!(get_token(&server).status, 200);
    }
    assert_eq!(server.token_requests_over_limit(), 0);
    assert_eq!(server.peak_concurrent_token_requests(), 1, "one after another");
    assert!(server.peak_connections() >= 1);
}
