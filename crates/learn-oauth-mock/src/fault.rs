//! Scripted faults: how the next token responses misbehave.

use std::time::Duration;

use serde_json::Value;

/// One scripted misbehaviour of the token endpoint, consumed by the next token request.
///
/// Faults are queued with [`MockServer::enqueue`](crate::MockServer::enqueue) and taken
/// first in, first out, one per request to `/oauth2/token/{tenantId}`, whatever that
/// request holds: a fault replaces the normal answer (except [`Fault::Delay`], which only
/// postpones it). Requests to other paths do not consume faults.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer `status` with the vendor envelope
    /// `{"status": status, "error": <reason phrase>, "message": message}`;
    /// `message` may be a string or an object, as the vendor documents.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The envelope's `message` member.
        message: Value,
    },
    /// Answer `status` with an RFC 6749 §5.2 error body
    /// `{"error": error, "error_description": description}`.
    OAuthError {
        /// The HTTP status code (RFC 6749 uses 400, or 401 for `invalid_client`).
        status: u16,
        /// The `error` code, e.g. `invalid_client`.
        error: String,
        /// The optional `error_description`.
        description: Option<String>,
    },
    /// Wait this long (real time), then answer normally.
    Delay(Duration),
    /// A 200 success whose headers are valid and whose `Content-Length` promises the whole
    /// body, but only the first half of the body is sent before the connection closes.
    TruncatedBody,
    /// A 200 `application/json` response of exactly `size` bytes (declared in
    /// `Content-Length`), streamed in small chunks and never held in memory at once.
    /// From 64 bytes up, the body is a valid token response with a very long
    /// `access_token`.
    HugeBody {
        /// Body size in bytes.
        size: u64,
    },
    /// Close the connection without sending a single byte.
    DropConnection,
    /// Answer `status` (typically 429 or 503) with `Retry-After: seconds` and the vendor
    /// envelope.
    RetryAfter {
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` value, in seconds.
        seconds: u64,
    },
    /// A 502 `text/html` page, as a reverse proxy in front of the token service would send.
    ProxyHtml,
    /// A 200 success with a quirk that a tolerant client should accept; a real token is
    /// issued and works at the protected resource.
    Quirky(Quirk),
    /// A fully custom response: status line, exactly these headers (plus a
    /// `Content-Length` if they include neither `Content-Length` nor `Transfer-Encoding`)
    /// and body. The connection is closed afterwards.
    Raw {
        /// The HTTP status code.
        status: u16,
        /// Header names and values, sent in this order and unchecked.
        headers: Vec<(String, String)>,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// Send exactly these bytes (not necessarily HTTP), then close the connection.
    RawBytes(Vec<u8>),
}

impl Fault {
    /// [`Fault::Status`] with the status's reason phrase as the message.
    #[must_use]
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            message: Value::String(crate::reply::reason(status).to_owned()),
        }
    }

    /// [`Fault::Status`] with a chosen message (a string or a JSON object).
    #[must_use]
    pub fn status_with_message(status: u16, message: impl Into<Value>) -> Self {
        Fault::Status {
            status,
            message: message.into(),
        }
    }

    /// [`Fault::OAuthError`] without a description.
    #[must_use]
    pub fn oauth_error(status: u16, error: impl Into<String>) -> Self {
        Fault::OAuthError {
            status,
            error: error.into(),
            description: None,
        }
    }

    /// [`Fault::OAuthError`] with a description.
    #[must_use]
    pub fn oauth_error_with_description(
        status: u16,
        error: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Fault::OAuthError {
            status,
            error: error.into(),
            description: Some(description.into()),
        }
    }

    /// [`Fault::RetryAfter`].
    #[must_use]
    pub fn retry_after(status: u16, seconds: u64) -> Self {
        Fault::RetryAfter { status, seconds }
    }

    /// [`Fault::Raw`].
    #[must_use]
    pub fn raw(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        Fault::Raw {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        }
    }
}

/// A quirk of an otherwise successful token response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quirk {
    /// `"expires_in": "3600"` — a string instead of a number.
    StringExpiresIn,
    /// `"token_type": "bearer"` — lowercase.
    LowercaseBearer,
    /// No `scope` member.
    MissingScope,
    /// No `expires_in` member.
    MissingExpiresIn,
    /// Extra members the spec does not mention (strings, numbers, nested objects, null).
    ExtraFields,
    /// `"expires_in"` set to this value; the issued token really lives that long
    /// (zero or negative: it is expired at once).
    ExpiresIn(i64),
}
