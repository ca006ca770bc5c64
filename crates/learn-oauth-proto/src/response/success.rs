//! A 2xx body's fields into an [`AccessToken`], or the first problem found.
//!
//! Checked in this order: `access_token` present and non-empty, `token_type`,
//! `expires_in`, `scope`, then the token's characters.

use std::time::{Duration, Instant};

use super::json::{Fields, Number, Shallow};
use super::options::{MAX_TOKEN_LIFETIME, ParseOptions};
use crate::error::ResponseProblem;
use crate::sanitize::{self, REDACTED, Redactions};
use crate::scope::Scopes;
use crate::token::AccessToken;

/// How much of an unsupported `token_type` is kept.
const TOKEN_TYPE_EXCERPT: usize = 32;

pub(super) fn token(
    fields: Fields<'_>,
    options: &ParseOptions,
    now: Instant,
) -> Result<AccessToken, ResponseProblem> {
    let repeated = fields.repeated_access_token;
    let value = match fields.access_token {
        Some(Shallow::Str(s)) if s.is_empty() => return Err(ResponseProblem::EmptyAccessToken),
        Some(Shallow::Str(s)) => s,
        _ => return Err(ResponseProblem::MissingAccessToken),
    };
    check_token_type(fields.token_type.as_ref(), &value, repeated, &options.redact)?;
    let lifetime = lifetime(fields.expires_in.as_ref(), options.default_lifetime)?;
    let (scopes, stated) = match &fields.scope {
        None | Some(Shallow::Null) => (options.requested_scopes.clone(), false),
        Some(Shallow::Str(s)) => (granted_scopes(s, &options.requested_scopes), true),
        Some(_) => return Err(ResponseProblem::InvalidScope),
    };
    AccessToken::with_stated_scopes(value.into_owned(), scopes, stated, now, lifetime)
        .ok_or(ResponseProblem::InvalidAccessToken)
}

/// [`Scopes::parse_granted`], with a shortcut for the usual answer: exactly the scopes
/// requested, in order (then the result is the same, without validating and allocating
/// each scope again).
fn granted_scopes(text: &str, requested: &Scopes) -> Scopes {
    if spelled_exactly(text, requested) {
        return requested.clone();
    }
    let mut granted = text.split_ascii_whitespace();
    let same = requested.iter().all(|r| granted.next() == Some(r.as_str())) && granted.next().is_none();
    if same {
        requested.clone()
    } else {
        Scopes::parse_granted(text)
    }
}

/// Whether `text` is exactly the requested scopes, in order, joined by single spaces —
/// how servers echo them — checked by comparing bytes, without splitting.
fn spelled_exactly(text: &str, requested: &Scopes) -> bool {
    let mut rest = text.as_bytes();
    for (i, scope) in requested.iter().enumerate() {
        if i > 0 {
            let Some(after_space) = rest.strip_prefix(b" ") else {
                return false;
            };
            rest = after_space;
        }
        let Some(after_scope) = rest.strip_prefix(scope.as_str().as_bytes()) else {
            return false;
        };
        rest = after_scope;
    }
    rest.is_empty()
}

/// `Bearer` in any case (surrounding whitespace forgiven), or absent.
/// `repeated`: the body had more than one `access_token`, so any text may be a token.
fn check_token_type(
    token_type: Option<&Shallow<'_>>,
    access_token: &str,
    repeated: bool,
    redact: &Redactions,
) -> Result<(), ResponseProblem> {
    match token_type {
        None | Some(Shallow::Null) => Ok(()),
        Some(Shallow::Str(t)) if t.trim_ascii().eq_ignore_ascii_case("bearer") => Ok(()),
        Some(Shallow::Str(t)) => {
            // A confused server might put the token here; never repeat it.
            let shown = if repeated || t.contains(access_token) || redact.found_in(t) {
                REDACTED.to_owned()
            } else {
                sanitize::excerpt(t, TOKEN_TYPE_EXCERPT)
            };
            Err(ResponseProblem::UnsupportedTokenType(shown))
        }
        Some(_) => Err(ResponseProblem::InvalidTokenType),
    }
}

/// `expires_in` as a lifetime: never negative, never above [`MAX_TOKEN_LIFETIME`].
fn lifetime(expires_in: Option<&Shallow<'_>>, default: Duration) -> Result<Duration, ResponseProblem> {
    match expires_in {
        None | Some(Shallow::Null) => Ok(default.min(MAX_TOKEN_LIFETIME)),
        Some(Shallow::Number(n)) => Ok(number_lifetime(*n)),
        Some(Shallow::Str(s)) => numeric_str(s)
            .map(seconds_lifetime)
            .ok_or(ResponseProblem::InvalidExpiresIn),
        Some(_) => Err(ResponseProblem::InvalidExpiresIn),
    }
}

fn number_lifetime(n: Number) -> Duration {
    match n {
        Number::Unsigned(u) => Duration::from_secs(u).min(MAX_TOKEN_LIFETIME),
        Number::Signed(i) => Duration::from_secs(u64::try_from(i).unwrap_or(0)).min(MAX_TOKEN_LIFETIME),
        Number::Float(f) => seconds_lifetime(f),
    }
}

/// A float number of seconds: zero or less (and NaN) is zero, above the cap (and
/// infinity) is the cap.
fn seconds_lifetime(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        Duration::ZERO
    } else if secs >= MAX_TOKEN_LIFETIME.as_secs_f64() {
        MAX_TOKEN_LIFETIME
    } else {
        Duration::try_from_secs_f64(secs).unwrap_or(MAX_TOKEN_LIFETIME)
    }
}

/// A decimal number in a string (`"3600"`, `" 3600.5 "`, `"1e3"`); not `"inf"` or
/// `"NaN"`, which `f64::from_str` would accept.
fn numeric_str(s: &str) -> Option<f64> {
    let s = s.trim_ascii();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_strings() {
        assert_eq!(numeric_str("3600"), Some(3600.0));
        assert_eq!(numeric_str(" 3600.5 "), Some(3600.5));
        assert_eq!(numeric_str("1e3"), Some(1000.0));
        assert_eq!(numeric_str("inf"), None);
        assert_eq!(numeric_str("NaN"), None);
        assert_eq!(numeric_str(""), None);
        assert_eq!(numeric_str("-"), None);
        assert_eq!(numeric_str("1e999"), Some(f64::INFINITY));
    }

    #[test]
    fn granted_scopes_equal_to_the_requested_ones_take_the_shortcut_with_the_same_result() {
        let requested = Scopes::parse("api/read api/write").expect("valid");
        assert!(spelled_exactly("api/read api/write", &requested));
        for text in [
            "api/read  api/write",
            "api/read api/write ",
            "api/readapi/write",
            "api/read",
            "",
        ] {
            assert!(!spelled_exactly(text, &requested), "{text:?}");
        }
        assert!(spelled_exactly("", &Scopes::new()));
        assert!(!spelled_exactly("api/read", &Scopes::new()));
        for text in [
            "api/read api/write",
            "api/read  api/write",
            "api/read api/writer",
            " api/read\tapi/write ",
            "api/write api/read",
            "api/read",
            "",
        ] {
            assert_eq!(
                granted_scopes(text, &requested),
                Scopes::parse_granted(text),
                "{text:?}"
            );
        }
        assert_eq!(granted_scopes("", &Scopes::new()), Scopes::new());
    }

    #[test]
    fn float_lifetimes_are_bounded() {
        assert_eq!(seconds_lifetime(f64::NAN), Duration::ZERO);
        assert_eq!(seconds_lifetime(-0.0), Duration::ZERO);
        assert_eq!(seconds_lifetime(f64::INFINITY), MAX_TOKEN_LIFETIME);
        assert_eq!(seconds_lifetime(1.5), Duration::from_millis(1500));
    }
}
