//! The core alone, with a transport you write: `cargo run --example bring_your_own_client`.
//!
//! `learn-oauth-proto` never touches the network. Here a forty-line HTTP/1.1 client over
//! `std::net::TcpStream` carries its requests to the embedded mock token server, and the
//! core's [`TokenLifecycle`] decides when to fetch — the same loop the bundled providers
//! run:
//!
//! ```text
//! loop {
//!     match lifecycle.poll_driver(now) {
//!         Ready { token, refresh } => use the token (start `refresh` in the background)
//!         Fetch(id)                => send config.token_request(), then
//!                                     lifecycle.handle_response(now, id, config.parse_response(..))
//!         Sleep(until)             => sleep until `until` (a retry is scheduled)
//!         AwaitFetch(until)        => wait for the request in flight to be reported, or until `until`
//!         Failed(error)            => give up with `error`
//!     }
//! }
//! ```
//!
//! The mock is told to fail twice (a 503 with `Retry-After: 1`, then a proxy's HTML 502)
//! so the loop shows the core's retries.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // an application reads the clock

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use learn_oauth::{
    AccessToken, ClientConfig, DriverStep, Error, RefreshPolicy, TokenLifecycle, TransportError,
    TransportErrorKind,
};
use learn_oauth_examples::describe;
use learn_oauth_mock::{Fault, MockServer, Tenant};

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
    let mut lifecycle = TokenLifecycle::new(RefreshPolicy::default(), seed());

    let token = get_token(&mut lifecycle, &config)?;
    println!("got {}", describe(&token, Instant::now()));
    // A second ask is answered from the lifecycle's cache: no request.
    let again = get_token(&mut lifecycle, &config)?;
    assert!(again.same_as(&token));
    println!(
        "the mock saw {} token requests (two faults, one success); the second ask was cached",
        server.token_request_count()
    );
    assert_eq!(server.token_request_count(), 3);
    Ok(())
}

/// The driving loop, single-threaded: nothing else is waiting, so `AwaitFetch` cannot
/// happen here and a background refresh is simply done inline.
fn get_token(lifecycle: &mut TokenLifecycle, config: &ClientConfig) -> Result<AccessToken, Error> {
    loop {
        match lifecycle.poll_driver(Instant::now()) {
            DriverStep::Ready { token, refresh } => {
                if let Some(fetch) = refresh {
                    let result = exchange(config);
                    lifecycle.handle_response(Instant::now(), fetch, result);
                }
                return Ok(token);
            }
            DriverStep::Fetch(fetch) => {
                let result = exchange(config);
                if let Err(e) = &result {
                    println!("attempt failed: {e} (retryable: {})", e.is_retryable());
                }
                lifecycle.handle_response(Instant::now(), fetch, result);
            }
            DriverStep::Sleep(until) => {
                let wait = until.saturating_duration_since(Instant::now());
                println!("core schedules the next attempt in {wait:?}");
                std::thread::sleep(wait);
            }
            DriverStep::Failed(error) => return Err(error),
            // AwaitFetch (and any step a newer core adds): nothing runs concurrently here.
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// One token exchange: the core builds the request and judges the answer; this function
/// only moves bytes.
fn exchange(config: &ClientConfig) -> Result<AccessToken, Error> {
    let request = config.token_request();
    let response =
        send(&request, config.max_response_bytes()).map_err(|e| TransportError::with_source(kind(&e), e))?;
    config.parse_response(&response, Instant::now())
}

/// A minimal HTTP/1.1 client for plain-HTTP loopback URLs: one request per connection,
/// at most `max_body + 1` body bytes read (the core reports an oversized body).
fn send(
    request: &http::Request<learn_oauth::RequestBody>,
    max_body: usize,
) -> io::Result<http::Response<Vec<u8>>> {
    let uri = request.uri();
    let authority = uri.authority().ok_or_else(|| io::Error::other("no authority"))?;
    let mut stream = TcpStream::connect((authority.host(), authority.port_u16().unwrap_or(80)))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
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
        .take((64 * 1024 + max_body + 1) as u64)
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
    let body = raw[split + 4..].iter().take(max_body + 1).copied().collect();
    response.body(body).map_err(io::Error::other)
}

fn kind(e: &io::Error) -> TransportErrorKind {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
        io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
        _ => TransportErrorKind::Io,
    }
}

/// Jitter seed: any varying number will do; the core draws no randomness itself.
fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
