//! An embedded loopback mock of the Learn platform's OAuth 2.0 token endpoint, for
//! integration tests — yours and ours.
//!
//! The promise: [`MockServer`] speaks the token endpoint contract
//! (`POST /oauth2/token/{tenantId}`, client credentials by HTTP Basic or form body, the
//! vendor's error envelopes, scopes per host kind), lets a test script how the next
//! responses misbehave ([`Fault`]), records what each token request looked like
//! ([`RecordedRequest`], never a secret), and offers a protected resource
//! (`GET /api/v1/ping`) that accepts only live tokens it issued.
//!
//! It listens on `127.0.0.1` on an ephemeral port (never a wildcard address), runs its
//! own Tokio runtime on a background thread — so it works from blocking tests and from
//! inside `#[tokio::test]` alike — and stops on drop. It can serve HTTPS with a throwaway
//! CA whose certificate it hands out. Its clock can be moved forward
//! ([`MockServer::advance_clock`]) so tests expire tokens without sleeping.
//!
//! Out of scope: anything but the client-credentials grant, HTTP/2, and being a real
//! authorization server (tokens look like JWTs but are only random handles).
//!
//! # Bounds
//!
//! The mock also runs for days as a development server (the `learn-oauth-mock` binary),
//! so nothing it keeps grows without bound:
//!
//! - **Records**: the newest [`DEFAULT_MAX_RECORDS`] token requests
//!   ([`MockServerBuilder::max_records`]; fewer if they take over about 64 MiB);
//!   [`MockServer::token_request_count`] stays exact.
//! - **Connections**: at most [`DEFAULT_MAX_CONNECTIONS`] served at once
//!   ([`MockServerBuilder::max_connections`]); past it the mock stops accepting and new
//!   connections wait in the listen backlog. A connection that sits idle, or takes too
//!   long over one request or response, is closed after the idle timeout (30 s,
//!   [`MockServerBuilder::idle_timeout`]).
//! - **Token requests at once** (off by default): with
//!   [`MockServerBuilder::max_concurrent_token_requests`], the mock answers at most that
//!   many token requests at once and the rest a 429 with `Retry-After: 1`, as a
//!   rate-limited endpoint does. Whether or not it is on,
//!   [`MockServer::peak_concurrent_token_requests`] and [`MockServer::peak_connections`]
//!   say how many there were at once at most, and
//!   [`MockServer::token_requests_over_limit`] how many were refused.
//! - **Issued tokens**: the newest [`DEFAULT_MAX_ISSUED_TOKENS`]
//!   ([`MockServerBuilder::max_issued_tokens`]); older ones are forgotten, and so
//!   rejected by the protected resource.
//! - **One request**: a request line and headers of at most 64 KiB and 100 fields (else
//!   431 or 400), a body of at most 64 KiB however it is framed (else 413), a chunked
//!   trailer section of at most 64 KiB (else 431).
//! - **Faults**: only those a test queues; each request takes one.
//!
//! # Control endpoint
//!
//! With [`MockServerBuilder::control`] (the binary's default), paths under `/mock/` on
//! the same port change the mock at run time:
//! `GET /mock/state` (counts), `POST /mock/faults` with fault specs in the body
//! ([`Fault::parse_spec`]: `status=503*2 delay=500 retry-after=429:2 drop html`),
//! `DELETE /mock/faults`, `POST /mock/resource` (`401` or
//! `401 Bearer error="invalid_token"`: the protected resource's next answer),
//! `POST /mock/revoke` and `POST /mock/clock` (SECONDS). Each answers the counts as JSON
//! (`token_requests`, `resource_requests`, `pending_faults`, `peak_token_requests`,
//! `peak_connections`, `token_requests_over_limit`), or a 400 saying what is
//! wrong with the body.
//!
//! It answers only this machine's clients: a request whose `Host` is not a loopback
//! address with the mock's port (`127.0.0.1:PORT`, `[::1]:PORT`, `localhost:PORT`), or
//! whose `Origin` is not the mock's own, is a 403 and changes nothing. So a web page the
//! developer visits cannot reconfigure the mock, by a cross-site request (its browser
//! sends the page's `Origin`) or by pointing its own host name at 127.0.0.1 (DNS
//! rebinding: the browser sends that name as `Host`). curl and HTTP client libraries
//! send a loopback `Host` and no `Origin`, and work unchanged. The token endpoint and
//! the protected resource do not check either: what they answer is worth nothing away
//! from this mock, and they answer as the real endpoint would.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use learn_oauth_mock::{Fault, MockServer, Tenant};
//!
//! let server = MockServer::builder()
//!     .tenant(Tenant::new("eu-west-2_AbcdEfghI", "s3cret"))
//!     .start()?;
//! server.enqueue(Fault::retry_after(429, 2));
//!
//! // Any HTTP client works; a bare socket keeps this example dependency-free.
//! let post = |server: &MockServer| -> std::io::Result<String> {
//!     let body = "grant_type=client_credentials&client_id=eu-west-2_AbcdEfghI&client_secret=s3cret";
//!     let mut s = std::net::TcpStream::connect(server.local_addr())?;
//!     write!(s, "POST /oauth2/token/eu-west-2_AbcdEfghI HTTP/1.1\r\nHost: x\r\n\
//!                Content-Type: application/x-www-form-urlencoded\r\n\
//!                Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
//!     let mut response = String::new();
//!     s.read_to_string(&mut response)?;
//!     Ok(response)
//! };
//! assert!(post(&server)?.starts_with("HTTP/1.1 429 "));
//! let ok = post(&server)?;
//! assert!(ok.starts_with("HTTP/1.1 200 "));
//! assert!(ok.contains(r#""scope":"api/all api/read api/write""#));
//!
//! assert_eq!(server.token_request_count(), 2);
//! assert!(server.requests()[1].succeeded());
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

mod accept;
mod builder;
mod client_auth;
mod connection;
mod control;
mod fault;
mod fault_spec;
mod http1;
mod record;
mod reply;
mod resource;
mod server;
mod state;
mod tenant;
mod tls;
mod token_endpoint;
mod token_store;

pub use builder::{
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_ISSUED_TOKENS, DEFAULT_MAX_RECORDS, MockServerBuilder,
};
pub use client_auth::{AuthMethod, BasicEncoding};
pub use fault::{Fault, Quirk};
pub use fault_spec::{FAULT_SPEC_HELP, FaultSpecError, MAX_FAULT_REPEAT};
pub use record::RecordedRequest;
pub use server::MockServer;
pub use tenant::{HostKind, Tenant};
