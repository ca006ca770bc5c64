//! Server errors: the peer answered with an error.

use std::fmt;
use std::time::{Duration, SystemTime};

use http::StatusCode;

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
