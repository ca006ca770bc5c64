//! Errors, split by blame: the caller's configuration ([`ConfigError`]), the token
//! server's answer ([`ServerError`], [`ResponseError`]) and the network
//! ([`TransportError`]). [`Error`] is what a token exchange returns.
//!
//! No error ever holds a client secret or an access token: server-provided text is cut
//! to a short excerpt, stripped of control characters, and any long token-like run in it
//! is replaced by `[redacted]`.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::StatusCode;

use crate::endpoint::ApiKind;

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

// ---------------------------------------------------------------------------------------
// Configuration errors (the caller's mistake)

/// A configuration value that was refused when the configuration was built.
///
/// Each variant names the field and the problem; none carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No tenant id was given.
    #[error("tenant id is missing")]
    MissingTenantId,
    /// No client secret was given.
    #[error("client secret is missing")]
    MissingClientSecret,
    /// The tenant id cannot be used.
    #[error("tenant id is invalid: {0}")]
    InvalidTenantId(#[source] IdentifierProblem),
    /// The client id cannot be used.
    #[error("client id is invalid: {0}")]
    InvalidClientId(#[source] IdentifierProblem),
    /// The client secret is empty.
    #[error("client secret is empty")]
    EmptyClientSecret,
    /// The client secret contains a control character (a pasted newline, usually).
    #[error("client secret contains a control character")]
    ClientSecretControlCharacter,
    /// HTTP Basic with the raw encoding cannot carry a client id containing `:`; use
    /// [`BasicEncoding::FormUrlEncoded`](crate::BasicEncoding::FormUrlEncoded) or form-body
    /// authentication.
    #[error("client id contains ':' which raw HTTP Basic authentication cannot carry")]
    ClientIdContainsColon,
    /// The custom token URL is refused.
    #[error("token url is invalid: {0}")]
    InvalidTokenUrl(#[source] UrlProblem),
    /// A scope is not a valid RFC 6749 §3.3 scope token.
    #[error("scope #{index} is invalid: {problem}")]
    InvalidScope {
        /// Zero-based position of the scope in the list given.
        index: usize,
        /// What is wrong with it.
        #[source]
        problem: ScopeProblem,
    },
    /// The scope exists, but the chosen API kind does not offer it (e.g. `api/webhooks`
    /// on the public API hosts).
    #[error("scope {scope} is not offered by the {api} token endpoint")]
    ScopeNotOffered {
        /// The scope asked for.
        scope: String,
        /// The API kind of the preset endpoint.
        api: ApiKind,
    },
    /// The User-Agent is empty, has surrounding whitespace, or is not a valid header value.
    #[error("user agent is empty, padded with whitespace or not a valid http header value")]
    InvalidUserAgent,
    /// The response size limit is below the smallest useful size.
    #[error("response size limit {limit} bytes is below the minimum of {min} bytes")]
    ResponseLimitTooSmall {
        /// The limit given.
        limit: usize,
        /// The smallest limit accepted.
        min: usize,
    },
    /// The response size limit is above the largest accepted (it bounds what is
    /// buffered, so it may not be unbounded).
    #[error("response size limit {limit} bytes is above the maximum of {max} bytes")]
    ResponseLimitTooLarge {
        /// The limit given.
        limit: usize,
        /// The largest limit accepted.
        max: usize,
    },
}

/// What is wrong with a tenant id or client id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentifierProblem {
    /// It is empty.
    #[error("empty")]
    Empty,
    /// It is `.` or `..`, which would change the URL path.
    #[error("'.' and '..' are not allowed")]
    DotSegment,
    /// It contains a control character.
    #[error("contains a control character at byte {position}")]
    ControlCharacter {
        /// Byte offset of the first control character.
        position: usize,
    },
    /// It is longer than the limit.
    #[error("{len} bytes long, the limit is {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
}

/// What is wrong with a custom token URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlProblem {
    /// It does not parse as an absolute URL.
    #[error("not an absolute url")]
    Unparseable,
    /// The scheme is neither `https` nor `http`.
    #[error("scheme must be https")]
    UnsupportedScheme,
    /// `http` is only allowed to a loopback host (127.0.0.0/8, ::1, `localhost`).
    #[error("plain http is only allowed to a loopback host")]
    PlainHttpToNonLoopback,
    /// It has no host.
    #[error("missing host")]
    MissingHost,
    /// It carries user information (`user:password@`); put credentials in the config.
    #[error("must not carry user information")]
    UserInfo,
    /// It has a fragment, which HTTP never sends.
    #[error("must not have a fragment")]
    Fragment,
}

/// What is wrong with a scope token (RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeProblem {
    /// It is empty.
    #[error("empty")]
    Empty,
    /// It contains a character outside RFC 6749 §3.3's set (space, `"`, `\`, controls,
    /// non-ASCII).
    #[error("character at byte {position} is not allowed in a scope")]
    InvalidCharacter {
        /// Byte offset of the first refused character.
        position: usize,
    },
    /// It is longer than the limit.
    #[error("{len} bytes long, the limit is {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
}

// ---------------------------------------------------------------------------------------
// Server errors (the peer answered with an error)

/// The token endpoint answered with an error.
///
/// Carries the HTTP status, the parsed error body (vendor envelope, RFC 6749 §5.2, or
/// an unstructured body reduced to a short sanitized excerpt) and `Retry-After`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("token endpoint answered {status}{}", DetailAfter(status, detail))]
pub struct ServerError {
    pub(crate) status: StatusCode,
    pub(crate) detail: ErrorDetail,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) retry_after_date: Option<SystemTime>,
}

impl ServerError {
    /// Builds a server error; for custom transports and tests. Parsing a response with
    /// [`ClientConfig::parse_response`](crate::ClientConfig::parse_response) builds these for you.
    #[must_use]
    pub fn new(status: StatusCode, detail: ErrorDetail) -> Self {
        Self {
            status,
            detail,
            retry_after: None,
            retry_after_date: None,
        }
    }

    /// Sets the `Retry-After` delay.
    #[must_use]
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The parsed error body.
    #[must_use]
    pub fn detail(&self) -> &ErrorDetail {
        &self.detail
    }

    /// The RFC 6749 error code, when the body was an RFC 6749 §5.2 error.
    #[must_use]
    pub fn oauth_code(&self) -> Option<&OAuthErrorCode> {
        match &self.detail {
            ErrorDetail::OAuth(e) => Some(&e.code),
            _ => None,
        }
    }

    /// The error code the body gave, sanitized: the vendor envelope's `error` (e.g.
    /// `Unauthorized`) or the RFC 6749 code (e.g. `invalid_client`). `None` for an
    /// unstructured body or an envelope without `error`.
    #[must_use]
    pub fn error_code(&self) -> Option<&str> {
        match &self.detail {
            ErrorDetail::Vendor(v) => v.error.as_deref(),
            ErrorDetail::OAuth(o) => Some(o.code.as_str()),
            ErrorDetail::Unstructured(_) => None,
        }
    }

    /// The human-readable message, sanitized: the vendor envelope's `message` (when a
    /// string) or RFC 6749's `error_description`.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match &self.detail {
            ErrorDetail::Vendor(v) => match &v.message {
                Some(VendorMessage::Text(t)) => Some(t),
                _ => None,
            },
            ErrorDetail::OAuth(o) => o.description.as_deref(),
            ErrorDetail::Unstructured { .. } => None,
        }
    }

    /// How long to wait before retrying: `Retry-After` as delta-seconds, or an HTTP-date
    /// minus the response's `Date` header.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// `Retry-After` when it was an HTTP-date, as sent (a wall-clock time is reported,
    /// never relied on).
    #[must_use]
    pub fn retry_after_date(&self) -> Option<SystemTime> {
        self.retry_after_date
    }

    /// Whether trying again later may succeed: 408, 429 and 5xx yes, other statuses no.
    /// An RFC 6749 `temporarily_unavailable` or `server_error` code is retryable too.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        let s = self.status.as_u16();
        if s == 408 || s == 429 || self.status.is_server_error() {
            return true;
        }
        matches!(
            self.oauth_code(),
            Some(OAuthErrorCode::TemporarilyUnavailable | OAuthErrorCode::ServerError)
        )
    }

    /// Whether the server refused the client credentials (401, or `invalid_client`).
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
            || matches!(self.oauth_code(), Some(OAuthErrorCode::InvalidClient))
    }
}

/// The body of an error response, as far as it could be understood.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// The Learn platform's envelope `{status, error, message}`.
    Vendor(VendorError),
    /// RFC 6749 §5.2's `{error, error_description, error_uri}`.
    OAuth(OAuthError),
    /// Anything else (an HTML page from a proxy, an empty body, bad JSON): a short,
    /// sanitized excerpt at most.
    Unstructured(UnstructuredBody),
}

/// The detail, leaving out a vendor `error` that only repeats the status's reason phrase
/// (`503 Service Unavailable: Service Unavailable: …`).
struct DetailAfter<'a>(&'a StatusCode, &'a ErrorDetail);

impl fmt::Display for DetailAfter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            ErrorDetail::Vendor(v)
                if v.error.is_some()
                    && v.error.as_deref().map(str::to_ascii_lowercase)
                        == self.0.canonical_reason().map(str::to_ascii_lowercase) =>
            {
                let trimmed = VendorError {
                    error: None,
                    ..v.clone()
                };
                fmt::Display::fmt(&ErrorDetail::Vendor(trimmed), f)
            }
            detail => fmt::Display::fmt(detail, f),
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorDetail::Vendor(v) => {
                if let Some(e) = &v.error {
                    write!(f, ": {e}")?;
                }
                match &v.message {
                    Some(VendorMessage::Text(t)) => write!(f, ": {t}"),
                    Some(VendorMessage::Object(_)) => f.write_str(": (structured message)"),
                    None => Ok(()),
                }
            }
            ErrorDetail::OAuth(o) => {
                write!(f, ": {}", o.code)?;
                match &o.description {
                    Some(d) => write!(f, ": {d}"),
                    None => Ok(()),
                }
            }
            ErrorDetail::Unstructured(u) => match u.kind {
                BodyKind::Empty => f.write_str(" with an empty body"),
                BodyKind::TooLarge => f.write_str(" with an oversized body"),
                BodyKind::NotJson => f.write_str(" with a non-json body"),
                BodyKind::Truncated => f.write_str(" with cut-off json"),
                BodyKind::InvalidJson => f.write_str(" with malformed json"),
                BodyKind::UnknownJson => f.write_str(" with an unrecognised json body"),
            },
        }
    }
}

/// The Learn platform's error envelope: `{ "status": 401, "error": "Unauthorized",
/// "message": "…" }`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VendorError {
    /// The `status` field (documented as a number; may arrive as `400.0`).
    pub status: Option<u16>,
    /// The `error` field, e.g. `Bad Request` (sanitized).
    pub error: Option<String>,
    /// The `message` field.
    pub message: Option<VendorMessage>,
}

impl VendorError {
    /// An envelope with these fields, for custom transports and tests; text is
    /// sanitized (cut short, control characters and token-like runs replaced) as the
    /// parser would.
    #[must_use]
    pub fn new(status: Option<u16>, error: Option<&str>, message: Option<&str>) -> Self {
        Self {
            status,
            error: error.map(|e| crate::sanitize::excerpt(e, crate::sanitize::CODE_EXCERPT)),
            message: message
                .map(|m| VendorMessage::Text(crate::sanitize::excerpt(m, crate::sanitize::MESSAGE_EXCERPT))),
        }
    }
}

/// The vendor envelope's `message`: a string or an object.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum VendorMessage {
    /// A text message (sanitized).
    Text(String),
    /// An object: its top-level fields in order, each value as compact JSON text
    /// (sanitized, cut short).
    Object(Vec<(String, String)>),
}

/// An RFC 6749 §5.2 error response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OAuthError {
    /// The `error` code.
    pub code: OAuthErrorCode,
    /// The `error_description` (sanitized).
    pub description: Option<String>,
    /// The `error_uri` (sanitized).
    pub uri: Option<String>,
}

impl OAuthError {
    /// An RFC 6749 error with `code` and an optional description, for custom transports
    /// and tests; the description is sanitized as the parser would.
    #[must_use]
    pub fn new(code: OAuthErrorCode, description: Option<&str>) -> Self {
        Self {
            code,
            description: description.map(|d| crate::sanitize::excerpt(d, crate::sanitize::MESSAGE_EXCERPT)),
            uri: None,
        }
    }
}

/// RFC 6749 §5.2 error codes, plus the common extensions as [`OAuthErrorCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `server_error` (RFC 6749 §4.1.2.1, seen on token endpoints too)
    ServerError,
    /// `temporarily_unavailable` (RFC 6749 §4.1.2.1, seen on token endpoints too)
    TemporarilyUnavailable,
    /// Any other code (sanitized).
    Other(String),
}

impl OAuthErrorCode {
    /// Parses a code; unknown codes become [`OAuthErrorCode::Other`].
    #[must_use]
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            other => Self::Other(crate::sanitize::excerpt(other, crate::sanitize::CODE_EXCERPT)),
        }
    }

    /// The code as it appears on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error body that is not a recognised error shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnstructuredBody {
    /// Why it was not understood.
    pub kind: BodyKind,
    /// The `Content-Type` header, when valid and short.
    pub content_type: Option<String>,
    /// At most a short, sanitized excerpt of the body (never for JSON that mentions a
    /// token, never for oversized bodies).
    pub excerpt: Option<String>,
}

impl UnstructuredBody {
    /// A body of `kind` with no content type and no excerpt, for custom transports and
    /// tests.
    #[must_use]
    pub fn new(kind: BodyKind) -> Self {
        Self {
            kind,
            content_type: None,
            excerpt: None,
        }
    }
}

/// Why a body was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No body at all.
    Empty,
    /// Larger than the configured limit; not read further.
    TooLarge,
    /// Not JSON (e.g. HTML from a proxy), or not UTF-8.
    NotJson,
    /// JSON cut off before its end.
    Truncated,
    /// JSON that does not parse (bad syntax, trailing garbage, nesting too deep).
    InvalidJson,
    /// Valid JSON in no known error shape.
    UnknownJson,
}

// ---------------------------------------------------------------------------------------
// Malformed success responses

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

// ---------------------------------------------------------------------------------------
// Transport errors (the network)

/// No complete HTTP response arrived. Adapters build these from their HTTP client's
/// errors, keeping the original as [`source()`](std::error::Error::source).
#[derive(Debug, Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// A transport error of `kind` with no underlying cause.
    #[must_use]
    pub fn new(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A transport error of `kind` caused by `source` (the HTTP client's error). The
    /// source must not hold secrets; HTTP clients' errors carry at most the URL, which
    /// holds the tenant id and never the client secret.
    #[must_use]
    pub fn with_source(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            kind,
            source: Some(Arc::from(source.into())),
        }
    }

    /// What failed.
    #[must_use]
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether trying again may succeed: timeouts, connection and I/O failures yes; TLS
    /// failures (certificates do not fix themselves) and followed redirects (the client
    /// will follow them again) no.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Timeout
                | TransportErrorKind::Connect
                | TransportErrorKind::Io
                | TransportErrorKind::Other
        )
    }

    /// Whether this was a timeout.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Timeout => "token request timed out",
            TransportErrorKind::Connect => "could not connect to the token endpoint",
            TransportErrorKind::Tls => "tls handshake with the token endpoint failed",
            TransportErrorKind::Io => "i/o error talking to the token endpoint",
            TransportErrorKind::Redirected => {
                "the http client followed a redirect away from the token endpoint (turn redirects off)"
            }
            TransportErrorKind::Other => "token request failed",
        })
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

impl PartialEq for TransportError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// The kinds of [`TransportError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connect, read or total timeout elapsed.
    Timeout,
    /// The connection could not be established (DNS, refused, unreachable).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke mid-exchange (reset, truncated body).
    Io,
    /// The HTTP client followed a redirect, so the answer came from another URL than
    /// the token endpoint (and the request may have been replayed there). Token answers
    /// are never taken from a redirect; turn the client's redirects off. Not retryable.
    Redirected,
    /// Anything else the HTTP client reported.
    Other,
}
