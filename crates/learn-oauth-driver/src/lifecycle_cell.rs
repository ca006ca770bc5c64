//! [`LifecycleCell`]: one lifecycle behind a lock, with its latest snapshot published
//! for the lock-free warm path; what a provider's callers and requests all go through.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use learn_oauth_proto::{
    AccessToken, ClientConfig, DriverStep, Error, FetchId, RefreshPolicy, ResponseOutcome, Snapshot,
    TokenLifecycle,
};

use crate::observe;
use crate::stats::{Counters, FailureClass, Stats};
use crate::usage::Usage;

/// A [`TokenLifecycle`] behind a lock, with its latest [`Snapshot`] published for a
/// lock-free warm path, and the [`ClientConfig`] tokens are requested with.
///
/// Every input that can change the current token (`handle_*`, and asking with
/// [`Locked::poll_driver`]) publishes a new snapshot
/// before it returns, so [`fresh_token`](Self::fresh_token) never hands out a token the
/// lifecycle has replaced or invalidated. The lock is only held inside these calls (and
/// by a [`Locked`] guard), never across I/O. Nothing here reads a clock.
///
/// It keeps the provider's [`Counters`] too: each input counts what the lifecycle made of
/// it, and the warm path counts a stale serve.
pub(crate) struct LifecycleCell {
    config: ClientConfig,
    lifecycle: Mutex<TokenLifecycle>,
    snapshot: ArcSwapOption<Snapshot>,
    /// The snapshot generation and a pool's use flag, in one cache line.
    hot: Hot,
    counters: Counters,
}

impl LifecycleCell {
    /// A cold lifecycle for `config` with `policy` and `jitter_seed`.
    pub(crate) fn new(config: ClientConfig, policy: RefreshPolicy, jitter_seed: u64) -> Self {
        Self {
            config,
            lifecycle: Mutex::new(TokenLifecycle::new(policy, jitter_seed)),
            snapshot: ArcSwapOption::empty(),
            hot: Hot::default(),
            counters: Counters::default(),
        }
    }

    /// How recently a pool's callers used this lifecycle's provider.
    #[inline]
    pub(crate) fn usage(&self) -> &Usage {
        &self.hot.usage
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The counters, and what is left of the published token at `now`.
    pub(crate) fn stats(&self, now: Instant) -> Stats {
        let snapshot = self.snapshot.load();
        let expires_at = snapshot.as_deref().map(|s| s.token().expires_at());
        self.counters.read(now, expires_at)
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The lifecycle's refresh policy (a copy, taken under the lock: for a request through
    /// a shared store, not the warm path).
    #[cfg(feature = "store")]
    pub(crate) fn policy(&self) -> RefreshPolicy {
        self.lock().guard.policy().clone()
    }

    /// The published token, fresh or not (a request through a shared store must not take
    /// the token it is replacing back from the store).
    #[cfg(feature = "store")]
    pub(crate) fn published_token(&self) -> Option<AccessToken> {
        self.snapshot.load().as_deref().map(|s| s.token().clone())
    }

    /// The warm path: the published token if it may be handed out at `now` without
    /// asking the lifecycle. A lock-free read and a reference-count increment.
    #[inline]
    pub(crate) fn fresh_token(&self, now: Instant) -> Option<AccessToken> {
        let snapshot = self.snapshot.load();
        let snapshot = snapshot.as_deref()?;
        let token = snapshot.token_if_fresh(now)?;
        if snapshot.is_stale() {
            self.counters.stale_served();
        }
        Some(token.clone())
    }

    /// How many snapshots have been published so far.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.hot.generation.load(Ordering::Acquire)
    }

    /// The current generation and a copy of the published snapshot, at least as new as
    /// that generation (it may be newer: then the generation has moved on and a check
    /// against it fails, which is safe).
    pub(crate) fn snapshot_copy(&self) -> (u64, Option<Arc<Snapshot>>) {
        let generation = self.generation();
        (generation, self.snapshot.load_full())
    }

    /// The result of request `fetch`, which took `took`; counted and traced.
    pub(crate) fn handle_response(
        &self,
        now: Instant,
        fetch: FetchId,
        result: Result<AccessToken, Error>,
        took: Duration,
    ) {
        let failure = result.as_ref().err().map(FailureClass::of);
        // Only the error is kept for the trace: the token goes into the lifecycle.
        let error = result.as_ref().err().cloned();
        let (outcome, stale) = self.update(|lifecycle| {
            let outcome = lifecycle.handle_response(now, fetch, result);
            (outcome, lifecycle.serving_stale())
        });
        if outcome == ResponseOutcome::Ignored {
            return;
        }
        self.counters.reported(failure, outcome);
        let result = error.as_ref().map_or(Ok(()), Err);
        observe::fetch_finished(&self.config, &result, took, outcome, now, stale);
    }

    /// Request `fetch` was abandoned (cancelled, not failed).
    pub(crate) fn handle_abandoned(&self, now: Instant, fetch: FetchId) {
        self.update(|lifecycle| lifecycle.handle_abandoned(now, fetch));
        self.counters.abandoned();
        observe::abandoned(&self.config);
    }

    /// The resource API refused `token`. Whether `token` was the current token.
    pub(crate) fn handle_invalidate(&self, now: Instant, token: &AccessToken) -> bool {
        let dropped = self.update(|lifecycle| lifecycle.handle_invalidate(now, token));
        if dropped {
            self.counters.invalidated();
            observe::invalidated(&self.config);
        }
        dropped
    }

    /// Feeds one input under the lock and publishes the new snapshot before returning.
    fn update<R>(&self, input: impl FnOnce(&mut TokenLifecycle) -> R) -> R {
        let mut locked = self.lock();
        let answer = input(&mut locked.guard);
        locked.publish();
        answer
    }

    /// The lifecycle's lock. A poisoned lock is taken over: the lifecycle keeps its
    /// invariants across panics.
    pub(crate) fn lock(&self) -> Locked<'_> {
        Locked {
            cell: self,
            guard: self.lifecycle.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// What a pool's warm hit reads of a provider besides its table's copy of the snapshot,
/// kept in one cache line: 10,000 entries do not fit in cache, and each line a hit touches
/// is a wait on memory.
#[derive(Debug, Default)]
#[repr(C, align(64))]
struct Hot {
    /// How many snapshots have been published: bumped after each one is stored, so a
    /// copy of the snapshot taken after reading generation `g` is at least the `g`-th,
    /// and an unchanged generation means no snapshot has replaced it since (a pool's
    /// table keeps such a copy for its warm path).
    generation: AtomicU64,
    /// How recently a pool's callers used the provider (unused outside a pool).
    usage: Usage,
}

/// The lifecycle's lock, tied to the [`LifecycleCell`] it belongs to: asking through it
/// publishes to that lifecycle's snapshot, never another's.
pub(crate) struct Locked<'a> {
    cell: &'a LifecycleCell,
    guard: MutexGuard<'a, TokenLifecycle>,
}

impl Locked<'_> {
    /// [`TokenLifecycle::poll_driver`], publishing the new snapshot before returning:
    /// asking can start a refresh or pass deadlines, and once a refresh is in flight the
    /// published token may be handed out lock-free again until the refresh reports (or
    /// times out). Without it, every caller after the refresh point would take the lock
    /// until the refresh came back.
    ///
    /// `since` is when the caller's call began: its wait ends `max_wait` after it. With
    /// the step comes the deadline of the request it hands out, if any (see
    /// [`TokenLifecycle::fetch_deadline`]): the transport gets no longer than that.
    pub(crate) fn poll_driver(&mut self, now: Instant, since: Instant) -> (DriverStep, Option<Instant>) {
        let step = self.guard.poll_driver(now, since);
        self.publish();
        if matches!(step, DriverStep::Ready { .. }) && self.guard.serving_stale() {
            self.cell.counters.stale_served();
        }
        let fetch = match &step {
            DriverStep::Fetch(fetch)
            | DriverStep::Ready {
                refresh: Some(fetch), ..
            } => Some(*fetch),
            _ => None,
        };
        (step, fetch.and_then(|f| self.guard.fetch_deadline(f)))
    }

    /// When the wait of a call that began at `since` ends (`None`: never).
    pub(crate) fn wait_deadline(&self, since: Instant) -> Option<Instant> {
        self.guard.wait_deadline(since)
    }

    /// Releases the lock while waiting on `condvar` for at most `wait`, then takes it
    /// again (a blocking driver waiting for a report without missing one).
    pub(crate) fn wait(self, condvar: &Condvar, wait: Duration) -> Self {
        let Self { cell, guard } = self;
        let guard = condvar
            .wait_timeout(guard, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        Self { cell, guard }
    }

    /// Stores the lifecycle's snapshot, unless it is the one already published (the same
    /// token, freshness and staleness): most calls on the slow path change nothing, and a
    /// new generation would send a pool's hits for this entry the slow way until the
    /// table's copy is renewed.
    fn publish(&self) {
        let next = self.guard.snapshot();
        let unchanged = match (self.cell.snapshot.load().as_deref(), next.as_ref()) {
            (None, None) => true,
            (Some(current), Some(next)) => {
                current.token().same_as(next.token())
                    && current.fresh_until() == next.fresh_until()
                    && current.is_stale() == next.is_stale()
            }
            _ => false,
        };
        if unchanged {
            return;
        }
        self.cell.snapshot.store(next.map(Arc::new));
        self.cell.hot.generation.fetch_add(1, Ordering::Release);
    }
}

impl fmt::Debug for LifecycleCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LifecycleCell")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use learn_oauth_proto::Scopes;

    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// Handing out a refresh publishes a new snapshot, so the token is handed out
    /// lock-free again while the refresh is in flight (and only until the refresh's
    /// timeout), instead of every caller taking the lock until the refresh comes back.
    #[test]
    fn a_lifecycle_cell_serves_lock_free_while_a_refresh_is_in_flight() {
        let config = ClientConfig::builder()
            .tenant_id("eu-west-2_AbcdEfghI")
            .client_secret("s3cret")
            .build()
            .unwrap();
        let mut policy = RefreshPolicy::default();
        policy.refresh_jitter = 0.0;
        let cell = LifecycleCell::new(config, policy.clone(), 7);
        let start = Instant::now();
        let (DriverStep::Fetch(fetch), _) = cell.lock().poll_driver(start, start) else {
            panic!("expected fetch")
        };
        let hour = secs(3600);
        let token = AccessToken::new("t0k3n".to_owned(), Scopes::new(), start, hour).unwrap();
        cell.handle_response(start, fetch, Ok(token.clone()), Duration::ZERO);
        assert!(cell.fresh_token(start).is_some(), "warm");

        // Past the refresh point: the warm path declines, the machine hands out a refresh.
        let later = start + hour - policy.refresh_ahead + secs(1);
        assert!(
            cell.fresh_token(later).is_none(),
            "the refresh point sends callers to the machine"
        );
        let (DriverStep::Ready { refresh: Some(_), .. }, Some(_)) = cell.lock().poll_driver(later, later)
        else {
            panic!("expected the token and a refresh")
        };
        // While the refresh runs, the old token is served without the lock...
        let served = cell.fresh_token(later).expect("lock-free during the refresh");
        assert!(served.same_as(&token));
        // ...but not past the refresh's timeout, when the machine must be asked again.
        assert!(cell.fresh_token(later + policy.request_timeout).is_none());
    }

    #[test]
    fn an_invalidated_token_leaves_the_warm_path_at_once() {
        let config = ClientConfig::builder()
            .tenant_id("eu-west-2_AbcdEfghI")
            .client_secret("s3cret")
            .build()
            .unwrap();
        let cell = LifecycleCell::new(config, RefreshPolicy::default(), 7);
        let now = Instant::now();
        let (DriverStep::Fetch(fetch), _) = cell.lock().poll_driver(now, now) else {
            panic!("expected fetch")
        };
        let token = AccessToken::new("t0k3n".to_owned(), Scopes::new(), now, secs(3600)).unwrap();
        cell.handle_response(now, fetch, Ok(token.clone()), Duration::ZERO);
        assert!(cell.fresh_token(now).is_some_and(|t| t.same_as(&token)));
        assert!(cell.handle_invalidate(now, &token));
        assert!(cell.fresh_token(now).is_none(), "never handed out again");
        assert!(!cell.handle_invalidate(now, &token), "dropped once");
    }
}
