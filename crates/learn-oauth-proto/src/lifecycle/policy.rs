//! The numbers that decide when to refresh, retry and give up — all in one place.

use std::time::Duration;

/// The smallest delay the machine ever schedules (backoff, hold-off, request timeout,
/// a caller's wait).
///
/// A zero in the policy would put a deadline at `now`, and a driver that loops on
/// `poll_timeout` would spin; a millisecond keeps every deadline strictly in the future.
pub(crate) const MIN_DELAY: Duration = Duration::from_millis(1);

/// When to refresh a token, how to back off after a failure and when to give up.
///
/// Every field is public; start from [`RefreshPolicy::default`] and change what you need.
///
/// Values out of range are made sane rather than refused: jitter fractions are clamped to
/// `0.0..=1.0` (NaN counts as 0), `max_attempts` of 0 counts as 1, and delays of zero
/// (backoff, hold-off, request timeout, wait) count as one millisecond.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RefreshPolicy {
    /// A token is handed out until `expires_at - safety_margin`, so it does not expire on
    /// its way to the resource server. The margin is capped at a quarter of the token's
    /// lifetime, so short-lived tokens stay usable. Default: 10 s.
    pub safety_margin: Duration,
    /// A background refresh starts this long before the token expires, capped at half
    /// its lifetime. It is at least twice the (capped) safety margin, so the refresh
    /// always starts while the token is still handed out — a `refresh_ahead` shorter
    /// than `safety_margin` would otherwise leave callers waiting for a fetch every
    /// time. Default: 5 min.
    pub refresh_ahead: Duration,
    /// The refresh point moves earlier by a random amount of up to this fraction of the
    /// refresh-ahead window, so a fleet started together does not refresh in the same
    /// second. Default: 0.2.
    pub refresh_jitter: f64,
    /// The delay before the first retry; it doubles with each consecutive failure.
    /// Default: 250 ms.
    pub initial_backoff: Duration,
    /// The largest backoff delay. Default: 30 s.
    pub max_backoff: Duration,
    /// Each backoff delay is shortened by a random fraction of up to this much:
    /// `delay = capped_exponential * (1 - backoff_jitter * U[0, 1))`. Default: 0.5.
    pub backoff_jitter: f64,
    /// Requests per *round*: while callers wait with no usable token, this many failed
    /// attempts end the round and the callers get the last error. Default: 4.
    pub max_attempts: u32,
    /// The longest one call waits for a token, counted from when that call began: once
    /// this has passed without a usable token, the call gets an error, even while a
    /// request is still in flight or a retry or an invalidation's cool-down is pending.
    /// The error is the last failure of the round the caller waits in (a retryable one:
    /// a 503, a refused connection), or, when no request failed while it waited, a
    /// [`TransportError`](crate::TransportError) of kind
    /// [`Timeout`](crate::TransportErrorKind::Timeout). A caller is handed whatever
    /// token is usable when it asks; a token dropped by
    /// [`invalidate`](super::TokenLifecycle::handle_invalidate) before a waiting caller
    /// asked again is not handed out, and that caller waits for the next one, within
    /// this same bound. The machine's own budget for waiting callers uses it too: a
    /// round ends when its next attempt would start later than this after the round
    /// began (a long `Retry-After` ends it at once). A request in flight is not cut
    /// short when its callers stop waiting: it runs until
    /// [`request_timeout`](Self::request_timeout), and its token serves the next call.
    /// Default: 30 s.
    pub max_wait: Duration,
    /// `Retry-After` is honoured up to this long; a longer one is cut to it.
    /// Default: 5 min.
    pub max_retry_after: Duration,
    /// After a non-retryable failure (bad credentials, a refused scope) no request is
    /// made for this long, and callers without a usable token get that error at once.
    /// Default: 10 s.
    pub failure_hold_off: Duration,
    /// How long one token request may take, body included: the driver hands exactly
    /// this to its transport (the bundled transports set it as their HTTP client's total
    /// timeout), and a request not reported back within it counts as lost — a transport
    /// timeout — so a driver that loses a request cannot wedge the machine. A request
    /// abandoned by its driver (its task cancelled, its runtime shut down) counts as
    /// nothing: no backoff, no attempt. Default: 30 s.
    pub request_timeout: Duration,
    /// After [`invalidate`](super::TokenLifecycle::handle_invalidate) drops a token, a new
    /// one is requested no sooner than this after the dropped one was received. A
    /// resource that refuses every token (a misconfigured API, a clock far off) would
    /// otherwise turn each 401 into a token request: with it, callers wait for the next
    /// token instead, and the token endpoint sees at most one request per this interval.
    /// A token revoked after it has lived longer than this is replaced at once.
    /// Capped at half the token's lifetime and at one hour. Default: 5 s.
    pub invalidate_cooldown: Duration,
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
            request_timeout: Duration::from_secs(30),
            invalidate_cooldown: Duration::from_secs(5),
        }
    }
}

impl RefreshPolicy {
    /// The safety margin for a token of `lifetime`: at most a quarter of it.
    pub(super) fn margin_for(&self, lifetime: Duration) -> Duration {
        self.safety_margin.min(lifetime / 4)
    }

    /// The refresh-ahead window for a token of `lifetime`: at least twice its safety
    /// margin, at most half of it.
    pub(super) fn ahead_for(&self, lifetime: Duration) -> Duration {
        self.refresh_ahead
            .max(self.margin_for(lifetime).saturating_mul(2))
            .min(lifetime / 2)
    }

    /// The widest refresh window a token of `lifetime` can get, jitter included: a token
    /// with less left than this may be due for a refresh somewhere (the shared store's
    /// protocol adopts a peer's token only with more left).
    pub(crate) fn widest_refresh_window(&self, lifetime: Duration) -> Duration {
        let ahead = self.ahead_for(lifetime);
        ahead.saturating_add(scale(ahead, self.refresh_jitter))
    }

    /// `max_attempts`, at least 1.
    pub(super) fn attempts_per_round(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// `failure_hold_off`, at least [`MIN_DELAY`].
    pub(super) fn hold_off(&self) -> Duration {
        self.failure_hold_off.max(MIN_DELAY)
    }

    /// `invalidate_cooldown` for a token of `lifetime`: at most half of it, and at most
    /// an hour.
    pub(crate) fn cooldown_for(&self, lifetime: Duration) -> Duration {
        self.invalidate_cooldown
            .min(Duration::from_secs(3600))
            .min(lifetime / 2)
    }

    /// `request_timeout`, at least [`MIN_DELAY`].
    pub(super) fn request_time(&self) -> Duration {
        self.request_timeout.max(MIN_DELAY)
    }

    /// `max_wait`, at least [`MIN_DELAY`].
    pub(super) fn wait_time(&self) -> Duration {
        self.max_wait.max(MIN_DELAY)
    }
}

/// A jitter fraction made sane: clamped to `0.0..=1.0`, NaN as 0.
pub(super) fn fraction(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// `d * f` for `f` in `0.0..=1.0`, never more than `d` and never panicking.
pub(super) fn scale(d: Duration, f: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * fraction(f)).map_or(d, |scaled| scaled.min(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_clamped() {
        assert_eq!(fraction(f64::NAN), 0.0);
        assert_eq!(fraction(-1.0), 0.0);
        assert_eq!(fraction(7.0), 1.0);
        assert_eq!(fraction(f64::INFINITY), 1.0);
        assert_eq!(fraction(0.25), 0.25);
    }

    #[test]
    fn scaling_never_exceeds_the_input() {
        assert_eq!(scale(Duration::MAX, 1.0), Duration::MAX);
        assert_eq!(scale(Duration::from_secs(10), 0.5), Duration::from_secs(5));
        assert_eq!(scale(Duration::from_secs(10), f64::NAN), Duration::ZERO);
    }

    #[test]
    fn margins_are_capped_by_the_lifetime() {
        let policy = RefreshPolicy::default();
        assert_eq!(
            policy.margin_for(Duration::from_secs(3600)),
            Duration::from_secs(10)
        );
        assert_eq!(policy.margin_for(Duration::from_secs(20)), Duration::from_secs(5));
        assert_eq!(
            policy.ahead_for(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(policy.ahead_for(Duration::from_secs(60)), Duration::from_secs(30));
    }
}
