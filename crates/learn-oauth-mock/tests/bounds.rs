//! What keeps a long-running mock (the `learn-oauth-mock` binary, up for days) bounded:
//! the records it keeps and the connections it serves at once.

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
