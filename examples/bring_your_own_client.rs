//! A transport you write, with the whole provider for free:
//! `cargo run --example bring_your_own_client`.
//!
//! `learn-oauth` never insists on an HTTP client. Here a forty-line HTTP/1.1 client over
//! `std::net::TcpStream` becomes a transport with one trait impl, [`SendBlocking`], and
//! `Provider<Blocking<TcpTransport>>` gives it everything the bundled providers have:
//! single flight, refresh ahead, backoff, `Retry-After`, the hold-off after bad
//! credentials and `invalidate`.
//!
//! The mock is told to fail twice (a 503 with `Retry-After: 1`, then a proxy's HTML 502)
//! so the run shows the provider's retries; eight threads then ask at once and share the
//! cached token.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // an application reads the clock

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use learn_oauth::ClientConfig;
use learn_oauth::driver::RequestBody;
use learn_oauth::driver::{Blocking, Provider, SendBlocking};
use learn_oauth::error::{TransportError, TransportErrorKind};
use learn_oauth_examples::describe;
use learn_oauth_mock::{Fault, MockServer, Tenant};

/// The transport: the whole of what this file adds to the library.
#[derive(Debug)]
struct TcpTransport;

impl SendBlocking for TcpTransport {
    fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        exchange(&request, body_limit, timeout).map_err(|e| TransportError::with_source(kind(&e), e))
    }
}

/// The provider over it.
type TokenProvider = Provider<Blocking<TcpTransport>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .tenant(Tenant::new("my-tenant", "s3cret"))
        .start()?;
    server.enqueue(Fault::retry_after(503, 1));
    server.enqueue(Fault::ProxyHtml);

    let config = ClientConfig::builder()
        .token_url(server.token_url("my-tenant"))
        .tenant_id("my-tenant")
        .client_secret("s3cret")
        .build()?;
    let provider = TokenProvider::builder(config).transport(TcpTransport).build()?;

    let started = Instant::now();
    let token = provider.token()?;
    println!(
        "got {} after {:.1}s (the provider waited out Retry-After and a backoff)",
        describe(&token, Instant::now()),
        started.elapsed().as_secs_f64()
    );
    // Eight threads at once: all answered from the cache, no request.
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| assert!(provider.token().expect("a token").same_as(&token)));
        }
    });
    println!(
        "the mock saw {} token requests (two faults, one success); eight more callers were cached",
        server.token_request_count()
    );
    assert_eq!(server.token_request_count(), 3);
    Ok(())
}

/// A minimal HTTP/1.1 client for plain-HTTP loopback URLs: one request per connection,
/// at most `body_limit` body bytes read (the core reports an oversized body).
fn exchange(
    request: &http::Request<RequestBody>,
    body_limit: usize,
    timeout: Duration,
) -> io::Result<http::Response<Vec<u8>>> {
    let uri = request.uri();
    let authority = uri.authority().ok_or_else(|| io::Error::other("no authority"))?;
    let mut stream = TcpStream::connect((authority.host(), authority.port_u16().unwrap_or(80)))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {path} HTTP/1.1\r\nHost: {authority}\r\n", request.method());
    for (name, value) in request.headers() {
        head.push_str(&format!(
            "{name}: {}\r\n",
            value.to_str().map_err(io::Error::other)?
        ));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        request.body().len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(request.body())?;

    let mut raw = Vec::new();
    stream
        .take((64 * 1024 + body_limit) as u64)
        .read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no complete response head"))?;
    let head = std::str::from_utf8(&raw[..split]).map_err(io::Error::other)?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other("bad status line"))?;
    let mut response = http::Response::builder().status(status);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            response = response.header(name.trim(), value.trim());
        }
    }
    let body = raw[split + 4..].iter().take(body_limit).copied().collect();
    response.body(body).map_err(io::Error::other)
}

fn kind(e: &io::Error) -> TransportErrorKind {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
        io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
        _ => TransportErrorKind::Io,
    }
}
