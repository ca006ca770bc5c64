//! [`StoreFetch`]: one token request coordinated through a shared store.

use std::time::{Duration, Instant};

use self::cool_down::{cool_down_error, fleet_cool_down};
use super::clock::{ReadClock, StoreTime};
use super::history::{StoreHistory, StoreRefusal};
use super::policy::StorePolicy;
use super::view::{StoreOutcome, StoreStep, StoreView};
use crate::error::Error;
use crate::lifecycle::RefreshPolicy;
use crate::token::AccessToken;

#[derive(Debug, Clone)]
enum State {
    Read,
    Lease,
    Wait(Instant),
    Fetch,
    Write(Write),
    Done,
}

#[derive(Debug, Clone, Copy)]
enum Write {
    Publish,
    CoolDown(Duration),
    Release,
}

/// One token request coordinated through a store shared by many replicas (processes,
/// pods), so that the fleet makes about one request per refresh period instead of one
/// per replica. A deterministic state machine: it never reads a clock and performs no
/// I/O; the driver carries out its [`StoreStep`]s against a store (Redis, for one) and
/// the token endpoint, and reports back.
///
/// The lifecycle still decides *when* a token is wanted ([`TokenLifecycle`] hands out a
/// request); a driver with a store then runs one `StoreFetch` for that request instead
/// of calling the token endpoint directly, and reports its result as the request's:
///
/// ```text
///   Read --peer's token, fresh, not older than one seen--> Done(Ok)   (adopted)
///    |  --cool-down running--> Done(Err 429)          (the fleet waits it out)
///    |  --lease held--> AwaitPublish --published or timer--> Read ...   (bounded)
///    |  --free--> TryLease --won--> Fetch --ok--> Publish --> Done(Ok)
///    |                 |                 --429/503 + Retry-After--> CoolDown --> Done(Err)
///    |                 |                 --error--> Release --> Done(Err)
///    |                 +--lost--> AwaitPublish --> Read ...
///    +-- waited long enough, or any store error --> Fetch alone --> Done
/// ```
///
/// A retryable failure (or a cool-down) hands out a peer's token read past its refresh
/// point but still usable, as the lifecycle serves its own stale one.
///
/// The lease is an efficiency lease, not a lock: client credentials have no rotating
/// refresh token, so two replicas fetching at once cost one extra request and break
/// nothing. Hence the fallbacks: a replica waits for a peer at most
/// [`StorePolicy::peer_wait`] (and never more than half of its request's deadline), and
/// any store failure sends it to the token endpoint on its own. A peer's token is taken
/// only if it is not the token being replaced (or one the resource refused), was not
/// issued before a value this replica has already seen for the key ([`StoreHistory`]),
/// and has more life left than any replica's refresh window, so adopting it never starts
/// another refresh. The driver opens the store's sealed values: what reaches here is authentic.
///
/// ```
/// # #![allow(clippy::disallowed_methods)]
/// use std::time::{Duration, Instant};
/// use learn_oauth_proto::{AccessToken, RefreshPolicy, Scopes};
/// use learn_oauth_proto::store::{StoreFetch, StoreHistory, StorePolicy, StoreStep, StoreTime, StoreView};
///
/// let now = Instant::now();
/// let deadline = now + Duration::from_secs(60);
/// let history = StoreHistory::new();
/// let mut fetch = StoreFetch::new(StorePolicy::default(), RefreshPolicy::default(), now, Some(deadline), None, &history);
/// assert!(matches!(fetch.poll(now), StoreStep::Read));
/// // A peer published a token an hour long a minute ago (the store's clock reads 1 000 000 ms now).
/// let peer = AccessToken::new("t0k3n".into(), Scopes::new(), now - Duration::from_secs(60), Duration::from_secs(3600)).unwrap();
/// let view = StoreView::new(Some(StoreTime(1_000_000))).with_token(peer.clone(), StoreTime(940_000));
/// fetch.handle_read(now, view);
/// let StoreStep::Done(Ok(token)) = fetch.poll(now) else { panic!("adopted") };
/// assert!(token.same_as(&peer));
/// ```
///
/// [`TokenLifecycle`]: crate::TokenLifecycle
#[derive(Debug)]
pub struct StoreFetch {
    policy: StorePolicy,
    refresh: RefreshPolicy,
    state: State,
    deadline: Option<Instant>,
    /// No waiting for a peer after this.
    wait_until: Instant,
    /// The token being replaced: never adopted from the store.
    replacing: Option<AccessToken>,
    /// What this replica has seen of the key: refused tokens, the newest issue time.
    history: StoreHistory,
    /// The store's clock, from the latest read.
    clock: Option<ReadClock>,
    /// The issue time of the value last asked to be published.
    publishing: Option<StoreTime>,
    /// A peer's token read from the store, still usable but due for a refresh: the
    /// result instead of a retryable failure of this request.
    fallback: Option<AccessToken>,
    /// An authentic value the latest read refused, not yet drained.
    refusal: Option<StoreRefusal>,
    leased: bool,
    polls: u32,
    /// Cleared by a store error: the rest of this request goes without the store.
    use_store: bool,
    result: Option<Result<AccessToken, Error>>,
    outcome: StoreOutcome,
}

impl StoreFetch {
    /// A coordinated request started at `now` for a request whose deadline is `deadline`
    /// (the lifecycle's [`fetch_deadline`](crate::TokenLifecycle::fetch_deadline)),
    /// replacing `replacing` (the current token being refreshed: never taken from the
    /// store), starting from what this replica has seen of the key (`history`: tokens the
    /// resource refused, the newest issue time). The refresh policy is the lifecycle's, to
    /// tell a peer's token worth taking from one about to be refreshed.
    #[must_use]
    pub fn new(
        policy: StorePolicy,
        refresh: RefreshPolicy,
        now: Instant,
        deadline: Option<Instant>,
        replacing: Option<AccessToken>,
        history: &StoreHistory,
    ) -> Self {
        // Without a deadline from the lifecycle, the policy's request timeout from now: every
        // later step then measures against one fixed instant (the lease outlives it).
        let deadline = deadline.or_else(|| now.checked_add(refresh.request_timeout));
        let by_policy = now.checked_add(policy.peer_wait).unwrap_or(now);
        let half_deadline = deadline.map(|d| {
            let half = d.saturating_duration_since(now) / 2;
            now.checked_add(half).unwrap_or(now)
        });
        let wait_until = half_deadline.map_or(by_policy, |h| h.min(by_policy));
        Self {
            policy,
            refresh,
            state: State::Read,
            deadline,
            wait_until,
            replacing,
            history: history.clone(),
            clock: None,
            publishing: None,
            fallback: None,
            refusal: None,
            leased: false,
            polls: 0,
            use_store: true,
            result: None,
            outcome: StoreOutcome::Running,
        }
    }

    /// A request that bypasses the store (its breaker is open): it goes straight to the
    /// token endpoint and writes nothing.
    #[must_use]
    pub fn bypass(
        policy: StorePolicy,
        refresh: RefreshPolicy,
        now: Instant,
        deadline: Option<Instant>,
    ) -> Self {
        let mut fetch = Self::new(policy, refresh, now, deadline, None, &StoreHistory::new());
        fetch.use_store = false;
        fetch.state = State::Fetch;
        fetch
    }

    /// What to do next at `now`. Asking again before answering asks for the same step.
    #[must_use]
    pub fn poll(&mut self, now: Instant) -> StoreStep {
        match &self.state {
            State::Read => StoreStep::Read,
            State::Lease => StoreStep::TryLease {
                ttl: self.time_left(now).saturating_add(self.policy.lease_margin),
            },
            State::Wait(until) if now < *until => StoreStep::AwaitPublish { until: *until },
            State::Wait(_) => {
                self.state = State::Read;
                StoreStep::Read
            }
            State::Fetch => StoreStep::Fetch {
                timeout: self.time_left(now),
            },
            State::Write(Write::Publish) => match (&self.result, self.clock) {
                (Some(Ok(token)), Some(clock)) => {
                    let issued = self.history.next_issue(clock.at(now, Duration::ZERO));
                    self.publishing = Some(issued);
                    StoreStep::Publish {
                        token: token.clone(),
                        issued,
                        expire_at: clock.at(now, token.expires_at().saturating_duration_since(now)),
                    }
                }
                _ => StoreStep::Release,
            },
            State::Write(Write::CoolDown(ttl)) => match self.clock {
                Some(clock) => StoreStep::CoolDown {
                    until: clock.at(now, *ttl),
                },
                None => StoreStep::Release,
            },
            State::Write(Write::Release) => StoreStep::Release,
            State::Done => StoreStep::Done(self.result.clone().unwrap_or_else(|| Err(Self::lost()))),
        }
    }

    /// The result of [`StoreStep::Read`] at `now`.
    pub fn handle_read(&mut self, now: Instant, view: StoreView) {
        if !matches!(self.state, State::Read) {
            return;
        }
        self.clock = view.clock.map(|store| ReadClock { store, local: now });
        let token = view.token.and_then(|(token, issued)| {
            if self.history.is_older(issued) {
                self.refusal = Some(StoreRefusal::Older);
                return None;
            }
            self.history.saw(issued);
            Some(token)
        });
        let (adopt, due): (Option<AccessToken>, _) = match token {
            Some(t) if self.worth_adopting(now, &t) => (Some(t), None),
            other => (None, other.filter(|t| self.usable_fallback(now, t))),
        };
        self.fallback = due.or(self.fallback.take());
        if let Some(token) = adopt {
            self.finish(Ok(token), StoreOutcome::Adopted);
        } else if let Some(ttl) = view.cool_down.filter(|d| !d.is_zero()) {
            // Never longer than this replica would honour a Retry-After itself (a planted
            // or foreign cool-down cannot stop the fleet for longer).
            let ttl = ttl.min(self.refresh.max_retry_after);
            match self.fallback.take() {
                Some(stale) => self.finish(Ok(stale), StoreOutcome::Adopted),
                None => self.finish(Err(cool_down_error(ttl)), StoreOutcome::CooledDown),
            }
        } else if view.lease_held {
            self.wait_for_peer(now);
        } else {
            self.state = State::Lease;
        }
    }

    /// The result of [`StoreStep::TryLease`] at `now`: whether this replica got it.
    pub fn handle_lease(&mut self, now: Instant, won: bool) {
        if !matches!(self.state, State::Lease) {
            return;
        }
        if won {
            self.leased = true;
            self.state = State::Fetch;
        } else {
            self.wait_for_peer(now);
        }
    }

    /// The result of [`StoreStep::Fetch`]: the token endpoint's answer, parsed. A
    /// retryable failure while the store held a peer's token past its refresh point but
    /// still usable hands out that token instead (adopted stale, as the lifecycle serves
    /// its own while the endpoint is out); what the failure asks of the store (a
    /// cool-down, the release) is still written.
    pub fn handle_fetched(&mut self, now: Instant, result: Result<AccessToken, Error>) {
        if !matches!(self.state, State::Fetch) {
            return;
        }
        self.outcome = if self.leased {
            StoreOutcome::FetchedWithLease
        } else {
            StoreOutcome::FetchedAlone
        };
        // Writes are timed by the store's clock: without a reading of it, only a release.
        let timed = self.clock.is_some();
        let write = match &result {
            _ if !self.use_store => None,
            Ok(_) if timed => Some(Write::Publish),
            Ok(_) => self.leased.then_some(Write::Release),
            Err(error) => match fleet_cool_down(error).map(|d| d.min(self.refresh.max_retry_after)) {
                Some(ttl) if timed => Some(Write::CoolDown(ttl)),
                _ if self.leased => Some(Write::Release),
                _ => None,
            },
        };
        self.result = Some(self.or_stale(now, result));
        self.state = write.map_or(State::Done, State::Write);
    }

    /// A [`StoreStep::Publish`], [`StoreStep::CoolDown`] or [`StoreStep::Release`] is done.
    pub fn handle_written(&mut self, _now: Instant) {
        if matches!(self.state, State::Write(_)) {
            self.wrote();
            self.state = State::Done;
        }
    }

    /// A published value counts as seen, whether its write was answered or failed (it
    /// may have landed): an older one written back later is refused.
    fn wrote(&mut self) {
        if let Some(issued) = self.publishing.take() {
            self.history.saw(issued);
        }
    }

    /// The store operation just asked for failed or took longer than
    /// [`StorePolicy::op_timeout`]: the rest of this request goes without the store (a
    /// token already fetched is still the result).
    pub fn handle_store_error(&mut self, _now: Instant) {
        self.use_store = false;
        match self.state {
            State::Write(_) => {
                self.wrote();
                self.state = State::Done;
            }
            State::Read | State::Lease | State::Wait(_) => self.state = State::Fetch,
            State::Fetch | State::Done => {}
        }
    }

    /// An authentic value the latest [`handle_read`](Self::handle_read) refused, if any
    /// (once: draining it clears it), for the driver's counters and traces.
    #[must_use]
    pub fn poll_refused(&mut self) -> Option<StoreRefusal> {
        self.refusal.take()
    }

    /// What this request has seen of the key, on top of the history it started from:
    /// merge it into the replica's [`StoreHistory`] when the request is done.
    #[must_use]
    pub fn history(&self) -> &StoreHistory {
        &self.history
    }

    /// How it ended (or [`StoreOutcome::Running`]).
    #[must_use]
    pub fn outcome(&self) -> StoreOutcome {
        self.outcome
    }

    /// Whether this replica holds the lease (it won it and has not released it).
    #[must_use]
    pub fn holds_lease(&self) -> bool {
        self.leased && !matches!(self.state, State::Done)
    }

    fn finish(&mut self, result: Result<AccessToken, Error>, outcome: StoreOutcome) {
        self.result = Some(result);
        self.outcome = outcome;
        self.state = State::Done;
    }

    fn wait_for_peer(&mut self, now: Instant) {
        if now >= self.wait_until {
            self.state = State::Fetch;
            return;
        }
        let pause = self.policy.pause(self.polls);
        self.polls = self.polls.saturating_add(1);
        let until = now
            .checked_add(pause)
            .map_or(self.wait_until, |t| t.min(self.wait_until));
        self.state = State::Wait(until);
    }

    /// Whether `token` from the store may be handed out instead of requesting one: not
    /// the one being replaced nor one the resource refused (compared by value), and with
    /// more life left than this replica's widest refresh window (a fleet shares one
    /// policy, so that is every replica's).
    fn worth_adopting(&self, now: Instant, token: &AccessToken) -> bool {
        // By value: a token read back from the store is a new handle on the same text.
        if self.replacing.as_ref() == Some(token) || self.history.is_refused(token) {
            return false;
        }
        let left = token.expires_at().saturating_duration_since(now);
        left > self.refresh.widest_refresh_window(token.lifetime())
    }

    /// Until the request's deadline (the lifecycle's request timeout when there is none).
    fn time_left(&self, now: Instant) -> Duration {
        self.deadline
            .map_or(self.refresh.request_timeout, |d| d.saturating_duration_since(now))
            .max(crate::lifecycle::MIN_DELAY)
    }

    /// Done without a result: cannot happen through the public API.
    fn lost() -> Error {
        Error::from(crate::error::TransportError::new(
            crate::error::TransportErrorKind::Other,
        ))
    }
}

mod cool_down;
mod published;
mod stale;
#[cfg(test)]
mod tests;
