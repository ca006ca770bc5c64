//! One lifecycle shared by a provider's callers and its background requests.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use arc_swap::ArcSwapOption;

use crate::config::ClientConfig;
use crate::error::Error;
use crate::lifecycle::{DriverStep, FetchId, RefreshPolicy, Snapshot, TokenLifecycle};
use crate::token::AccessToken;

/// A [`TokenLifecycle`] behind a lock, with its latest [`Snapshot`] published for a
/// lock-free warm path, the [`ClientConfig`] tokens are requested with, and the driver's
/// own state `D` (its transport, clock and wake-up primitive).
///
/// Every input that can change the current token ([`handle_response`](Self::handle_response),
/// [`handle_invalidate`](Self::handle_invalidate), and asking with
/// [`poll_driver`](Self::poll_driver) or [`poll_locked`](Self::poll_locked)) publishes a
/// new snapshot before it returns, so [`fresh_token`](Self::fresh_token) never hands out a token the lifecycle
/// has replaced or invalidated. The lock is only held inside these calls (and by the
/// guard of [`lock`](Self::lock)), never across I/O. Nothing here reads a clock: every
/// time-dependent method takes `now`.
///
/// ```
/// # #![allow(clippy::disallowed_methods)]
/// use std::time::{Duration, Instant};
/// use learn_oauth_proto::{
///     AccessToken, ClientConfig, DriverStep, RefreshPolicy, Scopes, SharedLifecycle,
/// };
///
/// let config = ClientConfig::builder().tenant_id("eu-west-2_AbcdEfghI").client_secret("s3cret").build()?;
/// let shared = SharedLifecycle::new(config, RefreshPolicy::default(), 7, ());
/// let now = Instant::now();
/// assert!(shared.fresh_token(now).is_none(), "cold");
///
/// let DriverStep::Fetch(fetch) = shared.poll_driver(now) else { unreachable!() };
/// // ... send `shared.config().token_request()`, parse the answer ...
/// let token = AccessToken::new("t0k3n".to_owned(), Scopes::new(), now, Duration::from_secs(3600))
///     .expect("a valid token");
/// shared.handle_response(now, fetch, Ok(token.clone()));
///
/// // Published: the warm path needs no lock.
/// assert!(shared.fresh_token(now).is_some_and(|t| t.same_as(&token)));
/// assert!(shared.handle_invalidate(now, &token));
/// assert!(shared.fresh_token(now).is_none(), "an invalidated token is never handed out");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SharedLifecycle<D> {
    config: ClientConfig,
    lifecycle: Mutex<TokenLifecycle>,
    snapshot: ArcSwapOption<Snapshot>,
    driver: D,
}

impl<D> SharedLifecycle<D> {
    /// A cold lifecycle for `config` with `policy` and `jitter_seed`, next to `driver`.
    #[must_use]
    pub fn new(config: ClientConfig, policy: RefreshPolicy, jitter_seed: u64, driver: D) -> Self {
        Self {
            config,
            lifecycle: Mutex::new(TokenLifecycle::new(policy, jitter_seed)),
            snapshot: ArcSwapOption::empty(),
            driver,
        }
    }

    /// The configuration tokens are requested with.
    #[must_use]
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The driver's own state.
    #[must_use]
    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// The warm path: the published token if it may be handed out at `now` without
    /// asking the lifecycle. A lock-free read and a reference-count increment.
    #[must_use]
    pub fn fresh_token(&self, now: Instant) -> Option<AccessToken> {
        let snapshot = self.snapshot.load();
        snapshot.as_deref()?.token_if_fresh(now).cloned()
    }

    /// [`TokenLifecycle::poll_driver`] under the lock: what this caller should do next.
    /// Publishes the new snapshot before returning (see [`poll_locked`](Self::poll_locked)).
    #[must_use]
    pub fn poll_driver(&self, now: Instant) -> DriverStep {
        self.poll_locked(&mut self.lock(), now)
    }

    /// [`TokenLifecycle::poll_driver`] on the guard of [`lock`](Self::lock), publishing
    /// the new snapshot before returning: asking can start a refresh or pass deadlines,
    /// and once a refresh is in flight the published token may be handed out lock-free
    /// again until the refresh reports (or times out). Without it, every caller after the
    /// refresh point would take the lock until the refresh came back.
    #[must_use]
    pub fn poll_locked(&self, lifecycle: &mut TokenLifecycle, now: Instant) -> DriverStep {
        let step = lifecycle.poll_driver(now);
        self.publish(lifecycle);
        step
    }

    /// [`TokenLifecycle::handle_response`] under the lock; publishes the new snapshot
    /// before returning. Drivers that wake waiting callers do so after this returns.
    pub fn handle_response(&self, now: Instant, fetch: FetchId, result: Result<AccessToken, Error>) {
        let mut lifecycle = self.lock();
        lifecycle.handle_response(now, fetch, result);
        self.publish(&lifecycle);
    }

    /// [`TokenLifecycle::handle_invalidate`] under the lock; publishes the new snapshot
    /// before returning. Whether `token` was the current token.
    pub fn handle_invalidate(&self, now: Instant, token: &AccessToken) -> bool {
        let mut lifecycle = self.lock();
        let current = lifecycle.handle_invalidate(now, token);
        self.publish(&lifecycle);
        current
    }

    /// The lifecycle's lock, for drivers that wait on a condition variable with it
    /// (a blocking driver asks [`TokenLifecycle::poll_driver`] and waits for a report
    /// without releasing it in between). A poisoned lock is taken over: the lifecycle
    /// keeps its invariants across panics. Don't feed inputs (`handle_*`, `poll_*`)
    /// through the guard: use this type's methods, which publish the snapshot
    /// ([`poll_locked`](Self::poll_locked) takes the guard).
    pub fn lock(&self) -> MutexGuard<'_, TokenLifecycle> {
        self.lifecycle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish(&self, lifecycle: &TokenLifecycle) {
        self.snapshot.store(lifecycle.snapshot().map(Arc::new));
    }
}

impl<D: fmt::Debug> fmt::Debug for SharedLifecycle<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLifecycle")
            .field("config", &self.config)
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}
