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
///
/// The payloads are boxed so that `Error`, and a `Result<AccessToken, Error>`, stay two
/// words wide; methods of the payload work through the box (`e.status()`). Build one
/// with `Error::from(payload)` or `.into()`.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token endpoint answered with an error status (or an `error` field in a 2xx
    /// body): bad credentials, a refused scope, rate limiting, a server fault, a proxy's
    /// HTML error page.
    #[error(transparent)]
    Server(Box<ServerError>),
    /// The token endpoint answered 2xx, but the body is not a usable token response.
    #[error(transparent)]
    Response(Box<ResponseError>),
    /// No complete HTTP response arrived: connect, TLS, timeout, I/O.
    #[error(transparent)]
    Transport(Box<TransportError>),
}

impl From<ServerError> for Error {
    fn from(error: ServerError) -> Self {
        Error::Server(Box::new(error))
    }
}

impl From<ResponseError> for Error {
    fn from(error: ResponseError) -> Self {
        Error::Response(Box::new(error))
    }
}

impl From<TransportError> for Error {
    fn from(error: TransportError) -> Self {
        Error::Transport(Box::new(error))
    }
}

impl Error {
    /// Whether trying the same request again later may succeed.
    ///
    /// Yes for 408, 429, 5xx and transport failures (except TLS failures, followed
    /// redirects and requests refused because of the logger) and a success body cut off
    /// mid-JSON; no for 400, 401, 403, other 4xx and malformed success bodies.
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::mem::size_of;

    use super::*;

    #[test]
    fn an_error_is_two_words() {
        assert!(size_of::<Error>() <= 16, "{}", size_of::<Error>());
    }

    #[test]
    fn a_boxed_payload_keeps_its_message_and_source() {
        let cause = TransportError::new(TransportErrorKind::Connect);
        let transport = TransportError::with_source(TransportErrorKind::Io, cause.clone());
        let error = Error::from(transport.clone());
        assert_eq!(error.to_string(), transport.to_string());
        let source = error.source().expect("the transport error's source");
        assert_eq!(source.to_string(), cause.to_string());

        let server = ServerError::new(
            StatusCode::UNAUTHORIZED,
            ErrorDetail::Unstructured(UnstructuredBody::new(BodyKind::Empty)),
        );
        let error = Error::from(server.clone());
        assert_eq!(error.to_string(), server.to_string());
        assert_eq!(error.server_error(), Some(&server));
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    }
}
