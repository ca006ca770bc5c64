//! The transport seam: the one method a transport implements, and one token exchange over
//! it.

use std::fmt;
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Error, RequestBody, TransportError};

use crate::options::{MAX_REQUEST_TIMEOUT, TransportOptions};
use crate::roots::RootCertificateError;

/// Why a transport (and so a provider) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A root certificate added with [`TransportOptions`] cannot be trusted (it does not
    /// parse, the TLS library refuses it), or built-in roots are off and none was added.
    #[error(transparent)]
    RootCertificate(#[from] RootCertificateError),
    /// The TLS library refused the configuration.
    #[error("tls configuration failed")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The HTTP client refused the configuration.
    #[error("http client could not be built")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The provider was built without a transport, and its transport type has no default
    /// one ([`SendBlocking::from_options`] / `SendAsync::from_options`): pass one with
    /// `.transport(…)`.
    #[error("no transport given, and this transport type has no default")]
    NoDefaultTransport,
}

/// A blocking transport: sends one token request and returns the answer, whatever its
/// status. Implement this one method to get the whole blocking provider — single flight,
/// refresh ahead on a background thread, backoff, `Retry-After` — for your HTTP client.
///
/// The rules, which the bundled transports follow:
///
/// - Send `request` as it is, to its URI; never follow a redirect (a 3xx is an answer).
/// - Hand back every status, 4xx and 5xx included, with its headers: the core decides
///   what an answer means.
/// - Read at most `body_limit` bytes of the body and stop there (the core refuses a body
///   that reaches the limit as too large; reading it all would let a server exhaust
///   memory).
/// - Give up after `timeout` (the whole exchange, body included) with a
///   [`TransportErrorKind::Timeout`](learn_oauth_proto::TransportErrorKind::Timeout).
///   It is the provider's
///   [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout)
///   (what is left of it), between a millisecond and 24 h: apply it as it is, not a
///   timeout of your own.
/// - Report what went wrong as a [`TransportError`] of the right kind, with your client's
///   error as its source. Never put the request's headers or body in it.
///
/// ```
/// use std::time::Duration;
/// use learn_oauth_driver::{Blocking, Provider, SendBlocking};
/// use learn_oauth_proto::{ClientConfig, RequestBody, TransportError, TransportErrorKind};
///
/// #[derive(Debug)]
/// struct Offline;
///
/// impl SendBlocking for Offline {
///     fn send(
///         &self,
///         _request: http::Request<RequestBody>,
///         _body_limit: usize,
///         _timeout: Duration,
///     ) -> Result<http::Response<Vec<u8>>, TransportError> {
///         Err(TransportError::new(TransportErrorKind::Connect))
///     }
/// }
///
/// let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
/// let provider = Provider::<Blocking<Offline>>::with_transport(config, Offline);
/// # let _ = provider;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SendBlocking: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` and returns the answer with at most `body_limit` bytes of its body,
    /// within `timeout`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no complete answer arrived.
    fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;

    /// The transport a provider uses when none is given, built with `options`. The
    /// default answers [`BuildError::NoDefaultTransport`].
    ///
    /// # Errors
    ///
    /// Whatever stops the transport from being built.
    fn from_options(options: &TransportOptions) -> Result<Self, BuildError>
    where
        Self: Sized,
    {
        let _ = options;
        Err(BuildError::NoDefaultTransport)
    }
}

#[cfg(feature = "async")]
pub use self::asynchronous::SendAsync;

#[cfg(feature = "async")]
mod asynchronous {
    use std::fmt;
    use std::future::Future;
    use std::time::Duration;

    use learn_oauth_proto::{RequestBody, TransportError};

    use super::BuildError;
    use crate::options::TransportOptions;

    /// An async transport: sends one token request and returns the answer, whatever its
    /// status. The async twin of [`SendBlocking`](crate::SendBlocking), with the same
    /// rules; implement it to get the whole async provider for your HTTP client.
    ///
    /// The future runs as its own Tokio task, so a caller that stops waiting never
    /// cancels a request other callers wait for.
    pub trait SendAsync: fmt::Debug + Send + Sync + 'static {
        /// Sends `request` and returns the answer with at most `body_limit` bytes of its
        /// body, within `timeout`.
        fn send(
            &self,
            request: http::Request<RequestBody>,
            body_limit: usize,
            timeout: Duration,
        ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send;

        /// The transport a provider uses when none is given, built with `options`. The
        /// default answers [`BuildError::NoDefaultTransport`].
        ///
        /// # Errors
        ///
        /// Whatever stops the transport from being built.
        fn from_options(options: &TransportOptions) -> Result<Self, BuildError>
        where
            Self: Sized,
        {
            let _ = options;
            Err(BuildError::NoDefaultTransport)
        }
    }

    /// One token exchange over an async transport: the core builds the request and
    /// judges the answer, read at `now()`.
    pub(crate) async fn exchange<T: SendAsync>(
        transport: &T,
        config: &learn_oauth_proto::ClientConfig,
        timeout: Duration,
        now: impl Fn() -> std::time::Instant,
    ) -> Result<learn_oauth_proto::AccessToken, learn_oauth_proto::Error> {
        let timeout = super::bounded(timeout);
        let response = transport
            .send(config.token_request(), super::body_limit(config), timeout)
            .await?;
        config.parse_response(&response, now())
    }

    /// Sends one token request for `config` over `transport` and returns the core's
    /// verdict: no cache, no retries (a provider adds those). The transport gives up
    /// after `timeout` (cut to between a millisecond and 24 h).
    ///
    /// # Errors
    ///
    /// What the core makes of the answer, or the transport's error.
    pub async fn fetch_token_async<T: SendAsync>(
        transport: &T,
        config: &learn_oauth_proto::ClientConfig,
        timeout: Duration,
    ) -> Result<learn_oauth_proto::AccessToken, learn_oauth_proto::Error> {
        let now = || tokio::time::Instant::now().into_std();
        exchange(transport, config, timeout, now).await
    }
}

#[cfg(feature = "async")]
pub(crate) use self::asynchronous::exchange as exchange_async;
#[cfg(feature = "async")]
pub use self::asynchronous::fetch_token_async;

/// `timeout` as a transport is given it: at least a millisecond, at most
/// [`MAX_REQUEST_TIMEOUT`] (HTTP clients add it to the current instant, and some panic
/// when that overflows).
pub(crate) fn bounded(timeout: Duration) -> Duration {
    timeout.clamp(Duration::from_millis(1), MAX_REQUEST_TIMEOUT)
}

/// How many body bytes a transport may read for `config`: one more than the core
/// accepts, so it can tell a body at the cap from one over it.
pub(crate) fn body_limit(config: &ClientConfig) -> usize {
    config.max_response_bytes().saturating_add(1)
}

/// One token exchange over a blocking transport: the core builds the request and judges
/// the answer, read at `now()`.
pub(crate) fn exchange_blocking<T: SendBlocking>(
    transport: &T,
    config: &ClientConfig,
    timeout: Duration,
    now: impl Fn() -> Instant,
) -> Result<AccessToken, Error> {
    let response = transport.send(config.token_request(), body_limit(config), bounded(timeout))?;
    config.parse_response(&response, now())
}

/// Sends one token request for `config` over `transport` and returns the core's verdict:
/// no cache, no retries (a provider adds those). The transport gives up after `timeout`
/// (cut to between a millisecond and 24 h).
///
/// # Errors
///
/// What the core makes of the answer, or the transport's error.
pub fn fetch_token_blocking<T: SendBlocking>(
    transport: &T,
    config: &ClientConfig,
    timeout: Duration,
) -> Result<AccessToken, Error> {
    exchange_blocking(transport, config, timeout, Instant::now)
}
