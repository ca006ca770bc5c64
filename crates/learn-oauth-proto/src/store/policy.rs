//! The numbers a shared store's protocol runs on.

use std::time::Duration;

/// How a provider uses a shared token store: how long a store operation may take, how
/// long a replica without a token waits for a peer's, how often it looks, and when a
/// failing store is left alone. Every field has a default; the defaults bound what a dead
/// or hung store can add to a token request to one [`op_timeout`](Self::op_timeout), and
/// to nothing while the breaker is open.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StorePolicy {
    /// The longest one store operation (read, lease, write) may take before it counts as
    /// failed; the store adapter enforces it. Default: 250 ms.
    pub op_timeout: Duration,
    /// The longest a replica waits for the peer holding the lease to publish a token
    /// before it fetches one itself (never more than half of the request's deadline).
    /// Default: 5 s.
    pub peer_wait: Duration,
    /// The first pause between looks at the store while waiting for a peer; each pause
    /// doubles, up to [`max_poll_interval`](Self::max_poll_interval). A store that tells
    /// of publishes (Redis: pub/sub) ends a pause as soon as a peer publishes, so the
    /// pauses are then only the fallback for a notification lost. Default: 25 ms.
    pub poll_interval: Duration,
    /// The longest pause between looks at the store. Default: 400 ms.
    pub max_poll_interval: Duration,
    /// How long the lease outlives the lease holder's request deadline, so the request
    /// is always cut off before the lease ends. Default: 1 s.
    pub lease_margin: Duration,
    /// Consecutive failed store operations that open the breaker. Default: 3.
    pub breaker_threshold: u32,
    /// How long an open breaker keeps requests away from the store (they fetch on their
    /// own, as without a store); afterwards the next operation tries the store again.
    /// Default: 30 s.
    pub breaker_open: Duration,
}

impl Default for StorePolicy {
    fn default() -> Self {
        Self {
            op_timeout: Duration::from_millis(250),
            peer_wait: Duration::from_secs(5),
            poll_interval: Duration::from_millis(25),
            max_poll_interval: Duration::from_millis(400),
            lease_margin: Duration::from_secs(1),
            breaker_threshold: 3,
            breaker_open: Duration::from_secs(30),
        }
    }
}

impl StorePolicy {
    /// The pause before look number `polls` (0-based) while waiting for a peer.
    pub(super) fn pause(&self, polls: u32) -> Duration {
        let first = self.poll_interval.max(crate::lifecycle::MIN_DELAY);
        let cap = self.max_poll_interval.max(first);
        first.saturating_mul(1u32 << polls.min(16)).min(cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap() {
        let policy = StorePolicy::default();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(policy.pause(0), ms(25));
        assert_eq!(policy.pause(1), ms(50));
        assert_eq!(policy.pause(4), ms(400));
        assert_eq!(policy.pause(40), ms(400));
        let zero = StorePolicy {
            poll_interval: Duration::ZERO,
            max_poll_interval: Duration::ZERO,
            ..StorePolicy::default()
        };
        assert!(zero.pause(0) > Duration::ZERO, "never a busy loop");
    }
}
