//! The loops that carry out the core's [`StoreFetch`] against a store and the token
//! endpoint: one per flavour, each only doing what the core asks.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_proto::store::{StoreFetch, StoreView};
use learn_oauth_proto::{AccessToken, ClientConfig, RefreshPolicy};

use super::adapter::{StoreError, StoreKeyNames, StoreRecord, StoreTime};
use super::shared_store::SharedStore;
use super::value::{self, ValueProblem};
use crate::lifecycle_cell::LifecycleCell;
use crate::observe;
use crate::stats::Counters;

/// One provider's use of a [`SharedStore`]: the store, this token's key names, and the
/// last token the resource refused (never taken from the store again).
pub(crate) struct StoreHandle<S: ?Sized> {
    pub(crate) shared: SharedStore<S>,
    pub(crate) keys: StoreKeyNames,
    refused: Mutex<Option<AccessToken>>,
}

impl<S: ?Sized> StoreHandle<S> {
    pub(crate) fn new(shared: SharedStore<S>, config: &ClientConfig) -> Self {
        Self {
            keys: value::key_names_for(config),
            shared,
            refused: Mutex::new(None),
        }
    }

    /// The resource refused `token`: never adopt it from the store.
    pub(crate) fn refused(&self, token: &AccessToken) {
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
    }

    /// The core's machine for one request at `now` with `deadline`, replacing `current`
    /// (bypassing the store while its breaker is open).
    pub(crate) fn start(
        &self,
        refresh: RefreshPolicy,
        now: Instant,
        deadline: Option<Instant>,
        current: Option<AccessToken>,
    ) -> StoreFetch {
        let policy = self.shared.policy.clone();
        if !self.breaker().allows(now) {
            return StoreFetch::bypass(policy, refresh, now, deadline);
        }
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let exclude: Vec<AccessToken> = current.into_iter().chain(refused).collect();
        StoreFetch::new(policy, refresh, now, deadline, &exclude)
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, learn_oauth_proto::store::StoreBreaker> {
        self.shared
            .state
            .breaker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Feeds a store operation's outcome to the breaker and the counters: the value if
    /// it succeeded.
    pub(crate) fn checked<R>(
        &self,
        config: &ClientConfig,
        counters: &Counters,
        now: Instant,
        result: Result<R, StoreError>,
    ) -> Option<R> {
        match result {
            Ok(value) => {
                self.breaker().handle_success();
                Some(value)
            }
            Err(error) => {
                counters.store_error();
                let opened = self.breaker().handle_failure(now, &self.shared.policy);
                observe::store_failed(config, &error, opened);
                None
            }
        }
    }

    /// What a read found, as the core sees it: the stored value opened and rebuilt at
    /// `now`, after a round trip of `rtt` (a value that does not open is a miss, traced).
    pub(crate) fn view(
        &self,
        config: &ClientConfig,
        record: StoreRecord,
        now: Instant,
        rtt: Duration,
    ) -> StoreView {
        let token = record.token.and_then(|(bytes, ttl)| {
            let sealing = self.shared.sealing.as_deref();
            let read = value::ReadAt {
                now,
                rtt,
                store_now: record.now,
            };
            match value::decode(&bytes, ttl, &self.keys, sealing, read) {
                Ok(token) => Some(token),
                Err(problem) => {
                    rejected(config, problem);
                    None
                }
            }
        });
        StoreView::new(token, record.cool_down, record.lease_held)
    }

    /// `token` as the value to publish, expiring at `at` on the store's clock.
    pub(crate) fn encode(&self, token: &AccessToken, at: StoreTime) -> Vec<u8> {
        value::encode(token, &self.keys, self.shared.sealing.as_deref(), at)
    }

    /// How long a store operation at `now` may take: the policy's `op_timeout`, and no
    /// longer than what is left of the request's `deadline` (a store answer after it would
    /// be ignored, and a token fetched in time would be lost waiting for it).
    pub(crate) fn op_timeout(&self, now: Instant, deadline: Option<Instant>) -> Duration {
        let left = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(now));
        self.shared
            .policy
            .op_timeout
            .min(left)
            .max(Duration::from_millis(1))
    }

    pub(crate) fn owner(&self) -> &str {
        &self.shared.state.owner
    }
}

/// One request's way through the store, whatever the flavour: the core's machine, and
/// what the loop has learned on the way. The loops only carry out the machine's steps;
/// what an answer means is handled here, once.
pub(crate) struct Run<'a> {
    pub(crate) fetch: StoreFetch,
    config: &'a ClientConfig,
    counters: &'a Counters,
    /// The store's clock as of the latest read, and when that read came back.
    store_clock: Option<(StoreTime, Instant)>,
}

impl<S: ?Sized> StoreHandle<S> {
    /// A run for one request starting at `now`, given up on at `deadline`.
    pub(crate) fn begin<'a>(
        &self,
        lifecycle: &'a LifecycleCell,
        now: Instant,
        deadline: Option<Instant>,
    ) -> Run<'a> {
        let fetch = self.start(lifecycle.policy(), now, deadline, lifecycle.published_token());
        Run {
            fetch,
            config: lifecycle.config(),
            counters: lifecycle.counters(),
            store_clock: None,
        }
    }

    /// A read asked at `asked` was answered at `after`.
    pub(crate) fn read_answered(
        &self,
        run: &mut Run<'_>,
        asked: Instant,
        after: Instant,
        result: Result<StoreRecord, StoreError>,
    ) {
        match self.checked(run.config, run.counters, after, result) {
            Some(record) => {
                run.store_clock = record.now.map(|t| (t, after));
                let view = self.view(run.config, record, after, after.saturating_duration_since(asked));
                run.fetch.handle_read(after, view);
            }
            None => run.fetch.handle_store_error(after),
        }
    }

    /// A lease attempt was answered at `after`.
    pub(crate) fn lease_answered(&self, run: &mut Run<'_>, after: Instant, result: Result<bool, StoreError>) {
        match self.checked(run.config, run.counters, after, result) {
            Some(won) => run.fetch.handle_lease(after, won),
            None => run.fetch.handle_store_error(after),
        }
    }

    /// A write (publish, cool-down, release) was answered at `after`.
    pub(crate) fn written(&self, run: &mut Run<'_>, after: Instant, result: Result<(), StoreError>) {
        match self.checked(run.config, run.counters, after, result) {
            Some(()) => run.fetch.handle_written(after),
            None => run.fetch.handle_store_error(after),
        }
    }

    /// The store-clock instant `ttl` after `now`, through the latest read (the store's
    /// time then, and when the read came back here). Early rather than late: the store
    /// read its clock before the read came back, and milliseconds are rounded down.
    /// Without a read, nothing can be written: the run goes on without the store.
    pub(crate) fn write_at(&self, run: &mut Run<'_>, now: Instant, ttl: Duration) -> Option<StoreTime> {
        let Some((StoreTime(base), read_at)) = run.store_clock else {
            run.fetch.handle_store_error(now);
            return None;
        };
        let since = now.saturating_duration_since(read_at).saturating_add(ttl);
        let millis = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
        Some(StoreTime(base.saturating_add(millis)))
    }

    /// The run is over: counted and traced.
    pub(crate) fn finished(&self, run: &Run<'_>) {
        let outcome = run.fetch.outcome();
        run.counters.store_outcome(outcome);
        observe::store_outcome(run.config, outcome);
    }
}

fn rejected(config: &ClientConfig, problem: ValueProblem) {
    observe::store_value_rejected(config, problem.as_str());
}
