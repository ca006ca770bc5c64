//! Understanding the token endpoint's answer: a token, or a typed error.
//!
//! [`parse_token_response`] is a pure function of the response, the options a
//! [`ClientConfig`](crate::ClientConfig) holds and `now`; its one public way is
//! [`ClientConfig::parse_response`](crate::ClientConfig::parse_response), which documents
//! the formats. It is lenient where real servers are sloppy and strict where a mistake
//! could leak or misuse a token:
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

pub(crate) use self::options::ParseOptions;
pub use self::options::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME};

/// Parses a token endpoint response with `options`. `now` is when the response arrived.
/// The formats and errors are documented on
/// [`ClientConfig::parse_response`](crate::ClientConfig::parse_response).
pub(crate) fn parse_token_response<B: AsRef<[u8]>>(
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
