//! Moving one token request over ureq: the agent settings HTTP clients leave unset, the
//! capped body read, and transport errors typed for the core.

use std::io::Read as _;
use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, ClientConfig, DEFAULT_REQUEST_TIMEOUT, Error, RootCertificateError, TransportError,
    TransportErrorKind, TransportOptions,
};

/// Why a [`Transport`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A root certificate added with [`TransportOptions`] cannot be trusted (it does not
    /// parse, rustls refuses it), or built-in roots are off and none was added.
    #[error(transparent)]
    RootCertificate(#[from] RootCertificateError<rustls::Error>),
}

/// Sends token requests with a [`ureq::Agent`].
///
/// Built with [`Transport::new`] or [`Transport::with_options`] it owns an agent configured
/// for token requests:
///
/// | setting | value |
/// |---|---|
/// | connect timeout | [`DEFAULT_CONNECT_TIMEOUT`](learn_oauth_proto::DEFAULT_CONNECT_TIMEOUT) (10 s), configurable |
/// | total timeout per request | [`DEFAULT_REQUEST_TIMEOUT`] (30 s), configurable with [`TransportOptions`] |
/// | redirects | off: a token request is never replayed to another host |
/// | 4xx/5xx | handed to the core as responses, never turned into transport errors |
/// | TLS | rustls with the *ring* provider; Mozilla's roots plus any you add |
/// | response body | at most [`ClientConfig::max_response_bytes`] + 1 bytes are read |
///
/// With [`Transport::from_agent`] you bring your own agent (proxies, pools, roots). Each
/// token request still gets, through ureq's per-request configuration, the total timeout,
/// redirects off and statuses as responses; the connect timeout and TLS are yours.
///
/// Cheap to clone (the agent is reference-counted).
#[derive(Debug, Clone)]
pub struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
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
        let config = ureq::Agent::config_builder()
            .tls_config(crate::tls::tls_config(options)?)
            .timeout_connect(Some(options.connect_timeout()))
            .timeout_global(Some(options.timeout()))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::default(),
            crate::resolver::IpLiteralResolver::default(),
        );
        Ok(Self {
            agent,
            timeout: options.timeout(),
        })
    }

    /// Uses your agent. Each token request is still sent with a total timeout of
    /// [`DEFAULT_REQUEST_TIMEOUT`] (change it with [`Transport::with_timeout`]), no
    /// redirects, 4xx/5xx kept as responses, and the body cap.
    #[must_use]
    pub fn from_agent(agent: ureq::Agent) -> Self {
        Self {
            agent,
            timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Sets the total timeout applied to each token request.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The agent requests go through.
    #[must_use]
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// The total timeout applied to each token request.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Caps the total timeout at the lifecycle's fetch timeout, so a request ends no
    /// later than the lifecycle stops waiting for it.
    pub(crate) fn with_timeout_at_most(mut self, limit: Duration) -> Self {
        self.timeout = self.timeout.min(limit);
        self
    }

    /// Sends one token request for `config` and returns the core's verdict on the answer.
    /// No retries, no caching: see [`TokenProvider`](crate::TokenProvider) for that.
    ///
    /// # Errors
    ///
    /// Whatever the core makes of the answer ([`Error::Server`], [`Error::Response`]), or
    /// [`Error::Transport`] when no complete answer arrived.
    pub fn fetch_token(&self, config: &ClientConfig) -> Result<AccessToken, Error> {
        self.fetch_token_at(config, crate::clock::system_now)
    }

    /// [`Transport::fetch_token`], reading the arrival time from `now`.
    pub(crate) fn fetch_token_at(
        &self,
        config: &ClientConfig,
        now: impl Fn() -> Instant,
    ) -> Result<AccessToken, Error> {
        let response = self.send(config).map_err(transport_error)?;
        config.parse_response(&response, now())
    }

    /// Sends the request and reads at most `max_response_bytes + 1` bytes of the body.
    fn send(&self, config: &ClientConfig) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        let request = self
            .agent
            .configure_request(config.token_request().map(Vec::from))
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(self.timeout))
            .build();
        let (parts, body) = self.agent.run(request)?.into_parts();
        let cap = u64::try_from(config.max_response_bytes())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut bytes = Vec::new();
        body.into_reader()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(ureq::Error::from)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

/// Types a ureq error for the core, keeping it as the source. ureq's errors hold at most
/// the URL (scheme, host, port, tenant id), never headers or bodies.
fn transport_error(error: ureq::Error) -> Error {
    let kind = match &error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::TlsRequired => TransportErrorKind::Tls,
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
            TransportErrorKind::Tls
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        ureq::Error::Io(io) if is_connect(io.kind()) => TransportErrorKind::Connect,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Io(_) | ureq::Error::Protocol(_) | ureq::Error::BodyStalled => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    };
    Error::from(TransportError::with_source(kind, error))
}

fn is_connect(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::{AddrNotAvailable, ConnectionRefused, HostUnreachable, NetworkUnreachable};
    matches!(
        kind,
        ConnectionRefused | HostUnreachable | NetworkUnreachable | AddrNotAvailable
    )
}
