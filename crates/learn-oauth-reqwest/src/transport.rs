//! Moving one token request over reqwest: the client settings HTTP clients leave unset,
//! the capped body read, and transport errors typed for the core.

use std::error::Error as StdError;
use std::time::Duration;

use learn_oauth_driver::{BuildError, SendAsync, TransportOptions};
use learn_oauth_proto::{RequestBody, TransportError, TransportErrorKind};

/// Sends token requests with a [`reqwest::Client`].
///
/// Built with [`Transport::new`] or [`Transport::with_options`] it owns a client configured
/// for token requests:
///
/// | setting | value |
/// |---|---|
/// | connect timeout | [`DEFAULT_CONNECT_TIMEOUT`](learn_oauth_driver::DEFAULT_CONNECT_TIMEOUT) (10 s), configurable |
/// | total timeout per request | the `timeout` each request is sent with: the provider's [`RefreshPolicy::request_timeout`] (30 s by default) |
/// | redirects | off: a token request is never replayed to another host |
/// | TLS | rustls with the *ring* provider; Mozilla's roots plus any you add |
/// | response body | at most [`ClientConfig::max_response_bytes`] + 1 bytes are read |
///
/// With [`Transport::from_client`] you bring your own client (proxies, pools, roots); you
/// are then responsible for its redirect policy and connect timeout. The request's total
/// timeout and the body cap are still applied to each token request, and an answer that comes
/// from another URL than the token endpoint (your client followed a redirect) is refused
/// with [`TransportErrorKind::Redirected`].
///
/// Cheap to clone (the client is reference-counted).
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    /// A transport with the default settings.
    ///
    /// # Errors
    ///
    /// See [`Transport::with_options`]; with the defaults only a failing TLS or client
    /// setup can fail.
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
        let tls = crate::tls::client_config(options)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(options.connect_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::Client(Box::new(e)))?;
        Ok(Self { client })
    }

    /// Uses your client as it is. Each token request still gets its total timeout (the
    /// provider's [`RefreshPolicy::request_timeout`]) and the body cap; redirects, the connect timeout, proxies and TLS are yours to configure.
    ///
    /// **Prefer [`Transport::from_client_builder`]**, which turns redirects off for you.
    /// A built client's redirect policy cannot be read or changed: reqwest follows up to
    /// 10 by default, drops the `Authorization` header on a redirect to another host, but
    /// on a 307 or 308 sends the body again — with
    /// [`AuthMethod::FormBody`](learn_oauth_proto::AuthMethod::FormBody), the client
    /// secret. This transport refuses an answer that came from another URL
    /// ([`TransportErrorKind::Redirected`]), but **it cannot see a redirect chain that
    /// ends back at the token URL** (A → B → A): B has received the request by then. Only
    /// pass a client built with `redirect(reqwest::redirect::Policy::none())`.
    #[must_use]
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// Builds your client configuration with redirects turned off (whatever it said), so
    /// no token request is ever replayed to another URL; proxies, roots, pools and
    /// timeouts stay yours. Each token request gets its total timeout and the body cap,
    /// as with [`Transport::from_client`].
    ///
    /// # Errors
    ///
    /// [`BuildError::Client`] when reqwest refuses the configuration.
    pub fn from_client_builder(builder: reqwest::ClientBuilder) -> Result<Self, BuildError> {
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::Client(Box::new(e)))?;
        Ok(Self::from_client(client))
    }

    /// The client requests go through.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl From<reqwest::Client> for Transport {
    /// [`Transport::from_client`].
    fn from(client: reqwest::Client) -> Self {
        Self::from_client(client)
    }
}

impl SendAsync for Transport {
    /// Sends the request with a total timeout of `timeout`, and reads at most `body_limit` bytes of the body. An answer from
    /// another URL (a client of yours that follows redirects) is refused.
    async fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = reqwest::Request::try_from(request.map(Vec::from)).map_err(transport_error)?;
        *request.timeout_mut() = Some(timeout);
        let sent_to = request.url().clone();
        let mut response = self.client.execute(request).await.map_err(transport_error)?;
        if response.url() != &sent_to {
            return Err(TransportError::new(TransportErrorKind::Redirected));
        }
        read_capped(&mut response, body_limit)
            .await
            .map_err(transport_error)
    }

    fn from_options(options: &TransportOptions) -> Result<Self, BuildError> {
        Self::with_options(options)
    }
}

/// The response with at most `cap` bytes of its body.
async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<http::Response<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < cap {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    let mut answer = http::Response::new(body);
    *answer.status_mut() = response.status();
    *answer.version_mut() = response.version();
    *answer.headers_mut() = std::mem::take(response.headers_mut());
    Ok(answer)
}

/// Types a reqwest error for the core, keeping it as the source. reqwest's errors hold
/// at most the URL (scheme, host, port, tenant id), never headers or bodies.
fn transport_error(error: reqwest::Error) -> TransportError {
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if caused_by_tls(&error) {
        TransportErrorKind::Tls
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_request() || error.is_body() || error.is_decode() {
        TransportErrorKind::Io
    } else {
        TransportErrorKind::Other
    };
    TransportError::with_source(kind, error)
}

/// Whether a rustls error is anywhere in the chain, looking inside `io::Error`s too
/// (their `source()` skips the error they wrap).
fn caused_by_tls(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<rustls::Error>() {
            return true;
        }
        next = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    false
}
