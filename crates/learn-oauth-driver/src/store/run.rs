//! The loops that carry out the core's [`StoreFetch`] against a store and the token
//! endpoint: one per flavour, each only doing what the core asks.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_proto::store::{StoreFetch, StoreHistory, StoreRefusal, StoreTime, StoreView};
use learn_oauth_proto::{AccessToken, ClientConfig, RefreshPolicy};

use super::adapter::{StoreError, StoreKeyNames, StoreRecord};
use super::shared_store::SharedStore;
use super::value;
use crate::lifecycle_cell::LifecycleCell;
use crate::observe;
use crate::stats::Counters;

/// One provider's use of a [`SharedStore`]: the store, this token's key names, and what
/// this replica has seen of them (the core's [`StoreHistory`]: tokens the resource
/// refused, the newest issue time, so no older value is adopted again).
pub(crate) struct StoreHandle<S: ?Sized> {
    pub(crate) shared: SharedStore<S>,
    pub(crate) keys: StoreKeyNames,
    history: Mutex<StoreHistory>,
}

impl<S: ?Sized> StoreHandle<S> {
    pub(crate) fn new(shared: SharedStore<S>, config: &ClientConfig) -> Self {
        Self {
            keys: value::key_names_for(config),
            shared,
            history: Mutex::new(StoreHistory::new()),
        }
    }

    fn history(&self) -> std::sync::MutexGuard<'_, StoreHistory> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The resource refused `token`: never adopt it from the store.
    pub(crate) fn refused(&self, token: &AccessToken) {
        self.history().handle_refused(token.clone());
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
        let history = self.history().clone();
        StoreFetch::new(policy, refresh, now, deadline, current, &history)
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

    /// What a read found, as the core sees it: the stored values opened and rebuilt at
    /// `now`, after a round trip of `rtt`. Only what opens reaches the core: a token value
    /// or cool-down marker that does not is a miss, counted and traced. The bytes read are
    /// wiped once opened.
    pub(crate) fn view(
        &self,
        config: &ClientConfig,
        counters: &Counters,
        record: StoreRecord,
        now: Instant,
        rtt: Duration,
    ) -> StoreView {
        let StoreRecord {
            token,
            cool_down,
            lease_held,
            now: store_now,
        } = record;
        let sealing = &*self.shared.sealing;
        let read = value::ReadAt { now, rtt, store_now };
        let mut view = StoreView::new(store_now);
        if let Some((bytes, ttl)) = token {
            let bytes = zeroize::Zeroizing::new(bytes);
            match value::decode(&bytes, ttl, &self.keys, sealing, read) {
                Ok((token, issued)) => view = view.with_token(token, issued),
                Err(problem) => {
                    counters.store_value_refused();
                    observe::store_value_refused(config, problem.as_str());
                }
            }
        }
        if let Some((bytes, ttl)) = cool_down {
            let bytes = zeroize::Zeroizing::new(bytes);
            match value::decode_cool_down(&bytes, ttl, &self.keys, sealing, read) {
                Ok(left) => view = view.with_cool_down(left),
                Err(problem) => {
                    counters.store_cool_down_ignored();
                    observe::store_cool_down_ignored(config, problem.as_str());
                }
            }
        }
        if lease_held {
            view = view.with_lease_held();
        }
        view
    }

    /// `token` as the value to publish, issued at `issued` and expiring at `expire_at` on
    /// the store's clock.
    pub(crate) fn encode(&self, token: &AccessToken, issued: StoreTime, expire_at: StoreTime) -> Vec<u8> {
        value::encode(token, &self.keys, &self.shared.sealing, issued, expire_at)
    }

    /// The cool-down marker to write, ending at `until` on the store's clock.
    pub(crate) fn encode_cool_down(&self, until: StoreTime) -> Vec<u8> {
        value::encode_cool_down(&self.keys, &self.shared.sealing, until)
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
                let rtt = after.saturating_duration_since(asked);
                let view = self.view(run.config, run.counters, record, after, rtt);
                run.fetch.handle_read(after, view);
                if let Some(refusal) = run.fetch.poll_refused() {
                    run.counters.store_value_refused();
                    observe::store_value_refused(run.config, refusal_reason(refusal));
                }
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

    /// The run is over: counted and traced.
    pub(crate) fn finished(&self, run: &Run<'_>) {
        self.history().merge(run.fetch.history());
        let outcome = run.fetch.outcome();
        run.counters.store_outcome(outcome);
        observe::store_outcome(run.config, outcome);
    }
}

/// Why the core refused an authentic value, for traces.
fn refusal_reason(refusal: StoreRefusal) -> &'static str {
    match refusal {
        StoreRefusal::Older => "older than a value already seen",
        _ => "refused",
    }
}
