//! [`MockServerBuilder`]: what a mock serves and how it is bounded, and starting it.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::accept::accept_loop;
use crate::client_auth::BasicEncoding;
use crate::http1::Limits;
use crate::state::{Config, Shared};
use crate::tenant::{HostKind, Tenant};
use crate::tls;

use crate::server::MockServer;

/// Configures and starts a [`MockServer`]; see [`MockServer::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until .start() is called"]
pub struct MockServerBuilder {
    tenants: Vec<Tenant>,
    host_kind: HostKind,
    token_lifetime: Duration,
    basic_encoding: BasicEncoding,
    https: bool,
    bind: SocketAddr,
    limits: Limits,
    max_records: usize,
    max_connections: usize,
    max_issued_tokens: usize,
    max_concurrent_token_requests: Option<usize>,
    control: bool,
}

/// How many recorded token requests a server keeps by default (the newest); see
/// [`MockServerBuilder::max_records`].
pub const DEFAULT_MAX_RECORDS: usize = 10_000;

/// How many connections a server serves at once by default; see
/// [`MockServerBuilder::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How many issued tokens a server remembers by default (the newest); see
/// [`MockServerBuilder::max_issued_tokens`].
pub const DEFAULT_MAX_ISSUED_TOKENS: usize = 100_000;

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            tenants: Vec::new(),
            host_kind: HostKind::default(),
            token_lifetime: Duration::from_secs(3600),
            basic_encoding: BasicEncoding::default(),
            https: false,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            limits: Limits {
                max_head: 64 * 1024,
                max_body: 64 * 1024,
                read_timeout: Duration::from_secs(30),
            },
            max_records: DEFAULT_MAX_RECORDS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_issued_tokens: DEFAULT_MAX_ISSUED_TOKENS,
            max_concurrent_token_requests: None,
            control: false,
        }
    }
}

impl MockServerBuilder {
    /// Adds a tenant that may obtain tokens.
    pub fn tenant(mut self, tenant: Tenant) -> Self {
        self.tenants.push(tenant);
        self
    }

    /// Sets the kind of host, which decides the scopes on offer (default: public API).
    pub fn host_kind(mut self, host_kind: HostKind) -> Self {
        self.host_kind = host_kind;
        self
    }

    /// Sets the lifetime of issued tokens and their `expires_in` (default: 3600 s).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Sets which HTTP Basic encodings are accepted (default: either).
    pub fn basic_encoding(mut self, encoding: BasicEncoding) -> Self {
        self.basic_encoding = encoding;
        self
    }

    /// Serves HTTPS with a freshly generated throwaway CA (default: plain HTTP).
    pub fn https(mut self, https: bool) -> Self {
        self.https = https;
        self
    }

    /// Sets the address to listen on (default `127.0.0.1:0`, an ephemeral port).
    /// [`start`](Self::start) refuses any address that is not loopback.
    pub fn bind_address(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Sets the port to listen on, keeping the address (0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }

    /// Sets how long a connection may sit idle, or take to send one request or receive one
    /// response, before it is closed (default: 30 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.read_timeout = timeout;
        self
    }

    /// How many recorded token requests ([`MockServer::requests`]) to keep: past it the
    /// oldest are forgotten, so a long-running mock does not grow without bound.
    /// [`MockServer::token_request_count`] stays exact. Records are also forgotten, oldest
    /// first, once the kept ones would take more than about 64 MiB, which only requests
    /// with unusually large fields (thousands of scopes) come near. At least 1. Default:
    /// [`DEFAULT_MAX_RECORDS`].
    pub fn max_records(mut self, max: usize) -> Self {
        self.max_records = max.max(1);
        self
    }

    /// How many connections are served at once. Past it the server stops accepting: new
    /// connections complete the TCP handshake in the kernel's listen backlog and are
    /// served, in order, as served ones close (idle ones close after the
    /// [idle timeout](Self::idle_timeout)). At least 1. Default:
    /// [`DEFAULT_MAX_CONNECTIONS`].
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// How many issued tokens to remember: only the newest `max` issued tokens can be
    /// valid, so past it the oldest are forgotten and the protected resource rejects them
    /// (401) as if revoked, even before they expire. At least 1. Default:
    /// [`DEFAULT_MAX_ISSUED_TOKENS`].
    pub fn max_issued_tokens(mut self, max: usize) -> Self {
        self.max_issued_tokens = max.max(1);
        self
    }

    /// Answers at most `max` token requests at once (at least 1), as a rate-limited
    /// endpoint does: a token request that arrives while `max` are being answered (from
    /// the end of their body until their reply is ready) gets a 429 with
    /// `Retry-After: 1` and the vendor envelope at once, is recorded like that
    /// [`Fault::RetryAfter`](crate::Fault::RetryAfter) answer, takes no queued fault, and
    /// is counted by [`MockServer::token_requests_over_limit`]. Default: no limit. The
    /// binary's `--max-concurrent-token-requests`.
    pub fn max_concurrent_token_requests(mut self, max: usize) -> Self {
        self.max_concurrent_token_requests = Some(max.max(1));
        self
    }

    /// Serves the control endpoint under `/mock/` (default: off): faults, counts,
    /// revocation and the clock over HTTP, for users outside Rust; see the crate docs.
    /// It answers only requests whose `Host` is a loopback address with the mock's port
    /// (`127.0.0.1`, `[::1]` or `localhost`) and that carry no `Origin` but the mock's
    /// own; others get a 403 and change nothing, so a web page cannot drive it.
    pub fn control(mut self, enabled: bool) -> Self {
        self.control = enabled;
        self
    }

    /// Binds, starts the background thread and returns the running server.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a non-loopback bind address or two tenants with the same id;
    /// otherwise whatever binding, certificate generation or thread creation failed with.
    pub fn start(self) -> io::Result<MockServer> {
        if !self.bind.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to bind non-loopback address {}", self.bind.ip()),
            ));
        }
        for (i, t) in self.tenants.iter().enumerate() {
            if self.tenants[..i].iter().any(|u| u.id() == t.id()) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("tenant {} configured twice", t.id()),
                ));
            }
        }
        let listener = std::net::TcpListener::bind(self.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls = if self.https {
            Some(tls::generate(addr.ip())?)
        } else {
            None
        };
        let shared = Arc::new(Shared::new(Config {
            tenants: self.tenants,
            host_kind: self.host_kind,
            token_lifetime: self.token_lifetime,
            basic_encoding: self.basic_encoding,
            limits: self.limits,
            max_records: self.max_records,
            max_issued_tokens: self.max_issued_tokens,
            max_concurrent_token_requests: self.max_concurrent_token_requests,
            control: self.control,
            port: addr.port(),
            https: tls.is_some(),
        }));
        let max_connections = self.max_connections;
        let (ca_pem, ca_der, acceptor) = match tls {
            Some(t) => (Some(t.ca_pem), Some(t.ca_der), Some(t.acceptor)),
            None => (None, None, None),
        };
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("learn-oauth-mock:{}", addr.port()))
            .spawn(move || {
                // The runtime is built, used and dropped on this thread only, so the mock
                // works the same under a caller's runtime or none.
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => {
                            let _ = ready_tx.send(Ok(()));
                            accept_loop(listener, thread_shared, acceptor, max_connections, shutdown_rx)
                                .await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("mock server thread died while starting")));
        if let Err(e) = ready {
            let _ = thread.join();
            return Err(e);
        }
        let scheme = if ca_pem.is_some() { "https" } else { "http" };
        Ok(MockServer {
            base_url: format!("{scheme}://{addr}"),
            addr,
            shared,
            ca_pem,
            ca_der,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}

impl MockServer {
    /// A builder with defaults: no tenants, public API, 3600 s tokens, either Basic
    /// encoding, plain HTTP on `127.0.0.1` and an ephemeral port, and the default bounds
    /// ([`DEFAULT_MAX_RECORDS`], [`DEFAULT_MAX_CONNECTIONS`],
    /// [`DEFAULT_MAX_ISSUED_TOKENS`]).
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }
}
