//! Moving one token request over ureq: the agent settings HTTP clients leave unset, the
//! capped body read, and transport errors typed for the core.

use std::io::Read as _;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use learn_oauth_driver::{BuildError, SendBlocking, TransportOptions};
use learn_oauth_proto::{RequestBody, TransportError, TransportErrorKind};

/// The input buffer of each connection of the default agent, in bytes.
///
/// ureq reads the whole response head into this buffer before parsing it and does not
/// grow it, so it must hold [`MAX_RESPONSE_HEADER_SIZE`]; the body streams through it.
/// 10 KiB is also the least ureq uses while it sends a request body (it borrows 10 KiB
/// of the input buffer as scratch space), so a smaller one would grow to that anyway.
pub const INPUT_BUFFER_SIZE: usize = 10 * 1024;

/// The output buffer of each connection of the default agent, in bytes.
///
/// ureq writes the request head into it a line at a time, so it must hold the longest
/// line (the `Authorization: Basic` header: the client id and secret, percent- and
/// Base64-encoded): room for a secret of about 2.5 KB. The form body goes through it in
/// pieces. A request whose longest head line would not fit (a longer secret, say) goes
/// through a second agent with [`LARGE_OUTPUT_BUFFER_SIZE`], built the first time one is
/// needed, so only such configurations pay for the larger buffer.
pub const OUTPUT_BUFFER_SIZE: usize = 4 * 1024;

/// The output buffer of the second agent, for request head lines that do not fit in
/// [`OUTPUT_BUFFER_SIZE`], in bytes. A longer line still fails the request with a
/// transport error (ureq's own error as its source).
pub const LARGE_OUTPUT_BUFFER_SIZE: usize = 64 * 1024;

/// Room beyond a line's own bytes: its line end, and the lines ureq writes itself (`Host`,
/// `Content-Length`, `Accept-Encoding`, a `Cookie` if a cookie store is on), which the
/// request does not show.
const LINE_SLACK: usize = 512;

/// The largest response head the default agent accepts, in bytes: the status line, every
/// header and the blank line after them.
///
/// A larger head fails the request with an error of kind [`TransportErrorKind::Other`]
/// whose source is [`ureq::Error::LargeResponseHeader`]. Below [`INPUT_BUFFER_SIZE`], so
/// a head that does not fit is reported as too large before the buffer fills (a full
/// buffer would otherwise end the read as a broken connection).
pub const MAX_RESPONSE_HEADER_SIZE: usize = 8 * 1024;

/// Sends token requests with a [`ureq::Agent`].
///
/// Built with [`Transport::new`] or [`Transport::with_options`] it owns an agent configured
/// for token requests:
///
/// | setting | value |
/// |---|---|
/// | connect timeout | [`DEFAULT_CONNECT_TIMEOUT`](learn_oauth_driver::DEFAULT_CONNECT_TIMEOUT) (10 s), configurable |
/// | total timeout per request | the `timeout` each request is sent with: the provider's [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout) (30 s by default) |
/// | redirects | off: a token request is never replayed to another host |
/// | 4xx/5xx | handed to the core as responses, never turned into transport errors |
/// | TLS | rustls with the *ring* provider; Mozilla's roots plus any you add |
/// | response body | at most [`ClientConfig::max_response_bytes`](learn_oauth_proto::ClientConfig::max_response_bytes) + 1 bytes are read |
/// | response head | at most [`MAX_RESPONSE_HEADER_SIZE`] (8 KiB), status line to blank line |
/// | buffers per connection | [`INPUT_BUFFER_SIZE`] (10 KiB) in, [`OUTPUT_BUFFER_SIZE`] (4 KiB) out |
///
/// ureq's own defaults are 128 KiB in and 128 KiB out on every pooled connection (twice
/// that over TLS, where the TLS layer has buffers of the same sizes over the socket's), so
/// a provider held 268 KB over plain HTTP; with these sizes it holds about 20 KB (over
/// TLS about 60 KB with rustls' own state, and some 9 KB more for the store of Mozilla's
/// roots ureq builds per agent). Token
/// answers are small: a few hundred bytes of headers and a body capped at
/// [`ClientConfig::max_response_bytes`](learn_oauth_proto::ClientConfig::max_response_bytes) (64 KiB by default), which ureq streams through
/// the input buffer whatever its size.
///
/// With [`Transport::from_agent`] you bring your own agent (proxies, pools, roots). Each
/// token request still gets, through ureq's per-request configuration, the total timeout,
/// redirects off and statuses as responses; the connect timeout and TLS are yours (and
/// so is the connect phase: a dropped TLS handshake on your agent may come back as `Io`
/// rather than `Connect`).
///
/// Cheap to clone (the agent is reference-counted).
#[derive(Debug, Clone)]
pub struct Transport {
    agent: ureq::Agent,
    /// For the default agent: how to build, once, the agent for head lines too long for
    /// its output buffer. `None` for your own agent (its buffers are yours).
    large: Option<Arc<LargeAgent>>,
}

/// The second agent of a default transport, built the first time a request head line
/// does not fit the default agent's output buffer: the default agent's settings (its
/// built TLS configuration, whose roots are shared, not copied), and the agent once
/// built.
struct LargeAgent {
    settings: AgentSettings,
    agent: OnceLock<ureq::Agent>,
}

impl std::fmt::Debug for LargeAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LargeAgent")
            .field("built", &self.agent.get().is_some())
            .finish_non_exhaustive()
    }
}

/// What an agent of a default transport is built from.
#[derive(Clone)]
struct AgentSettings {
    tls: ureq::tls::TlsConfig,
    connect_timeout: Duration,
}

impl Transport {
    /// A transport with the default settings.
    ///
    /// # Errors
    ///
    /// See [`Transport::with_options`]; the defaults always build.
    pub fn new() -> Result<Self, BuildError> {
        Self::with_options(&TransportOptions::new())
    }

    /// A transport built with `options`.
    ///
    /// # Errors
    ///
    /// A root certificate that does not parse, no roots at all, or a TLS or client setup
    /// failure.
    pub fn with_options(options: &TransportOptions) -> Result<Self, BuildError> {
        let settings = AgentSettings {
            tls: crate::tls::tls_config(options)?,
            connect_timeout: options.connect_timeout(),
        };
        Ok(Self {
            agent: build_agent(&settings, OUTPUT_BUFFER_SIZE),
            large: Some(Arc::new(LargeAgent {
                settings,
                agent: OnceLock::new(),
            })),
        })
    }

    /// Uses your agent. Each token request is still sent with its total timeout (the
    /// provider's [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout)), no redirects, 4xx/5xx kept as responses, and the body cap.
    #[must_use]
    pub fn from_agent(agent: ureq::Agent) -> Self {
        Self { agent, large: None }
    }

    /// The agent requests go through.
    #[must_use]
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// Sends the request and reads at most `body_limit` bytes of the body.
    fn run(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        let agent = match &self.large {
            Some(large) if longest_head_line(&request) + LINE_SLACK > OUTPUT_BUFFER_SIZE => large.agent(),
            _ => &self.agent,
        };
        let request = agent
            .configure_request(request.map(Vec::from))
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .build();
        let (parts, body) = agent.run(request)?.into_parts();
        let cap = u64::try_from(body_limit).unwrap_or(u64::MAX);
        let mut bytes = Vec::new();
        body.into_reader()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(ureq::Error::from)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

impl LargeAgent {
    /// The agent for large request head lines, built on first use.
    fn agent(&self) -> &ureq::Agent {
        self.agent
            .get_or_init(|| build_agent(&self.settings, LARGE_OUTPUT_BUFFER_SIZE))
    }
}

/// An agent as [`Transport::with_options`] builds it, with `output_buffer` bytes of output
/// buffer per connection.
fn build_agent(settings: &AgentSettings, output_buffer: usize) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .tls_config(settings.tls.clone())
        .timeout_connect(Some(settings.connect_timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .input_buffer_size(INPUT_BUFFER_SIZE)
        .output_buffer_size(output_buffer)
        .max_response_header_size(MAX_RESPONSE_HEADER_SIZE)
        .build();
    ureq::Agent::with_parts(
        config,
        crate::connect::ConnectPhase(ureq::unversioned::transport::DefaultConnector::default()),
        crate::resolver::IpLiteralResolver::default(),
    )
}

/// The longest line of `request`'s own part of its head: the request line's method and
/// target, or a header as `name: value`.
fn longest_head_line(request: &http::Request<RequestBody>) -> usize {
    let target = request.uri().path_and_query().map_or(1, |p| p.as_str().len());
    let request_line = request.method().as_str().len() + 1 + target + " HTTP/1.1".len();
    request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len())
        .fold(request_line, usize::max)
}

// ureq does not grow the input buffer: a response head up to the cap must fit in it.
const _: () = assert!(MAX_RESPONSE_HEADER_SIZE < INPUT_BUFFER_SIZE);

impl From<ureq::Agent> for Transport {
    /// [`Transport::from_agent`].
    fn from(agent: ureq::Agent) -> Self {
        Self::from_agent(agent)
    }
}

impl SendBlocking for Transport {
    /// Sends the request with a total timeout of `timeout`, no redirects and 4xx/5xx kept
    /// as answers, and reads at most `body_limit` bytes of the body. Sends nothing, failing
    /// with [`TransportErrorKind::UnsafeLogging`], when the installed logger would keep
    /// ureq-proto's TRACE dumps of the exchange (see the crate docs, "Logging").
    fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        crate::log_guard::check()?;
        self.run(request, body_limit, timeout).map_err(transport_error)
    }

    fn from_options(options: &TransportOptions) -> Result<Self, BuildError> {
        Self::with_options(options)
    }
}

/// Types a ureq error for the core, keeping it as the source. ureq's errors hold at most
/// the URL (scheme, host, port, tenant id), never headers or bodies.
fn transport_error(error: ureq::Error) -> TransportError {
    let kind = match &error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::TlsRequired => TransportErrorKind::Tls,
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
            TransportErrorKind::Tls
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<crate::connect::InConnect>()) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Io(io) if is_connect(io.kind()) => TransportErrorKind::Connect,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Io(_) | ureq::Error::Protocol(_) | ureq::Error::BodyStalled => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    };
    TransportError::with_source(kind, error)
}

fn is_connect(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::{AddrNotAvailable, ConnectionRefused, HostUnreachable, NetworkUnreachable};
    matches!(
        kind,
        ConnectionRefused | HostUnreachable | NetworkUnreachable | AddrNotAvailable
    )
}
