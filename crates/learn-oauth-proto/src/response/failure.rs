//! An error answer into a [`ServerError`]: the vendor envelope, an RFC 6749 §5.2 error,
//! or an unstructured body reduced to a short sanitized excerpt at most.

use http::{HeaderMap, StatusCode, header};

use super::json::{Body, Fields, Message, Number, Shallow};
use super::retry_after;
use crate::error::{
    BodyKind, ErrorDetail, OAuthError, OAuthErrorCode, ServerError, UnstructuredBody, VendorError,
    VendorMessage,
};
use crate::sanitize::{self, CODE_EXCERPT, MESSAGE_EXCERPT, REDACTED, Redactions};

/// How much of an object message's field value is kept.
const FIELD_VALUE_EXCERPT: usize = 120;
/// How much of a non-JSON body is kept.
const BODY_EXCERPT: usize = 120;
/// The longest `Content-Type` reported.
const MAX_CONTENT_TYPE: usize = 100;

/// Builds the error for an error answer. `body` is `None` when it was too large to read;
/// `redact` lists the client secret's spellings, which no kept text may contain.
pub(super) fn server_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: Option<Body<'_>>,
    redact: &Redactions,
) -> ServerError {
    let unstructured = |kind, excerpt| {
        ErrorDetail::Unstructured(UnstructuredBody {
            kind,
            content_type: content_type(headers, redact),
            excerpt,
        })
    };
    let detail = match body {
        None => unstructured(BodyKind::TooLarge, None),
        Some(Body::Empty) => unstructured(BodyKind::Empty, None),
        Some(Body::NotUtf8) => unstructured(BodyKind::NotJson, None),
        Some(Body::NotJson(text)) => unstructured(BodyKind::NotJson, text_excerpt(text, redact)),
        Some(Body::Truncated) => unstructured(BodyKind::Truncated, None),
        Some(Body::InvalidJson) => unstructured(BodyKind::InvalidJson, None),
        Some(Body::NotAnObject) => unstructured(BodyKind::UnknownJson, None),
        Some(Body::Object(fields)) => {
            recognise(&fields, redact).unwrap_or_else(|| unstructured(BodyKind::UnknownJson, None))
        }
    };
    let retry = retry_after::parse(headers);
    let mut error = ServerError::new(status, detail);
    error.retry_after = retry.delay;
    error.retry_after_date = retry.date;
    error
}

/// The vendor envelope or an RFC 6749 §5.2 error, if the object is either.
///
/// The envelope is recognised when two of `status` (a number), `error` (a string) and
/// `message` (a string or an object) are present; a `message` of another type counts as
/// absent. Otherwise a string `error` makes an RFC 6749 error.
fn recognise(fields: &Fields<'_>, redact: &Redactions) -> Option<ErrorDetail> {
    let secret = Secret::of(fields, redact);
    let status = match &fields.status {
        Some(Shallow::Number(n)) => Some(status_code(*n)),
        _ => None,
    };
    let error = fields.error.as_ref().and_then(Shallow::as_str);
    let message = match &fields.message {
        Some(Message::Text(t)) => Some(VendorMessage::Text(clean(t, MESSAGE_EXCERPT, secret))),
        Some(Message::Object(entries)) => Some(VendorMessage::Object(object_message(entries, secret))),
        Some(Message::Other) | None => None,
    };
    let present =
        usize::from(status.is_some()) + usize::from(error.is_some()) + usize::from(message.is_some());
    if present >= 2 {
        return Some(ErrorDetail::Vendor(VendorError {
            status: status.flatten(),
            error: error.map(|e| clean(e, CODE_EXCERPT, secret)),
            message,
        }));
    }
    let code = error?;
    let text = |field: &Option<Shallow<'_>>| {
        field
            .as_ref()
            .and_then(Shallow::as_str)
            .map(|t| clean(t, MESSAGE_EXCERPT, secret))
    };
    Some(ErrorDetail::OAuth(OAuthError {
        code: match secret {
            Secret::Token(Some(s), _) if code.contains(s) => OAuthErrorCode::Other(REDACTED.to_owned()),
            Secret::Token(_, redact) if redact.found_in(code) => OAuthErrorCode::Other(REDACTED.to_owned()),
            // The RFC 6749 codes are fixed words; anything else may be a token.
            Secret::Ambiguous => match OAuthErrorCode::parse(code) {
                OAuthErrorCode::Other(_) => OAuthErrorCode::Other(REDACTED.to_owned()),
                known => known,
            },
            Secret::Token(..) => OAuthErrorCode::parse(code),
        },
        description: text(&fields.error_description),
        uri: text(&fields.error_uri),
    }))
}

/// `status` as a `u16` when it is a whole number in range (`400` or `400.0`).
fn status_code(n: Number) -> Option<u16> {
    match n {
        Number::Unsigned(u) => u16::try_from(u).ok(),
        Number::Signed(i) => u16::try_from(i).ok(),
        Number::Float(f) if f.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&f) => {
            // Whole and in range: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(f as u16)
        }
        Number::Float(_) => None,
    }
}

/// An object `message`: names and compact JSON values, sanitized; values of fields whose
/// name suggests a credential are not kept.
fn object_message(entries: &[(String, serde_json::Value)], secret: Secret<'_>) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|(name, value)| {
            let shown = if mentions_credential(name.as_bytes()) {
                REDACTED.to_owned()
            } else {
                // A string is cleaned as what it says, not as its JSON escapes, in which an
                // echoed secret would be spelled differently; other values as JSON text.
                match value {
                    serde_json::Value::String(text) => json_string_excerpt(text, secret),
                    other => clean(&other.to_string(), FIELD_VALUE_EXCERPT, secret),
                }
            };
            (clean(name, CODE_EXCERPT, secret), shown)
        })
        .collect()
}

/// `text`, cleaned, as a JSON string of at most [`FIELD_VALUE_EXCERPT`] characters plus
/// the ellipsis (escapes count: a shorter excerpt is taken when they push it over).
fn json_string_excerpt(text: &str, secret: Secret<'_>) -> String {
    let mut keep = FIELD_VALUE_EXCERPT.saturating_sub(2);
    loop {
        let shown = serde_json::Value::String(clean(text, keep, secret)).to_string();
        if shown.chars().count() <= FIELD_VALUE_EXCERPT + 1 || keep == 0 {
            return shown;
        }
        keep = keep.saturating_sub(8);
    }
}

/// What server text must never repeat.
#[derive(Clone, Copy)]
enum Secret<'a> {
    /// The body's `access_token` string, when it has one, and the client secret's
    /// spellings.
    Token(Option<&'a str>, &'a Redactions),
    /// `access_token` appears more than once: any of its values may be the token, and
    /// any text may repeat one, so no text is kept at all.
    Ambiguous,
}

impl<'a> Secret<'a> {
    fn of(fields: &'a Fields<'_>, redact: &'a Redactions) -> Self {
        if fields.repeated_access_token {
            Secret::Ambiguous
        } else {
            Secret::Token(fields.access_token_str(), redact)
        }
    }
}

/// Sanitizes server text, first replacing the client secret and the response's own
/// access token wherever they are in it.
fn clean(text: &str, max_chars: usize, secret: Secret<'_>) -> String {
    match secret {
        Secret::Ambiguous => REDACTED.to_owned(),
        Secret::Token(token, redact) => {
            let text = redact.apply(text);
            match token {
                Some(s) if text.contains(s) => sanitize::excerpt(&text.replace(s, REDACTED), max_chars),
                _ => sanitize::excerpt(&text, max_chars),
            }
        }
    }
}

/// A short excerpt of a non-JSON body, with whitespace runs collapsed; none when the body
/// mentions a token or a secret, or contains the client secret.
fn text_excerpt(text: &str, redact: &Redactions) -> Option<String> {
    if mentions_credential(text.as_bytes()) || redact.found_in(text) {
        return None;
    }
    // Only as much as the excerpt can show is collapsed: bounded work for any body.
    let mut collapsed = String::new();
    for word in text.split_whitespace() {
        if collapsed.len() > BODY_EXCERPT * 4 {
            break;
        }
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    Some(sanitize::excerpt(&collapsed, BODY_EXCERPT))
}

/// Whether the bytes contain, in any case, a word that suggests a credential nearby.
fn mentions_credential(bytes: &[u8]) -> bool {
    const WORDS: [&[u8]; 5] = [b"token", b"secret", b"password", b"authorization", b"bearer"];
    WORDS
        .iter()
        .any(|word| bytes.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word)))
}

/// The `Content-Type` header when it is visible ASCII, short and free of the secret.
fn content_type(headers: &HeaderMap, redact: &Redactions) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    (value.len() <= MAX_CONTENT_TYPE && !redact.found_in(value)).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(status_code(Number::Unsigned(400)), Some(400));
        assert_eq!(status_code(Number::Float(400.0)), Some(400));
        assert_eq!(status_code(Number::Float(400.5)), None);
        assert_eq!(status_code(Number::Signed(-1)), None);
        assert_eq!(status_code(Number::Float(1e300)), None);
        assert_eq!(status_code(Number::Unsigned(70_000)), None);
    }

    #[test]
    fn credential_words_in_any_case() {
        assert!(mentions_credential(b"xx ACCESS_TOKEN yy"));
        assert!(mentions_credential(b"Secret"));
        assert!(!mentions_credential(b"bad gateway"));
    }
}
