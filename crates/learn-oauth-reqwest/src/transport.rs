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
/// | total timeout per request | the `timeout` each `send` is given: the provider's [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout) (30 s) |
/// | redirects | off: a token request is never replayed to another host |
/// | TLS | rustls with the *ring* provider; Mozilla's roots plus any you add |
/// | response body | at most [`ClientConfig::max_response_bytes`](learn_oauth_proto::ClientConfig::max_response_bytes) + 1 bytes are read |
///
/// With [`Transport::from_client_builder`] you bring your own client configuration
/// (proxies, pools, roots, TLS, the connect timeout); redirects are turned off on it
/// whatever it said, and the total timeout and the body cap are still applied to each
/// token request. There is no way to hand in a built [`reqwest::Client`]: its redirect
/// policy can be neither read nor changed, and a client that follows a 307 or 308 sends
/// the request again, body and all (with
/// [`AuthMethod::FormBody`](learn_oauth_proto::AuthMethod::FormBody), the client secret),
/// to whatever host the `Location` names.
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
        let client = crate::tls::client_builder(options)?
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::Client(Box::new(e)))?;
        Ok(Self { client })
    }

    /// Builds your client configuration with redirects turned off (whatever it said), so
    /// no token request is ever replayed to another URL; proxies, roots, pools and
    /// timeouts stay yours. Each token request gets the total timeout `send` is given and
    /// the body cap.
    ///
    /// TLS is yours too. A builder without a TLS setting of its own takes rustls' crypto
    /// provider from reqwest's features or the process-wide default; with reqwest's
    /// `rustls-no-provider` feature and no default installed, reqwest panics building
    /// it. Give it one with `tls_backend_preconfigured`, or use
    /// [`Transport::with_options`], whose TLS is ours.
    ///
    /// # Errors
    ///
    /// [`BuildError::Client`] when reqwest refuses the configuration.
    pub fn from_client_builder(builder: reqwest::ClientBuilder) -> Result<Self, BuildError> {
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::Client(Box::new(e)))?;
        Ok(Self { client })
    }

    /// The client requests go through.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl SendAsync for Transport {
    /// Sends the request with a total timeout of `timeout`, and reads at most `body_limit` bytes of the body. The client never
    /// follows a redirect: a 3xx is the core's to judge.
    async fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = reqwest::Request::try_from(request.map(Vec::from)).map_err(transport_error)?;
        *request.timeout_mut() = Some(timeout);
        let mut response = self.client.execute(request).await.map_err(transport_error)?;
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
