//! What the machine made of a reported response: for drivers to count and trace.

use std::time::{Duration, Instant};

/// What [`TokenLifecycle::handle_response`](crate::TokenLifecycle::handle_response) did
/// with a result: the decision, for a driver's counters and traces (the machine keeps no
/// counters and emits nothing itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseOutcome {
    /// The token is now the current one.
    Accepted {
        /// Its lifetime as granted (after the lifecycle's caps).
        lifetime: Duration,
    },
    /// The request failed retryably; the next one may start at `at` (`None`: never —
    /// beyond representable time).
    RetryScheduled {
        /// When the next request may start.
        at: Option<Instant>,
        /// Consecutive failed requests so far, this one included.
        failures: u32,
        /// Whether the server's `Retry-After` set the delay (it asked for longer than the
        /// backoff would have waited).
        retry_after_honoured: bool,
    },
    /// No request until `until` (`None`: never): the failure was not retryable (bad
    /// credentials, a refused scope), or waiting callers' round ran out of attempts or
    /// time. Callers without a usable token get the error meanwhile.
    HeldOff {
        /// When a request may start again.
        until: Option<Instant>,
        /// Whether the failure itself was retryable (the round gave up) rather than not.
        gave_up: bool,
    },
    /// The result was not for the request in flight (one already given up on as lost,
    /// or reported twice) and changed nothing.
    Ignored,
}
