//! The default agent's small buffers against a real loopback server: a response head up
//! to [`MAX_RESPONSE_HEADER_SIZE`] still yields a token, a larger one is a typed transport
//! error (no panic, no hang).
#![forbid(unsafe_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use learn_oauth_driver::TransportOptions;
use learn_oauth_proto::{ClientConfig, Error, RefreshPolicy, TransportErrorKind};
use learn_oauth_ureq::{
    INPUT_BUFFER_SIZE, LARGE_OUTPUT_BUFFER_SIZE, MAX_RESPONSE_HEADER_SIZE, OUTPUT_BUFFER_SIZE, Transport,
};

use learn_oauth_driver::SendBlocking as _;

const TENANT: &str = "eu-west-2_AbcdEfghI";
const BODY: &str =
    r#"{"access_token":"eyJ0eXAiOiJKV1QifQ.e30.c2ln","token_type":"Bearer","expires_in":3600}"#;

/// The response: a 200 with the token body whose head (status line to blank line) is
/// exactly `head_len` bytes, padded with one `X-Pad` header.
fn response(head_len: usize) -> Vec<u8> {
    let fixed = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Pad: \r\n\r\n",
        BODY.len()
    );
    let pad = head_len
        .checked_sub(fixed.len())
        .expect("head_len covers the fixed part");
    let mut bytes = fixed
        .replace("X-Pad: ", &format!("X-Pad: {}", "p".repeat(pad)))
        .into_bytes();
    assert_eq!(bytes.len(), head_len);
    bytes.extend_from_slice(BODY.as_bytes());
    bytes
}

/// Reads one request (head and `Content-Length` body) from `stream`.
fn read_request(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("a request line") == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the request body");
}

/// A server on 127.0.0.1 that answers one request with `response(head_len)` and closes.
fn serve_once(head_len: usize) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}/oauth2/token/{TENANT}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the client connects");
        read_request(&stream);
        // The client may close as soon as it has seen too much; a failed write is fine.
        let _ = stream.write_all(&response(head_len));
        let _ = stream.flush();
    });
    (url, server)
}

fn fetch(head_len: usize) -> Result<learn_oauth_proto::AccessToken, Error> {
    fetch_with_secret(head_len, "s3cret")
}

/// The benchmark tenant's configuration for the server at `url`, with `secret`.
fn config(url: String, secret: impl Into<String>) -> ClientConfig {
    ClientConfig::builder()
        .token_url(url)
        .tenant_id(TENANT)
        .client_secret(secret.into())
        .build()
        .expect("a valid configuration")
}

fn fetch_with_secret(head_len: usize, secret: &str) -> Result<learn_oauth_proto::AccessToken, Error> {
    let (url, server) = serve_once(head_len);
    let config = config(url, secret);
    // A hang would end as a timeout after 10 s, which the tests below tell apart.
    let transport = Transport::with_options(&TransportOptions::new()).expect("a transport");
    let result = transport.fetch_token(&config, Duration::from_secs(10));
    server.join().expect("the server thread");
    result
}

#[test]
fn a_small_head_yields_a_token() {
    let token = fetch(200).expect("a token");
    assert_eq!(token.expose_secret(), "eyJ0eXAiOiJKV1QifQ.e30.c2ln");
}

#[test]
fn a_head_of_exactly_the_cap_yields_a_token() {
    let token = fetch(MAX_RESPONSE_HEADER_SIZE).expect("a token");
    assert_eq!(token.expose_secret(), "eyJ0eXAiOiJKV1QifQ.e30.c2ln");
}

fn assert_too_large(head_len: usize) {
    let error = fetch(head_len).expect_err("a head over the cap is refused");
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Other, "{error:?}");
    let source = std::error::Error::source(&**transport)
        .and_then(|s| s.downcast_ref::<ureq::Error>())
        .expect("ureq's error as the source");
    assert!(
        matches!(source, ureq::Error::LargeResponseHeader(_, cap) if *cap == MAX_RESPONSE_HEADER_SIZE),
        "{source:?}"
    );
}

#[test]
fn a_head_one_byte_over_the_cap_is_a_typed_error() {
    assert_too_large(MAX_RESPONSE_HEADER_SIZE + 1);
}

#[test]
fn a_head_larger_than_the_input_buffer_is_the_same_error() {
    assert_too_large(4 * INPUT_BUFFER_SIZE);
}

#[test]
fn a_2_5_kb_secret_fits_the_output_buffer() {
    // The `Authorization: Basic` line is the longest of the request head, and ureq writes
    // the head a line at a time: 2,600 bytes of secret make a 3.5 KB line, which the
    // default agent's 4 KiB buffer takes (with the slack, just under the switch to the
    // large agent).
    let secret = "s".repeat(2600);
    let token = fetch_with_secret(200, &secret).expect("a token");
    assert_eq!(token.expose_secret(), "eyJ0eXAiOiJKV1QifQ.e30.c2ln");
    // Through an agent with only that buffer (no large agent to fall back on): the line
    // fits.
    let (url, server) = serve_once(200);
    let config = config(url, secret);
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .output_buffer_size(OUTPUT_BUFFER_SIZE)
            .build(),
    );
    let token = Transport::from_agent(agent)
        .fetch_token(&config, RefreshPolicy::default().request_timeout)
        .expect("a token through a 4 KiB output buffer");
    server.join().expect("the server thread");
    assert_eq!(token.expose_secret(), "eyJ0eXAiOiJKV1QifQ.e30.c2ln");
}

#[test]
fn a_secret_too_long_for_the_output_buffer_goes_through_the_large_agent() {
    // A head over OUTPUT_BUFFER_SIZE: sent through the second agent, built for it.
    let secret = "s".repeat(OUTPUT_BUFFER_SIZE);
    let token = fetch_with_secret(200, &secret).expect("a token");
    assert_eq!(token.expose_secret(), "eyJ0eXAiOiJKV1QifQ.e30.c2ln");
}

#[test]
fn a_head_too_long_even_for_the_large_agent_is_a_transport_error() {
    let secret = "s".repeat(LARGE_OUTPUT_BUFFER_SIZE);
    let (url, server) = serve_once(200);
    let config = config(url.clone(), secret);
    let error = Transport::new()
        .expect("a transport")
        .fetch_token(&config, RefreshPolicy::default().request_timeout)
        .expect_err("the request head does not fit");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    // Whether or not ureq connected before failing, one more connection lets the
    // server's accept return (refused if it already did).
    drop(TcpStream::connect(
        url.trim_start_matches("http://").split('/').next().unwrap(),
    ));
    server.join().expect("the server thread");
}
