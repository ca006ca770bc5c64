//! [`TokenLifecycle`]: inputs (`handle_*`), outputs (`poll_*`) and getters.

use std::time::Instant;

use super::backoff::Jitter;
use super::outcome::ResponseOutcome;
use super::policy::RefreshPolicy;
use super::poll::{FetchId, TokenPoll};
use super::snapshot::{Snapshot, far_future};
use super::state::{Current, Gate, InFlight, Round, Timer, beyond, later, reached};
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::token::AccessToken;

/// The token lifecycle: when to fetch, when to refresh ahead of expiry, how to back off,
/// when to give up — with at most one request in flight.
///
/// A deterministic state machine: it never reads a clock (every input carries `now`) and
/// never performs I/O (it asks the driver to, through [`poll_fetch`](Self::poll_fetch)).
/// Methods come in four kinds: getters, inputs (`handle_*`), outputs (`poll_*`, each
/// `#[must_use]`), and [`poll_driver`](Self::poll_driver), which combines the outputs a
/// caller needs. Every numeric choice is in [`RefreshPolicy`].
///
/// ```text
///   Cold --demand--> Waiting --token--> Fresh --refresh point--> Refreshing --token--> Fresh
///                     |   ^                                       | failure: keep serving
///    retryable, budget|   |                                       | the old token, retry
///    left: back off   +---+                                       | or hold off
///                     | non-retryable, or round exhausted
///                     v
///                   Failed --hold-off / retry time passes--> Cold
///   Fresh / Refreshing --usable time ends or invalidated--> Cold
/// ```
///
/// # Driving it
///
/// The canonical loop: feed inputs (`handle_*`), drain outputs (`poll_*`), sleep until
/// [`poll_timeout`](Self::poll_timeout). A driver serving callers asks
/// [`poll_driver`](Self::poll_driver) what each caller should do.
///
/// `Debug` shows the state but never a token value.
#[derive(Debug)]
pub struct TokenLifecycle {
    pub(super) policy: RefreshPolicy,
    pub(super) jitter: Jitter,
    /// The latest `now` seen; an earlier `now` is treated as this.
    pub(super) latest: Option<Instant>,
    pub(super) current: Option<Current>,
    pub(super) gate: Gate,
    pub(super) round: Option<Round>,
    pub(super) in_flight: Option<InFlight>,
    /// No request before this (`RefreshPolicy::invalidate_cooldown` after an
    /// invalidated token was received); `None` when no cool-down runs.
    pub(super) cooldown_until: Option<Instant>,
    /// Consecutive failed requests, for the backoff exponent.
    pub(super) failures: u32,
    pub(super) next_id: u64,
}

impl TokenLifecycle {
    /// A cold machine: no token, no demand, nothing scheduled. `jitter_seed` seeds the
    /// refresh and backoff jitter; give each process a different one (the core draws no
    /// random numbers itself), or a fixed one for reproducible tests.
    #[must_use]
    pub fn new(policy: RefreshPolicy, jitter_seed: u64) -> Self {
        Self {
            policy,
            jitter: Jitter::new(jitter_seed),
            latest: None,
            current: None,
            gate: Gate::Open,
            round: None,
            in_flight: None,
            cooldown_until: None,
            failures: 0,
            next_id: 0,
        }
    }

    /// The policy the machine was built with.
    #[must_use]
    pub fn policy(&self) -> &RefreshPolicy {
        &self.policy
    }

    /// A caller that began waiting at `since` wants a token now (`since` is `now` on a
    /// caller's first ask; pass the same `since` on every ask of one call).
    ///
    /// [`Ready`](TokenPoll::Ready) whenever a usable token exists (even while it is
    /// being refreshed or the server is failing). Otherwise this registers demand — a
    /// cold machine never fetches without it — and answers
    /// [`Pending`](TokenPoll::Pending) while a request is in flight or scheduled, or
    /// [`Failed`](TokenPoll::Failed) once the machine has given up for now, or once the
    /// caller's own wait ([`RefreshPolicy::max_wait`] after `since`, see
    /// [`wait_deadline`](Self::wait_deadline)) has passed: then with the round's last
    /// failure, or a transport [`Timeout`](crate::TransportErrorKind::Timeout) when no
    /// request failed while it waited.
    #[must_use]
    pub fn poll_token(&mut self, now: Instant, since: Instant) -> TokenPoll {
        let now = self.observe(now);
        if let Some(current) = &self.current {
            return TokenPoll::Ready(current.token.clone());
        }
        if let Gate::HoldOff { error, .. } = &self.gate {
            return TokenPoll::Failed(error.clone());
        }
        if self.round.is_none() {
            self.round = Some(Round {
                started: now,
                failures: 0,
                last_error: None,
            });
            // A retry already scheduled (by a failed background refresh) beyond what
            // this round may wait for, or never, ends the round before it begins.
            if let Gate::Retry { at, error } = &self.gate
                && (at.is_none() || beyond(*at, later(now, self.policy.max_wait)))
            {
                let error = error.clone();
                self.give_up(*at, error.clone());
                return TokenPoll::Failed(error);
            }
        }
        // The demand stays registered: the next caller's request serves the callers
        // after this one.
        if reached(self.wait_deadline(since), now) {
            return TokenPoll::Failed(self.wait_error());
        }
        TokenPoll::Pending
    }

    /// When a caller that began waiting at `since` is answered at the latest:
    /// [`RefreshPolicy::max_wait`] (at least a millisecond) after `since`. Until then
    /// [`poll_token`](Self::poll_token) may answer `Pending`, and
    /// [`poll_driver`](Self::poll_driver) never says to wait past it; from then on the
    /// caller gets a token or an error. `None`: never (beyond representable time).
    #[must_use]
    pub fn wait_deadline(&self, since: Instant) -> Option<Instant> {
        later(since, self.policy.wait_time())
    }

    /// What a caller whose wait has ended gets: the failure that scheduled the next
    /// attempt, or the round's last failure, or a transport timeout.
    fn wait_error(&self) -> Error {
        if let Gate::Retry { error, .. } = &self.gate {
            return error.clone();
        }
        self.round
            .as_ref()
            .and_then(|round| round.last_error.clone())
            .unwrap_or_else(|| Error::from(TransportError::new(TransportErrorKind::Timeout)))
    }

    /// Should the driver start a token request now? `Some(id)` at most once per attempt
    /// and never while a request is in flight: single flight is the machine's property,
    /// not the driver's. Call it after every input.
    ///
    /// A request is wanted when callers wait with no usable token, or when the current
    /// token has reached its refresh point (a background refresh: keep handing out the
    /// current token meanwhile). Not before a scheduled retry time or during a hold-off.
    #[must_use]
    pub fn poll_fetch(&mut self, now: Instant) -> Option<FetchId> {
        let now = self.observe(now);
        if !self.wants_fetch() {
            return None;
        }
        let id = FetchId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        // Callers stop waiting at their own deadlines; the request itself gets its whole
        // request timeout, and its token serves whoever asks next.
        let deadline = later(now, self.policy.request_time());
        self.in_flight = Some(InFlight { id, deadline });
        Some(id)
    }

    /// When request `fetch` counts as lost (a transport timeout) if it has not been
    /// reported: [`RefreshPolicy::request_timeout`] after it started. A driver gives its
    /// transport the time until then. `None` when `fetch` is not in flight, or
    /// never (a deadline beyond representable time).
    #[must_use]
    pub fn fetch_deadline(&self, fetch: FetchId) -> Option<Instant> {
        self.in_flight.filter(|f| f.id == fetch).and_then(|f| f.deadline)
    }

    /// The result of request `fetch`: the parsed token, or the error from the parser or
    /// the transport. A result for any id other than the one in flight (a request
    /// already given up as lost) is ignored.
    ///
    /// A token with no usable time left (zero lifetime, or expired on arrival) counts as
    /// a non-retryable [`ResponseProblem::ExpiredOnArrival`](crate::ResponseProblem::ExpiredOnArrival), so a server sending
    /// `expires_in: 0` cannot make the machine fetch in a loop.
    ///
    /// Returns what was decided ([`ResponseOutcome`]), for a driver's counters and
    /// traces; driving the machine needs none of it.
    pub fn handle_response(
        &mut self,
        now: Instant,
        fetch: FetchId,
        result: Result<AccessToken, Error>,
    ) -> ResponseOutcome {
        let now = self.clamp(now);
        let mut outcome = ResponseOutcome::Ignored;
        if self.in_flight.is_some_and(|f| f.id == fetch) {
            self.in_flight = None;
            outcome = match result {
                Ok(token) => self.accept(now, token),
                Err(error) => self.fail(now, error),
            };
        }
        self.handle_due(now);
        outcome
    }

    /// Processes every deadline at or before `now`: the end of a token's usable time,
    /// a refresh point, a retry time, the end of a hold-off, a lost request. Afterwards
    /// [`poll_timeout`](Self::poll_timeout) is `None` or later than `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.observe(now);
    }

    /// The resource API answered 401 to `token`: stop handing it out, so the next
    /// demand fetches a new one. Returns whether it was dropped, i.e. whether it was the
    /// current token; invalidating the same token twice drops it once and causes one
    /// request, not two.
    ///
    /// The new request waits until [`RefreshPolicy::invalidate_cooldown`] (at most half
    /// the dropped token's lifetime) after the dropped token was received, so a resource
    /// that refuses every token cannot make the machine request tokens in a loop.
    pub fn handle_invalidate(&mut self, now: Instant, token: &AccessToken) -> bool {
        let now = self.observe(now);
        if !self.current.as_ref().is_some_and(|c| c.token.same_as(token)) {
            return false;
        }
        self.current = None;
        let cooldown_ends = later(token.received_at(), self.policy.cooldown_for(token.lifetime()));
        if beyond(cooldown_ends, Some(now)) {
            self.cooldown_until = cooldown_ends;
        }
        true
    }

    /// Request `fetch` ended without an answer for a reason that is neither the server's
    /// nor the network's: the task running it was cancelled, its runtime shut down. It
    /// stops being in flight, and nothing is counted against the server: no backoff, no
    /// attempt used, so the next caller can start a new request at once. (A request that
    /// failed — including a transport that panicked — is reported with
    /// [`handle_response`](Self::handle_response) as an error instead.) An id other than
    /// the one in flight is ignored.
    pub fn handle_abandoned(&mut self, now: Instant, fetch: FetchId) {
        let now = self.clamp(now);
        if self.in_flight.is_some_and(|f| f.id == fetch) {
            self.in_flight = None;
        }
        self.handle_due(now);
    }

    /// The next instant the machine wants [`handle_timeout`](Self::handle_timeout): a
    /// refresh point, a retry time, the end of the usable time or of a hold-off, a
    /// request's timeout. `None` when nothing is scheduled. Never earlier than the
    /// latest `now` the machine has seen.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        Timer::ALL
            .into_iter()
            .filter_map(|timer| self.deadline(timer))
            .min()
    }

    /// The usable token at `now`, without side effects (no demand is registered).
    #[must_use]
    pub fn current_token(&self, now: Instant) -> Option<&AccessToken> {
        let now = self.latest.map_or(now, |latest| latest.max(now));
        self.current
            .as_ref()
            .filter(|c| c.usable_at(now))
            .map(|c| &c.token)
    }

    /// For lock-free fast paths in drivers: the current token and the instant until
    /// which it may be handed out without asking the machine — the end of its usable
    /// time or the machine's next deadline, whichever is first (or the latest `now` seen,
    /// when a request should start, so the next caller goes to the machine and
    /// [`poll_fetch`](Self::poll_fetch) yields it). `None` when there is no usable token.
    /// Take a new snapshot after every input.
    #[must_use]
    pub fn snapshot(&self) -> Option<Snapshot> {
        let latest = self.latest?;
        let current = self.current.as_ref().filter(|c| c.usable_at(latest))?;
        let fresh_until = if self.wants_fetch() {
            // A refresh should start: the next caller must come to the machine.
            latest
        } else {
            [current.usable_until, self.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or_else(|| far_future(latest))
        };
        Some(Snapshot {
            token: current.token.clone(),
            fresh_until,
            stale: self.serving_stale(),
        })
    }

    /// Whether the current token is being served *stale*: its refresh point has passed
    /// and the refresh failed (a retry or hold-off is pending), so callers get the old
    /// token while the token endpoint is out (stale-while-revalidate). `false` without a
    /// token.
    #[must_use]
    pub fn serving_stale(&self) -> bool {
        self.current.as_ref().is_some_and(|c| c.refresh_due) && !matches!(self.gate, Gate::Open)
    }

    /// The request in flight, if any.
    #[must_use]
    pub fn in_flight(&self) -> Option<FetchId> {
        self.in_flight.map(|f| f.id)
    }
}
