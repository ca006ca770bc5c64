//! The machine's transitions: time passing, a token arriving, a request failing.

use std::time::Instant;

use http::StatusCode;

use super::backoff::backoff;
use super::machine::TokenLifecycle;
use super::outcome::ResponseOutcome;
use super::policy::MIN_DELAY;
use super::state::{Current, Gate, Timer, beyond, later, reached};
use crate::error::{Error, ResponseError, ResponseProblem, TransportError, TransportErrorKind};
use crate::token::AccessToken;

impl TokenLifecycle {
    /// Whether [`poll_fetch`](Self::poll_fetch) would start a request now.
    pub(crate) fn wants_fetch(&self) -> bool {
        self.in_flight.is_none()
            && matches!(self.gate, Gate::Open)
            && self.cooldown_until.is_none()
            && (self.round.is_some() || self.current.as_ref().is_some_and(|c| c.refresh_due))
    }

    /// Whether callers are waiting with no usable token (for the invariant checker).
    #[cfg(feature = "invariants")]
    pub(crate) fn has_demand(&self) -> bool {
        self.round.is_some()
    }

    /// The latest `now` seen.
    pub(crate) fn latest(&self) -> Option<Instant> {
        self.latest
    }

    /// Time never goes backwards: an earlier `now` is the latest seen.
    pub(super) fn clamp(&mut self, now: Instant) -> Instant {
        let now = self.latest.map_or(now, |latest| latest.max(now));
        self.latest = Some(now);
        now
    }

    /// [`clamp`](Self::clamp), then process every deadline reached.
    pub(super) fn observe(&mut self, now: Instant) -> Instant {
        let now = self.clamp(now);
        self.handle_due(now);
        now
    }

    pub(super) fn handle_due(&mut self, now: Instant) {
        // Each timer fired either disappears or moves past `now` (every delay is at
        // least MIN_DELAY), so one pass in order suffices.
        for timer in Timer::ALL {
            if reached(self.deadline(timer), now) {
                self.fire(now, timer);
            }
        }
    }

    pub(super) fn deadline(&self, timer: Timer) -> Option<Instant> {
        match timer {
            Timer::Expiry => self.current.as_ref().and_then(|c| c.usable_until),
            Timer::Refresh => self.current.as_ref().and_then(|c| c.refresh_at),
            Timer::Gate => self.gate.deadline(),
            Timer::Fetch => self.in_flight.and_then(|f| f.deadline),
            Timer::Cooldown => self.cooldown_until,
        }
    }

    pub(super) fn fire(&mut self, now: Instant, timer: Timer) {
        match timer {
            Timer::Expiry => self.current = None,
            Timer::Refresh => {
                if let Some(current) = &mut self.current {
                    current.refresh_at = None;
                    current.refresh_due = true;
                }
            }
            Timer::Gate => self.gate = Gate::Open,
            Timer::Fetch => {
                self.in_flight = None;
                self.fail(now, Error::from(TransportError::new(TransportErrorKind::Timeout)));
            }
            Timer::Cooldown => self.cooldown_until = None,
        }
    }

    pub(super) fn accept(&mut self, now: Instant, token: AccessToken) -> ResponseOutcome {
        let unit = self.jitter.unit();
        match Current::new(token, &self.policy, now, unit) {
            Some(current) => {
                let lifetime = current.token.lifetime();
                self.current = Some(current);
                self.gate = Gate::Open;
                self.round = None;
                self.failures = 0;
                ResponseOutcome::Accepted { lifetime }
            }
            None => self.fail(
                now,
                Error::from(ResponseError::new(
                    StatusCode::OK,
                    ResponseProblem::ExpiredOnArrival,
                )),
            ),
        }
    }

    pub(super) fn fail(&mut self, now: Instant, error: Error) -> ResponseOutcome {
        self.failures = self.failures.saturating_add(1);
        if !error.is_retryable() {
            self.round = None;
            let until = later(now, self.policy.hold_off());
            self.gate = Gate::HoldOff { until, error };
            return ResponseOutcome::HeldOff {
                until,
                gave_up: false,
            };
        }
        let backed_off = backoff(&self.policy, self.failures, self.jitter.unit());
        let mut delay = backed_off;
        if let Some(asked) = error.retry_after() {
            delay = delay.max(asked.min(self.policy.max_retry_after)).max(MIN_DELAY);
        }
        let retry_after_honoured = delay > backed_off;
        let at = later(now, delay);
        if let Some(round) = &mut self.round {
            round.failures = round.failures.saturating_add(1);
            round.last_error = Some(error.clone());
            // A retry that is never (its delay overflows the clock) ends the round even
            // when `max_wait` is unbounded too: waiting callers get the error, not a hang.
            if round.failures >= self.policy.attempts_per_round()
                || at.is_none()
                || beyond(at, later(round.started, self.policy.max_wait))
            {
                self.give_up(at, error);
                return ResponseOutcome::HeldOff {
                    until: at,
                    gave_up: true,
                };
            }
        }
        self.gate = Gate::Retry { at, error };
        ResponseOutcome::RetryScheduled {
            at,
            failures: self.failures,
            retry_after_honoured,
        }
    }

    /// The waiting callers get `error`, and every caller without a usable token gets it
    /// until `until`, the next time a request may start.
    pub(super) fn give_up(&mut self, until: Option<Instant>, error: Error) {
        self.round = None;
        self.gate = Gate::HoldOff { until, error };
    }
}
