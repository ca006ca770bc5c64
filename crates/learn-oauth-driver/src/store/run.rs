//! The loops that carry out the core's [`SharedFetch`] against a store and the token
//! endpoint: one per flavour, each only doing what the core asks.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_proto::store::{SharedFetch, SharedOutcome, StoreView};
use learn_oauth_proto::{AccessToken, ClientConfig, RefreshPolicy};

use super::SharedStore;
use super::adapter::{StoreError, StoreKeys, StoreRecord, StoreTime};
use super::value::{self, ValueProblem};
use crate::observe;
use crate::stats::Counters;

/// One provider's use of a [`SharedStore`]: the store, this token's key names, and the
/// last token the resource refused (never taken from the store again).
pub(crate) struct StoreHandle<S: ?Sized> {
    pub(crate) shared: SharedStore<S>,
    pub(crate) keys: StoreKeys,
    refused: Mutex<Option<AccessToken>>,
}

impl<S: ?Sized> StoreHandle<S> {
    pub(crate) fn new(shared: SharedStore<S>, config: &ClientConfig) -> Self {
        Self {
            keys: value::keys_for(config),
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
    ) -> SharedFetch {
        let policy = self.shared.policy.clone();
        if !self.breaker().allows(now) {
            return SharedFetch::bypass(policy, refresh, now, deadline);
        }
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let exclude: Vec<AccessToken> = current.into_iter().chain(refused).collect();
        SharedFetch::new(policy, refresh, now, deadline, &exclude)
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
            let encryption = self.shared.encryption.as_deref();
            let read = value::ReadAt {
                now,
                rtt,
                store_now: record.now,
            };
            match value::decode(&bytes, ttl, &self.keys, encryption, read) {
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
        value::encode(token, &self.keys, self.shared.encryption.as_deref(), at)
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

    pub(crate) fn finished(&self, config: &ClientConfig, counters: &Counters, outcome: SharedOutcome) {
        counters.store_outcome(outcome);
        observe::store_outcome(config, outcome);
    }
}

impl StoreHandle<()> {
    /// The store-clock instant `ttl` after `now`, through the latest read's `clock` (the
    /// store's time then, and when the read came back here). Early rather than late: the
    /// store read its clock before the read came back, and milliseconds are rounded
    /// down. `None` without a read (nothing is written then).
    pub(crate) fn at(clock: Option<(StoreTime, Instant)>, now: Instant, ttl: Duration) -> Option<StoreTime> {
        let (StoreTime(base), read_at) = clock?;
        let since = now.saturating_duration_since(read_at).saturating_add(ttl);
        let millis = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
        Some(StoreTime(base.saturating_add(millis)))
    }
}

fn rejected(config: &ClientConfig, problem: ValueProblem) {
    observe::store_value_rejected(config, problem.as_str());
}

/// The blocking loop.
mod blocking {
    use std::time::Instant;

    use learn_oauth_proto::store::StoreStep;
    use learn_oauth_proto::{AccessToken, Error};

    use super::StoreHandle;
    use crate::flavor::Blocking;
    use crate::provider::Shared;
    use crate::store::BlockingStore;
    use crate::transport::{SendBlocking, exchange_blocking};

    impl StoreHandle<dyn BlockingStore> {
        /// One token request for `shared` through the store, given up on at `deadline` (the
        /// lifecycle's, unchanged: a request never outlives it, nor its lease).
        pub(crate) fn fetch<T: SendBlocking>(
            &self,
            shared: &Shared<Blocking<T>>,
            deadline: Option<Instant>,
        ) -> Result<AccessToken, Error> {
            let config = shared.lifecycle.config();
            let counters = shared.lifecycle.counters();
            let start = shared.now();
            let current = shared.lifecycle.published_token();
            let mut fetch = self.start(shared.lifecycle.policy(), start, deadline, current);
            let store = &*self.shared.store;
            let owner = self.owner();
            // The store's clock as of the latest read, and when that read came back.
            let mut store_clock = None;
            loop {
                let now = shared.now();
                let op = self.op_timeout(now, deadline);
                match fetch.poll(now) {
                    StoreStep::Read => {
                        let result = store.read(&self.keys, op);
                        let after = shared.now();
                        match self.checked(config, counters, after, result) {
                            Some(record) => {
                                store_clock = record.now.map(|t| (t, after));
                                let view =
                                    self.view(config, record, after, after.saturating_duration_since(now));
                                fetch.handle_read(after, view);
                            }
                            None => fetch.handle_store_error(after),
                        }
                    }
                    StoreStep::TryLease { ttl } => {
                        let result = store.try_lease(&self.keys, owner, ttl, op);
                        let after = shared.now();
                        match self.checked(config, counters, after, result) {
                            Some(won) => fetch.handle_lease(after, won),
                            None => fetch.handle_store_error(after),
                        }
                    }
                    StoreStep::Fetch { timeout } => {
                        let result = exchange_blocking(&shared.transport, config, timeout, || shared.now());
                        fetch.handle_fetched(shared.now(), result);
                    }
                    StoreStep::Publish { token, ttl } => {
                        let Some(at) = StoreHandle::<()>::at(store_clock, now, ttl) else {
                            fetch.handle_store_error(now);
                            continue;
                        };
                        let value = self.encode(&token, at);
                        let result = store.publish(&self.keys, &value, at, owner, op);
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::CoolDown { ttl } => {
                        let Some(at) = StoreHandle::<()>::at(store_clock, now, ttl) else {
                            fetch.handle_store_error(now);
                            continue;
                        };
                        let result = store.cool_down(&self.keys, at, owner, op);
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::Release => {
                        let result = store.release(&self.keys, owner, op);
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::Sleep(until) => shared.clock.sleep_until(until),
                    StoreStep::Done(result) => {
                        self.finished(config, counters, fetch.outcome());
                        return result;
                    }
                    // A step this driver does not know: go on without the store.
                    _ => fetch.handle_store_error(now),
                }
            }
        }

        fn written<T: SendBlocking>(
            &self,
            fetch: &mut learn_oauth_proto::store::SharedFetch,
            shared: &Shared<Blocking<T>>,
            result: Result<(), crate::store::StoreError>,
        ) {
            let after = shared.now();
            let counters = shared.lifecycle.counters();
            match self.checked(shared.lifecycle.config(), counters, after, result) {
                Some(()) => fetch.handle_written(after),
                None => fetch.handle_store_error(after),
            }
        }
    }
}

/// The async loop.
#[cfg(feature = "async")]
mod asynchronous {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Poll;
    use std::time::Instant;

    use learn_oauth_proto::store::{SharedFetch, StoreStep};
    use learn_oauth_proto::{AccessToken, Error};

    use super::StoreHandle;
    use crate::flavor::Async;
    use crate::provider::Shared;
    use crate::store::{AsyncStore, StoreError, StoreErrorKind};
    use crate::transport::{SendAsync, exchange_async};

    /// `op`, cut off at `deadline` on `shared`'s clock: a hung store never holds a
    /// request longer than the policy's operation timeout, whatever the adapter does.
    async fn bounded<T: SendAsync, R>(
        shared: &Shared<Async<T>>,
        deadline: Instant,
        op: impl Future<Output = Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        let mut op = pin!(op);
        let mut timer = shared.clock.sleep_until(deadline);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = op.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            match timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(StoreError::new(StoreErrorKind::Timeout))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    impl StoreHandle<dyn AsyncStore> {
        /// One token request for `shared` through the store, given up on at `deadline` (the
        /// lifecycle's, unchanged: a request never outlives it, nor its lease).
        pub(crate) async fn fetch<T: SendAsync>(
            &self,
            shared: &Shared<Async<T>>,
            deadline: Option<Instant>,
        ) -> Result<AccessToken, Error> {
            let config = shared.lifecycle.config();
            let counters = shared.lifecycle.counters();
            let start = shared.now();
            let current = shared.lifecycle.published_token();
            let mut fetch = self.start(shared.lifecycle.policy(), start, deadline, current);
            let store = &*self.shared.store;
            let owner = self.owner();
            // The store's clock as of the latest read, and when that read came back.
            let mut store_clock = None;
            loop {
                let now = shared.now();
                let op = self.op_timeout(now, deadline);
                let cutoff = now.checked_add(op).unwrap_or(now);
                match fetch.poll(now) {
                    StoreStep::Read => {
                        let result = bounded(shared, cutoff, store.read(&self.keys, op)).await;
                        let after = shared.now();
                        match self.checked(config, counters, after, result) {
                            Some(record) => {
                                store_clock = record.now.map(|t| (t, after));
                                let view =
                                    self.view(config, record, after, after.saturating_duration_since(now));
                                fetch.handle_read(after, view);
                            }
                            None => fetch.handle_store_error(after),
                        }
                    }
                    StoreStep::TryLease { ttl } => {
                        let result =
                            bounded(shared, cutoff, store.try_lease(&self.keys, owner, ttl, op)).await;
                        let after = shared.now();
                        match self.checked(config, counters, after, result) {
                            Some(won) => fetch.handle_lease(after, won),
                            None => fetch.handle_store_error(after),
                        }
                    }
                    StoreStep::Fetch { timeout } => {
                        let result =
                            exchange_async(&shared.transport, config, timeout, || shared.now()).await;
                        fetch.handle_fetched(shared.now(), result);
                    }
                    StoreStep::Publish { token, ttl } => {
                        let Some(at) = StoreHandle::<()>::at(store_clock, now, ttl) else {
                            fetch.handle_store_error(now);
                            continue;
                        };
                        let value = self.encode(&token, at);
                        let result =
                            bounded(shared, cutoff, store.publish(&self.keys, &value, at, owner, op)).await;
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::CoolDown { ttl } => {
                        let Some(at) = StoreHandle::<()>::at(store_clock, now, ttl) else {
                            fetch.handle_store_error(now);
                            continue;
                        };
                        let result =
                            bounded(shared, cutoff, store.cool_down(&self.keys, at, owner, op)).await;
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::Release => {
                        let result = bounded(shared, cutoff, store.release(&self.keys, owner, op)).await;
                        self.written(&mut fetch, shared, result);
                    }
                    StoreStep::Sleep(until) => shared.clock.sleep_until(until).await,
                    StoreStep::Done(result) => {
                        self.finished(config, counters, fetch.outcome());
                        return result;
                    }
                    // A step this driver does not know: go on without the store.
                    _ => fetch.handle_store_error(now),
                }
            }
        }

        fn written<T: SendAsync>(
            &self,
            fetch: &mut SharedFetch,
            shared: &Shared<Async<T>>,
            result: Result<(), StoreError>,
        ) {
            let after = shared.now();
            let counters = shared.lifecycle.counters();
            match self.checked(shared.lifecycle.config(), counters, after, result) {
                Some(()) => fetch.handle_written(after),
                None => fetch.handle_store_error(after),
            }
        }
    }
}
