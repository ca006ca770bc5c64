//! Malformed success responses: a 2xx answer that is not a usable token.

use http::StatusCode;

/// A 2xx response whose body is not a usable token response.
///
/// The body of a 2xx response may hold a token, so none of it is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token endpoint answered {status} with an unusable token response: {problem}")]
pub struct ResponseError {
    pub(crate) status: StatusCode,
    pub(crate) problem: ResponseProblem,
}

impl ResponseError {
    /// Builds a response error; for custom transports and tests.
    #[must_use]
    pub fn new(status: StatusCode, problem: ResponseProblem) -> Self {
        Self { status, problem }
    }

    /// The HTTP status (a 2xx).
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What is wrong with the body.
    #[must_use]
    pub fn problem(&self) -> &ResponseProblem {
        &self.problem
    }

    /// Whether trying again may help: only for a body cut off mid-JSON (the connection,
    /// not the server, is the likely cause). A malformed or unusable answer, or one too
    /// large to read, will be the same again.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self.problem, ResponseProblem::Truncated)
    }
}

/// What is wrong with a 2xx token response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// The body is larger than the configured limit.
    #[error("body larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is empty.
    #[error("empty body")]
    Empty,
    /// The body is not UTF-8 JSON.
    #[error("body is not json")]
    NotJson,
    /// The body is JSON cut off before its end. The only retryable problem.
    #[error("body is cut-off json")]
    Truncated,
    /// The body is JSON that does not parse (bad syntax, trailing garbage, nesting too
    /// deep).
    #[error("body is malformed json")]
    InvalidJson,
    /// The body is JSON but not an object.
    #[error("body is not a json object")]
    NotAnObject,
    /// `access_token` is missing or not a string.
    #[error("access_token is missing or not a string")]
    MissingAccessToken,
    /// `access_token` is empty.
    #[error("access_token is empty")]
    EmptyAccessToken,
    /// `access_token` holds characters that cannot go in an HTTP header (RFC 6750 §2.1).
    #[error("access_token has characters not allowed in a bearer token")]
    InvalidAccessToken,
    /// `token_type` is present but not `Bearer`.
    #[error("token_type {0} is not supported, only Bearer")]
    UnsupportedTokenType(String),
    /// `token_type` is not a string.
    #[error("token_type is not a string")]
    InvalidTokenType,
    /// `expires_in` is not a number or numeric string.
    #[error("expires_in is not a number")]
    InvalidExpiresIn,
    /// `scope` is not a string.
    #[error("scope is not a string")]
    InvalidScope,
    /// The token had no usable lifetime left on arrival (`expires_in` zero, negative or
    /// below the safety margin).
    #[error("token expired on arrival")]
    ExpiredOnArrival,
}
