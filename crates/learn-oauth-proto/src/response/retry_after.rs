//! `Retry-After` (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date made relative with
//! the response's own `Date` header, because the core never reads a clock.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, header};

/// The longest wait believed; larger values are capped to this.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What `Retry-After` said.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct RetryAfter {
    /// How long to wait: delta-seconds, or the date minus `Date`; at most
    /// [`MAX_RETRY_AFTER`], zero for a date in the past.
    pub(super) delay: Option<Duration>,
    /// The HTTP-date, as sent.
    pub(super) date: Option<SystemTime>,
}

/// Reads the first `Retry-After` header; a value that is neither form is ignored.
pub(super) fn parse(headers: &HeaderMap) -> RetryAfter {
    let Some(value) = header_str(headers, &header::RETRY_AFTER) else {
        return RetryAfter::default();
    };
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Only digits: the one way to fail is overflow, which is "very long".
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return RetryAfter {
            delay: Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER)),
            date: None,
        };
    }
    let Ok(date) = httpdate::parse_http_date(value) else {
        return RetryAfter::default();
    };
    let delay = header_str(headers, &header::DATE)
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .map(|sent| {
            date.duration_since(sent)
                .unwrap_or(Duration::ZERO)
                .min(MAX_RETRY_AFTER)
        });
    RetryAfter {
        delay,
        date: Some(date),
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &header::HeaderName) -> Option<&'h str> {
    Some(headers.get(name)?.to_str().ok()?.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    http::HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn delta_seconds_are_capped_without_overflow() {
        let r = parse(&headers(&[("retry-after", "99999999999999999999999")]));
        assert_eq!(r.delay, Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn a_date_in_the_past_means_no_wait() {
        let r = parse(&headers(&[
            ("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("date", "Sun, 06 Nov 1994 08:50:37 GMT"),
        ]));
        assert_eq!(r.delay, Some(Duration::ZERO));
        assert!(r.date.is_some());
    }

    #[test]
    fn neither_form_is_ignored() {
        assert_eq!(parse(&headers(&[("retry-after", "-5")])), RetryAfter::default());
        assert_eq!(parse(&headers(&[("retry-after", "soon")])), RetryAfter::default());
        assert_eq!(parse(&headers(&[("retry-after", "1.5")])), RetryAfter::default());
    }
}
