//! Understanding the token endpoint's answer: a token, or a typed error.
//!
//! [`parse_token_response`] is a pure function of the response and `now`. It is lenient
//! where real servers are sloppy and strict where a mistake could leak or misuse a token:
//!
//! ```text
//!                         body > max_body_bytes ──► refused unread
//!                                   │
//!              2xx ◄────────────────┴────────────────► any other status
//!               │                                          │
//!   one serde pass over the body (json)          the same pass (json)
//!               │                                          │
//!   `error` is a string? ──yes──► ServerError ◄── vendor envelope, RFC 6749 §5.2,
//!               │ no                               or an unstructured body
//!     token checks (success)                              (failure)
//!               │                                          │
//!   AccessToken / ResponseError                  + Retry-After (retry_after)
//! ```
//!
//! Nothing from a 2xx body is kept in an error except, sanitized and cut short, an
//! unsupported `token_type` and the fields of an error body.

mod failure;
mod json;
mod options;
mod retry_after;
mod success;

use std::time::Instant;

use http::Response;

use crate::error::{Error, ResponseError, ResponseProblem};
use crate::token::AccessToken;

use self::json::Body;

pub use self::options::{
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME, ParseOptions,
};

/// Parses a token endpoint response. `now` is when the response arrived: the token's
/// [`received_at`](AccessToken::received_at), from which its expiry is counted.
///
/// **A 2xx answer** must be a JSON object (UTF-8, an optional byte order mark and
/// surrounding whitespace allowed) with:
///
/// - `access_token`: a non-empty string of visible ASCII (it goes in a header);
/// - `token_type`: `Bearer` in any case; missing or `null` means `Bearer`;
/// - `expires_in`: seconds as an integer, a float or a numeric string (`"3600"`,
///   `"3600.5"`); missing or `null` means [`ParseOptions::default_lifetime`]; zero or
///   negative means the token is already stale (lifetime zero); values above
///   [`MAX_TOKEN_LIFETIME`] are clamped to it;
/// - `scope`: a space-delimited string, parsed leniently
///   ([`Scopes::parse_granted`](crate::Scopes::parse_granted)); missing or `null` means the scopes requested
///   (RFC 6749 §5.1).
///
/// Unknown fields are ignored; when a field appears twice the last one counts. A 2xx
/// body whose `error` field is a string is an error answer ([`Error::Server`] with the
/// 2xx status).
///
/// **Any other status** is an [`Error::Server`]. Its body is read as, in order:
///
/// 1. the Learn platform's envelope `{status, error, message}`
///    ([`ErrorDetail::Vendor`](crate::ErrorDetail::Vendor)), recognised when two of its
///    fields are present with their documented types: `status` a number, `error` a
///    string, `message` a string or an object;
/// 2. RFC 6749 §5.2's `{error, error_description, error_uri}`
///    ([`ErrorDetail::OAuth`](crate::ErrorDetail::OAuth)), when `error` is a string;
/// 3. anything else ([`ErrorDetail::Unstructured`](crate::ErrorDetail::Unstructured)):
///    only a body that is neither JSON nor mentions a token or secret is kept, as a
///    short sanitized excerpt.
///
/// `Retry-After` is read on every error answer: delta-seconds, or an HTTP-date minus
/// the response's `Date` header (the clock is never read), capped at one day.
///
/// Every string taken from a body is sanitized: cut short, control characters
/// replaced, long token-like runs, the response's own `access_token` and — with the
/// options of a [`ClientConfig`](crate::ClientConfig) — every spelling of the client
/// secret redacted (and none kept at all when `access_token` appears more than once).
///
/// # Errors
///
/// [`Error::Server`] for an error answer, [`Error::Response`] for a 2xx answer that is not
/// a usable token: [`ResponseProblem::BodyTooLarge`] when the body exceeds
/// [`ParseOptions::max_body_bytes`], and the other [`ResponseProblem`]s as their docs say.
pub fn parse_token_response<B: AsRef<[u8]>>(
    response: &Response<B>,
    options: &ParseOptions,
    now: Instant,
) -> Result<AccessToken, Error> {
    let status = response.status();
    let bytes = response.body().as_ref();
    let too_large = bytes.len() > options.max_body_bytes;

    if !status.is_success() {
        let body = if too_large { None } else { Some(json::read(bytes)) };
        return Err(failure::server_error(status, response.headers(), body, &options.redact).into());
    }

    let refuse = |problem| Err(ResponseError::new(status, problem).into());
    if too_large {
        return refuse(ResponseProblem::BodyTooLarge {
            limit: options.max_body_bytes,
        });
    }
    match json::read(bytes) {
        Body::Object(fields) if fields.has_error() => Err(failure::server_error(
            status,
            response.headers(),
            Some(Body::Object(fields)),
            &options.redact,
        )
        .into()),
        Body::Object(fields) => success::token(fields, options, now).or_else(refuse),
        Body::Empty => refuse(ResponseProblem::Empty),
        Body::NotUtf8 | Body::NotJson(_) => refuse(ResponseProblem::NotJson),
        Body::Truncated => refuse(ResponseProblem::Truncated),
        Body::InvalidJson => refuse(ResponseProblem::InvalidJson),
        Body::NotAnObject => refuse(ResponseProblem::NotAnObject),
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::*;

    /// What every exchange returns stays small: `Error` boxes its payloads.
    #[test]
    fn a_parse_result_is_two_words() {
        assert!(size_of::<Error>() <= 16, "{}", size_of::<Error>());
        assert!(
            size_of::<Result<AccessToken, Error>>() <= 16,
            "{}",
            size_of::<Result<AccessToken, Error>>()
        );
    }
}
