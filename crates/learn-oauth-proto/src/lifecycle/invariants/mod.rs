//! An invariant checker for the lifecycle, shared by the property tests and the fuzz
//! target: [`Checker`] wraps a [`TokenLifecycle`], drives it through [`Event`]s on a
//! virtual clock and asserts the machine's promises after every step.
//!
//! Not part of the stable API (hidden from the docs); it panics on a broken invariant,
//! which is what a test or fuzzer wants.
//!
//! Promises checked:
//!
//! - a token is never handed out at or past its usable time (`expires_at` minus the
//!   capped safety margin, computed here independently);
//! - at most one request is in flight: `poll_fetch` never yields while one is
//!   outstanding, and ids are never reused;
//! - after `handle_timeout(t)`, `poll_timeout()` is `None` or later than `t`, and it is
//!   never earlier than the latest `now` seen;
//! - `Pending` always has a way forward (a request in flight, one to start, or a
//!   deadline);
//! - a caller that keeps asking through `poll_driver` (one call's wait) is never told to
//!   wait past `max_wait` after its first ask, and from then on gets a token or an
//!   error;
//! - a snapshot never outlives its token's usable time and agrees with `current_token`;
//! - after an invalidated token, no request starts before the cool-down after that
//!   token was received (computed here from the policy);
//! - an abandoned request stops being in flight and costs no backoff;
//! - `Debug` never shows a token value;
//! - nothing panics.
//!
//! Longer than 400 lines: one `Checker`, each input method next to the checks it runs;
//! split, a promise's bookkeeping and its assertion would sit in different files.

mod event;
mod oracle;

use std::collections::HashSet;
use std::time::Instant;

use http::StatusCode;

use event::server_error;
pub use event::{Event, Outcome};
use oracle::cooldown_end;
pub use oracle::usable_until;

use super::machine::TokenLifecycle;
use super::policy::RefreshPolicy;
use super::poll::{FetchId, TokenPoll};
use super::step::DriverStep;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::scope::Scopes;
use crate::token::AccessToken;

/// A [`TokenLifecycle`] on a virtual clock that checks every promise after every step.
#[derive(Debug)]
pub struct Checker {
    machine: TokenLifecycle,
    now: Instant,
    /// Latest `now` passed to the machine.
    latest: Instant,
    /// Requests the driver started and has not answered, oldest first.
    held: Vec<FetchId>,
    /// Requests answered.
    answered: Vec<FetchId>,
    issued: HashSet<FetchId>,
    last_handed: Option<AccessToken>,
    tokens_made: u64,
    /// No request may start before this (an invalidated token's cool-down).
    no_fetch_before: Option<Instant>,
    /// When the call that `Drive` events stand for began waiting; `None` between calls.
    waiting_since: Option<Instant>,
    /// How many requests were started.
    pub fetches: u64,
    /// How many times a token was handed out.
    pub handed_out: u64,
}

impl Checker {
    /// A checked machine whose virtual clock starts at `start`.
    pub fn new(policy: RefreshPolicy, jitter_seed: u64, start: Instant) -> Self {
        Self {
            machine: TokenLifecycle::new(policy, jitter_seed),
            now: start,
            latest: start,
            held: Vec::new(),
            answered: Vec::new(),
            issued: HashSet::new(),
            last_handed: None,
            tokens_made: 0,
            no_fetch_before: None,
            waiting_since: None,
            fetches: 0,
            handed_out: 0,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &TokenLifecycle {
        &self.machine
    }

    /// The virtual clock.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Applies `event` and checks every invariant.
    pub fn apply(&mut self, event: &Event) {
        let now = self.now;
        match event {
            Event::Ask => {
                let _ = self.poll_token(now);
            }
            Event::Drive => {
                let _ = self.poll_driver(now);
            }
            Event::PollFetch => {
                let _ = self.poll_fetch(now);
            }
            Event::Respond(outcome) => {
                if let Some(id) = self.held.pop() {
                    let result = self.outcome(outcome);
                    self.handle_response(now, id, result);
                }
            }
            Event::RespondStale(outcome) => {
                if let Some(&id) = self.answered.last() {
                    let result = self.outcome(outcome);
                    self.handle_response(now, id, result);
                }
            }
            Event::Advance(by) => {
                if let Some(t) = now.checked_add(*by) {
                    self.now = t;
                }
                self.handle_timeout(self.now);
            }
            Event::JumpToTimeout => {
                if let Some(t) = self.machine.poll_timeout() {
                    self.now = self.now.max(t);
                }
                self.handle_timeout(self.now);
            }
            Event::Rewind(by) => {
                let earlier = now.checked_sub(*by).unwrap_or(now);
                let _ = self.poll_token(earlier);
            }
            Event::Invalidate => {
                if let Some(token) = self.last_handed.clone() {
                    self.handle_invalidate(now, &token);
                }
            }
            Event::Abandon => {
                if let Some(id) = self.held.pop() {
                    self.handle_abandoned(now, id);
                }
            }
        }
    }

    /// `poll_token` for a caller asking for the first time, checked.
    pub fn poll_token(&mut self, now: Instant) -> TokenPoll {
        let poll = self.machine.poll_token(now, now);
        let now = self.observe(now);
        match &poll {
            TokenPoll::Ready(token) => self.check_handed(now, token),
            TokenPoll::Pending => self.check_way_forward(),
            TokenPoll::Failed(_) => assert!(
                self.machine.current_token(now).is_none(),
                "failed with a usable token"
            ),
        }
        self.check();
        poll
    }

    /// `poll_driver` for the one call that `Drive` events stand for (it keeps waiting
    /// across asks until it gets a token or an error), checked.
    pub fn poll_driver(&mut self, now: Instant) -> DriverStep {
        let before = self.machine.in_flight();
        let since = *self.waiting_since.get_or_insert(now);
        let step = self.machine.poll_driver(now, since);
        let now = self.observe(now);
        let bound = self.machine.wait_deadline(since);
        match &step {
            DriverStep::Ready { .. } | DriverStep::Failed(_) => self.waiting_since = None,
            DriverStep::Fetch(_) | DriverStep::AwaitFetch(_) | DriverStep::Sleep(_) => assert!(
                bound.is_none_or(|bound| now < bound),
                "a caller still waits at {now:?}, its wait ended at {bound:?}"
            ),
        }
        if let DriverStep::AwaitFetch(until) | DriverStep::Sleep(until) = &step {
            assert!(
                bound.is_none_or(|bound| *until <= bound),
                "a caller told to wait until {until:?}, past its wait's end {bound:?}"
            );
        }
        match &step {
            DriverStep::Ready { token, refresh } => {
                self.check_handed(now, token);
                if let Some(id) = refresh {
                    self.check_started(before, *id);
                }
            }
            DriverStep::Fetch(id) => {
                assert!(
                    self.machine.current_token(now).is_none(),
                    "fetch while a usable token exists"
                );
                self.check_started(before, *id);
            }
            DriverStep::AwaitFetch(until) => {
                assert!(self.machine.in_flight().is_some(), "await with nothing in flight");
                assert!(*until > now, "await until the past");
            }
            DriverStep::Sleep(until) => assert!(*until > now, "sleep until the past"),
            DriverStep::Failed(_) => assert!(
                self.machine.current_token(now).is_none(),
                "failed with a usable token"
            ),
        }
        self.check();
        step
    }

    /// `poll_fetch`, checked.
    pub fn poll_fetch(&mut self, now: Instant) -> Option<FetchId> {
        let before = self.machine.in_flight();
        let fetch = self.machine.poll_fetch(now);
        self.observe(now);
        if let Some(id) = fetch {
            self.check_started(before, id);
        }
        self.check();
        fetch
    }

    /// `handle_response`, checked.
    pub fn handle_response(&mut self, now: Instant, fetch: FetchId, result: Result<AccessToken, Error>) {
        let was_in_flight = self.machine.in_flight() == Some(fetch);
        let before = self.machine.in_flight();
        self.machine.handle_response(now, fetch, result);
        self.observe(now);
        self.held.retain(|&id| id != fetch);
        self.answered.push(fetch);
        let after = self.machine.in_flight();
        if was_in_flight {
            assert_eq!(after, None, "the answered request is still in flight");
        } else {
            assert!(
                after.is_none() || after == before,
                "a stale answer changed the request in flight"
            );
        }
        self.check();
    }

    /// `handle_timeout`, checked.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.machine.handle_timeout(now);
        let now = self.observe(now);
        if let Some(next) = self.machine.poll_timeout() {
            assert!(
                next > now,
                "poll_timeout {next:?} not after handle_timeout({now:?})"
            );
        }
        self.check();
    }

    /// `handle_invalidate`, checked.
    pub fn handle_invalidate(&mut self, now: Instant, token: &AccessToken) -> bool {
        let dropped = self.machine.handle_invalidate(now, token);
        let now = self.observe(now);
        if let Some(current) = self.machine.current_token(now) {
            assert!(!current.same_as(token), "an invalidated token is still current");
        }
        assert!(
            !self.machine.handle_invalidate(now, token),
            "a token was dropped twice"
        );
        if dropped {
            self.no_fetch_before = cooldown_end(self.machine.policy(), token);
        }
        self.check();
        dropped
    }

    /// `handle_abandoned`, checked: the request is no longer in flight, and nothing was
    /// scheduled because of it (no retry, no hold-off).
    pub fn handle_abandoned(&mut self, now: Instant, fetch: FetchId) {
        let was_in_flight = self.machine.in_flight() == Some(fetch);
        let before = self.machine.poll_timeout();
        self.machine.handle_abandoned(now, fetch);
        let now = self.observe(now);
        self.held.retain(|&id| id != fetch);
        self.answered.push(fetch);
        if was_in_flight {
            assert_eq!(
                self.machine.in_flight(),
                None,
                "the abandoned request is still in flight"
            );
            if let Some(after) = self.machine.poll_timeout() {
                assert!(
                    before.is_some_and(|b| after >= b) || after > now,
                    "abandoning scheduled something new"
                );
            }
        }
        self.check();
    }

    /// The checks that hold between any two steps.
    pub fn check(&self) {
        let latest = self.latest;
        if let Some(next) = self.machine.poll_timeout() {
            assert!(
                next > latest,
                "poll_timeout {next:?} not after the latest now {latest:?}"
            );
        }
        let current = self.machine.current_token(latest);
        match (self.machine.snapshot(), current) {
            (Some(snapshot), Some(current)) => {
                assert!(snapshot.token().same_as(current), "snapshot of another token");
                if let Some(until) = usable_until(self.machine.policy(), current) {
                    assert!(
                        snapshot.fresh_until() <= until,
                        "snapshot fresh past the usable time"
                    );
                }
                if self.machine.wants_fetch() {
                    assert!(
                        snapshot.token_if_fresh(latest).is_none(),
                        "snapshot hides a due refresh"
                    );
                }
            }
            (None, None) => {}
            (snapshot, current) => panic!("snapshot {snapshot:?} disagrees with current token {current:?}"),
        }
        if self.machine.has_demand() {
            assert!(current.is_none(), "demand registered while a usable token exists");
        }
        if let Some(token) = &self.last_handed {
            let debug = format!("{:?}", self.machine);
            assert!(!debug.contains(token.expose_secret()), "Debug shows a token");
        }
    }

    fn observe(&mut self, now: Instant) -> Instant {
        self.latest = self.latest.max(now);
        self.latest
    }

    fn check_handed(&mut self, now: Instant, token: &AccessToken) {
        if let Some(until) = usable_until(self.machine.policy(), token) {
            assert!(
                now < until,
                "token handed out at {now:?}, usable only until {until:?}"
            );
        }
        if token.received_at().checked_add(token.lifetime()).is_some() {
            assert!(!token.is_expired(now), "expired token handed out");
        }
        let current = self.machine.current_token(now);
        assert!(
            current.is_some_and(|c| c.same_as(token)),
            "handed out a token that is not current"
        );
        self.last_handed = Some(token.clone());
        self.handed_out += 1;
    }

    fn check_started(&mut self, before: Option<FetchId>, id: FetchId) {
        assert_eq!(before, None, "a second request while {before:?} is in flight");
        assert_eq!(
            self.machine.in_flight(),
            Some(id),
            "the new request is not in flight"
        );
        assert!(self.issued.insert(id), "request id {id:?} reused");
        if let Some(until) = self.no_fetch_before {
            assert!(
                self.latest >= until,
                "a request started during an invalidation's cool-down"
            );
        }
        assert!(
            !self.machine.wants_fetch(),
            "still wants a request right after starting one"
        );
        self.held.push(id);
        self.fetches += 1;
    }

    fn check_way_forward(&self) {
        let machine = &self.machine;
        assert!(
            machine.in_flight().is_some() || machine.wants_fetch() || machine.poll_timeout().is_some(),
            "pending with nothing in flight, nothing to start and nothing scheduled"
        );
    }

    fn outcome(&mut self, outcome: &Outcome) -> Result<AccessToken, Error> {
        match outcome {
            Outcome::Token { lifetime, age } => {
                self.tokens_made += 1;
                let received_at = self.now.checked_sub(*age).unwrap_or(self.now);
                let value = format!("checker-token-{:08}", self.tokens_made);
                Ok(AccessToken::new(value, Scopes::new(), received_at, *lifetime).expect("a valid token"))
            }
            Outcome::Retryable { retry_after } => {
                let error = server_error(StatusCode::SERVICE_UNAVAILABLE);
                Err(Error::from(match retry_after {
                    Some(delay) => error.with_retry_after(*delay),
                    None => error,
                }))
            }
            Outcome::Transport => Err(Error::from(TransportError::new(TransportErrorKind::Connect))),
            Outcome::NonRetryable => Err(Error::from(server_error(StatusCode::UNAUTHORIZED))),
        }
    }
}
