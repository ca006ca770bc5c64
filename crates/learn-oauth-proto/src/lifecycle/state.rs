//! The pieces of the machine's state: the current token's window, the gate that says
//! whether a request may start, the round of callers waiting, the request in flight,
//! and the timers derived from them.
//!
//! Every instant is an `Option<Instant>` where `None` means *never*: an `Instant` plus a
//! huge `Duration` overflows, and an overflow means "later than anything we will see".

use std::time::{Duration, Instant};

use super::policy::{RefreshPolicy, scale};
use super::poll::FetchId;
use crate::error::Error;
use crate::token::AccessToken;

/// `t + d`, or `None` (never) when that is not representable.
pub(super) fn later(t: Instant, d: Duration) -> Option<Instant> {
    t.checked_add(d)
}

/// Whether `deadline` (`None`: never) has been reached at `now`.
pub(super) fn reached(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|d| d <= now)
}

/// Whether `a` is strictly later than `b`, where `None` is never (later than everything).
pub(super) fn beyond(a: Option<Instant>, b: Option<Instant>) -> bool {
    match (a, b) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a > b,
    }
}

/// The token being handed out and the instants derived from it.
#[derive(Debug)]
pub(super) struct Current {
    pub(super) token: AccessToken,
    /// Handed out while `now < usable_until`: `expires_at - margin`.
    pub(super) usable_until: Option<Instant>,
    /// When a background refresh becomes due; `None` once due (or never).
    pub(super) refresh_at: Option<Instant>,
    /// The refresh point has passed: a background refresh is wanted.
    pub(super) refresh_due: bool,
}

impl Current {
    /// The window of `token` at `now`, with `unit` in `[0, 1)` drawing the refresh
    /// jitter; `None` when the token is not usable at all (zero lifetime, or already
    /// past its usable time).
    pub(super) fn new(token: AccessToken, policy: &RefreshPolicy, now: Instant, unit: f64) -> Option<Self> {
        let lifetime = token.lifetime();
        let window = lifetime - policy.margin_for(lifetime);
        if window.is_zero() {
            return None;
        }
        // Computed here rather than taken from `expires_at()`, which falls back to
        // `received_at` when the sum overflows; for us an overflow means "never".
        let usable_until = later(token.received_at(), window);
        if reached(usable_until, now) {
            return None;
        }
        let ahead = policy.ahead_for(lifetime);
        let jitter = scale(ahead, policy.refresh_jitter * unit);
        let refresh_at = later(token.received_at(), lifetime - ahead - jitter);
        let refresh_due = reached(refresh_at, now);
        Some(Self {
            token,
            usable_until,
            refresh_at: if refresh_due { None } else { refresh_at },
            refresh_due,
        })
    }

    pub(super) fn usable_at(&self, now: Instant) -> bool {
        !reached(self.usable_until, now)
    }
}

/// Whether a request may start, and what callers without a usable token get meanwhile.
#[derive(Debug)]
pub(super) enum Gate {
    /// A request may start when one is wanted.
    Open,
    /// The last request failed retryably; the next one waits until `at`. Callers
    /// without a usable token wait too (their round still has budget).
    Retry { at: Option<Instant>, error: Error },
    /// No request until `until`, and callers without a usable token get `error` at
    /// once: after a non-retryable failure (the hold-off), or when a round gave up.
    HoldOff { until: Option<Instant>, error: Error },
}

impl Gate {
    pub(super) fn deadline(&self) -> Option<Instant> {
        match self {
            Gate::Open => None,
            Gate::Retry { at, .. } => *at,
            Gate::HoldOff { until, .. } => *until,
        }
    }
}

/// Callers are waiting with no usable token (the demand).
#[derive(Debug, Clone)]
pub(super) struct Round {
    /// When the first of them asked.
    pub(super) started: Instant,
    /// Failed requests reported since.
    pub(super) failures: u32,
    /// The latest of those failures: what a caller whose wait ends gets.
    pub(super) last_error: Option<Error>,
}

/// The one request in flight.
#[derive(Debug, Clone, Copy)]
pub(super) struct InFlight {
    pub(super) id: FetchId,
    /// When it is considered lost.
    pub(super) deadline: Option<Instant>,
}

/// Every deadline the machine has, in the order `handle_timeout` processes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// The current token's usable time ends: stop handing it out.
    Expiry,
    /// The refresh point: a background refresh becomes due.
    Refresh,
    /// The retry time or the end of the hold-off: the gate opens.
    Gate,
    /// The request in flight is considered lost.
    Fetch,
    /// The cool-down after an invalidated token ends: a request may start again.
    Cooldown,
}

impl Timer {
    pub(super) const ALL: [Timer; 5] = [
        Timer::Expiry,
        Timer::Refresh,
        Timer::Gate,
        Timer::Fetch,
        Timer::Cooldown,
    ];
}
