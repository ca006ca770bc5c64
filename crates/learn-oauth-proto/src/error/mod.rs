//! Errors, split by blame: the caller's configuration ([`ConfigError`]), the token
//! server's answer ([`ServerError`], [`ResponseError`]) and the network
//! ([`TransportError`]). [`Error`] is what a token exchange returns.
//!
//! No error ever holds a client secret or an access token: server-provided text is cut
//! to a short excerpt, stripped of control characters, and any long token-like run in it
//! is replaced by `[redacted]`.

mod config;
mod response;
mod server;
mod transport;

use std::time::Duration;

use http::StatusCode;

pub use self::config::{ConfigError, IdentifierProblem, ScopeProblem, UrlProblem};
pub use self::response::{ResponseError, ResponseProblem};
pub use self::server::{
    BodyKind, ErrorDetail, OAuthError, OAuthErrorCode, ServerError, UnstructuredBody, VendorError,
    VendorMessage,
};
pub use self::transport::{TransportError, TransportErrorKind};

/// What a token exchange can fail with.
///
/// Match on the variant for the blame, or ask the predicates: [`Error::is_retryable`],
/// [`Error::status`], [`Error::retry_after`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token endpoint answered with an error status (or an `error` field in a 2xx
    /// body): bad credentials, a refused scope, rate limiting, a server fault, a proxy's
    /// HTML error page.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// The token endpoint answered 2xx, but the body is not a usable token response.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// No complete HTTP response arrived: connect, TLS, timeout, I/O.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl Error {
    /// Whether trying the same request again later may succeed.
    ///
    /// Yes for 408, 429, 5xx and transport failures (except TLS failures and followed
    /// redirects) and a success body cut off mid-JSON; no for 400, 401, 403, other 4xx
    /// and malformed success bodies.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Server(e) => e.is_retryable(),
            Error::Response(e) => e.is_retryable(),
            Error::Transport(e) => e.is_retryable(),
        }
    }

    /// The HTTP status of the response, when one arrived.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Server(e) => Some(e.status()),
            Error::Response(e) => Some(e.status()),
            Error::Transport(_) => None,
        }
    }

    /// How long the server asked us to wait (`Retry-After`), when it said so.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Server(e) => e.retry_after(),
            _ => None,
        }
    }

    /// The server's error details, when the server answered with an error.
    #[must_use]
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }
}
