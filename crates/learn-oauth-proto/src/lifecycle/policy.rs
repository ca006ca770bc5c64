//! The numbers that decide when to refresh, retry and give up.

use std::time::Duration;

/// When to refresh a token, how to back off after a failure and when to give up.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RefreshPolicy {
    /// A token is usable until `expires_at - safety_margin` (margin capped at a quarter of
    /// the token's lifetime). Default 10 s.
    pub safety_margin: Duration,
    /// Refresh this long before expiry (capped at half the lifetime). Default 5 min.
    pub refresh_ahead: Duration,
    /// The refresh point moves earlier by up to this fraction of the refresh-ahead window,
    /// at random. Default 0.2.
    pub refresh_jitter: f64,
    /// The first retry delay. Default 250 ms.
    pub initial_backoff: Duration,
    /// The largest retry delay. Default 30 s.
    pub max_backoff: Duration,
    /// A retry delay is shortened by up to this fraction, at random. Default 0.5.
    pub backoff_jitter: f64,
    /// Attempts per round while callers wait with no usable token. Default 4.
    pub max_attempts: u32,
    /// A round gives up when its next attempt would start later than this after the
    /// round started. Default 30 s.
    pub max_wait: Duration,
    /// `Retry-After` is honoured up to this. Default 5 min.
    pub max_retry_after: Duration,
    /// After a non-retryable failure, no new request for this long. Default 10 s.
    pub failure_hold_off: Duration,
    /// A request not reported back within this is considered lost. Default 60 s.
    pub fetch_timeout: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            safety_margin: Duration::from_secs(10),
            refresh_ahead: Duration::from_secs(5 * 60),
            refresh_jitter: 0.2,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            backoff_jitter: 0.5,
            max_attempts: 4,
            max_wait: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(5 * 60),
            failure_hold_off: Duration::from_secs(10),
            fetch_timeout: Duration::from_secs(60),
        }
    }
}
