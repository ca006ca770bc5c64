//! The circuit breaker that keeps a failing store off the token path.

use std::time::Instant;

use super::policy::StorePolicy;

/// Counts a store's consecutive failures and, past
/// [`StorePolicy::breaker_threshold`], keeps token requests away from it for
/// [`StorePolicy::breaker_open`]: a dead store then costs nothing, instead of one
/// [`op_timeout`](StorePolicy::op_timeout) per request.
///
/// One breaker per store, shared by every provider using it (a dead Redis is dead for
/// every tenant). Feed it every store operation's outcome; ask
/// [`allows`](Self::allows) before starting a [`StoreFetch`](super::StoreFetch).
/// After the open period the store is tried again; one more failure opens it again at
/// once, one success closes it.
#[derive(Debug, Clone, Default)]
pub struct StoreBreaker {
    failures: u32,
    open_until: Option<Instant>,
}

impl StoreBreaker {
    /// A closed breaker.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the store may be used at `now`: the breaker is closed, or its open period
    /// is over.
    #[must_use]
    pub fn allows(&self, now: Instant) -> bool {
        self.open_until.is_none_or(|until| now >= until)
    }

    /// Whether the breaker is open at `now` (for stats and traces).
    #[must_use]
    pub fn is_open(&self, now: Instant) -> bool {
        !self.allows(now)
    }

    /// A store operation succeeded: the breaker closes.
    pub fn handle_success(&mut self) {
        self.failures = 0;
        self.open_until = None;
    }

    /// A store operation failed or timed out at `now`. Returns whether this opened the
    /// breaker (it was not open before).
    pub fn handle_failure(&mut self, now: Instant, policy: &StorePolicy) -> bool {
        self.failures = self.failures.saturating_add(1);
        if self.failures < policy.breaker_threshold.max(1) {
            return false;
        }
        let was_open = self.is_open(now);
        self.open_until = Some(now.checked_add(policy.breaker_open).unwrap_or(now));
        !was_open
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)] // a starting instant; time moves by what the test adds
    fn opens_after_the_threshold_and_closes_on_success() {
        let policy = StorePolicy::default();
        let t0 = Instant::now();
        let mut breaker = StoreBreaker::new();
        assert!(breaker.allows(t0));
        assert!(!breaker.handle_failure(t0, &policy));
        assert!(!breaker.handle_failure(t0, &policy));
        assert!(breaker.allows(t0), "two failures: still closed");
        assert!(breaker.handle_failure(t0, &policy), "the third opens it");
        assert!(!breaker.allows(t0 + Duration::from_secs(29)));
        let later = t0 + policy.breaker_open;
        assert!(breaker.allows(later), "tried again after the open period");
        assert!(
            breaker.handle_failure(later, &policy),
            "one more failure reopens it"
        );
        assert!(!breaker.allows(later + Duration::from_secs(1)));
        breaker.handle_success();
        assert!(breaker.allows(later + Duration::from_secs(1)));
        assert!(!breaker.handle_failure(later, &policy), "the count restarted");
    }
}
