//! The provider: one lifecycle shared by many callers, whatever the flavour. What both
//! flavours do alike is here; their waiting loops are in `runtime/blocking/provider.rs`
//! and `runtime/asynchronous/provider.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use learn_oauth_proto::{AccessToken, ClientConfig, Error, FetchId, RefreshPolicy};

use crate::clock::{Clock, random_seed};
use crate::lifecycle_cell::LifecycleCell;
use crate::observe;
use crate::options::TransportOptions;
use crate::runtime::Flavor;
use crate::runtime::imp::FlavorImpl;
use crate::stats::Stats;
#[cfg(feature = "store")]
use crate::store::{SharedStore, StoreHandle};
use crate::transport::BuildError;
use crate::usage::Usage;

/// Hands out access tokens to any number of callers, fetching one only when needed.
///
/// One type for every transport: `Provider<Blocking<T>>` for threads over a
/// [`SendBlocking`](crate::SendBlocking) transport, `Provider<Async<T>>` for Tokio tasks
/// over a `SendAsync` one (feature `async`). The transport crates name theirs
/// `TokenProvider`. Every decision — when to fetch, refresh ahead, back off, honour
/// `Retry-After`, give up — is the core's
/// [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle); this type moves bytes and waits:
///
/// - **Warm path**: while the current token is fresh, `token()` is a clock read, a
///   lock-free load and a reference-count increment: no lock, no allocation.
/// - **Single flight**: however many callers ask on a cold cache, one request goes out
///   and they all get its result.
/// - **Refresh ahead**: near expiry one background request refreshes the token while
///   callers keep getting the current one without waiting.
/// - **No lock across I/O**: the lifecycle's lock is only held to ask it what to do.
///
/// Cheap to clone and share (`Clone + Send + Sync`, one reference count).
pub struct Provider<F: Flavor> {
    pub(crate) inner: Arc<Inner<F>>,
}

/// What a provider's handles, callers and requests hold in common.
pub(crate) struct Inner<F: Flavor> {
    pub(crate) lifecycle: LifecycleCell,
    pub(crate) transport: F::Transport,
    pub(crate) clock: Arc<F::Clock>,
    /// The fleet's shared store, if any: consulted only when a token is requested (boxed:
    /// a provider without one, a pool entry say, pays one pointer for it; nothing without
    /// the `store` feature).
    #[cfg(feature = "store")]
    pub(crate) store: Option<Box<StoreHandle<F::Store>>>,
    /// Woken whenever a request has been reported.
    pub(crate) signal: <F as FlavorImpl>::Signal,
    /// The bound on token requests in flight this provider shares with its pool's other
    /// entries (`None`: a provider of its own, unbounded). Every request, a refresh ahead
    /// included, takes a slot before it is sent and frees it once reported.
    pub(crate) slots: Option<Arc<<F as FlavorImpl>::Slots>>,
}

impl<F: Flavor> Inner<F> {
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Hands the result of request `fetch`, started at `started`, to the lifecycle, then
    /// wakes waiting callers.
    pub(crate) fn report(&self, fetch: FetchId, result: Result<AccessToken, Error>, started: Instant) {
        let now = self.now();
        let took = now.saturating_duration_since(started);
        self.lifecycle.handle_response(now, fetch, result, took);
        F::wake(&self.signal);
    }

    /// Counts and traces a request that starts now.
    pub(crate) fn fetch_started(&self, refresh_ahead: bool) {
        let counters = self.lifecycle.counters();
        counters.fetch_started(refresh_ahead);
        let attempt = counters.consecutive_failures().saturating_add(1);
        observe::fetch_started(self.lifecycle.config(), refresh_ahead, attempt);
    }

    /// Tells the lifecycle that request `fetch` was abandoned, then wakes waiting callers
    /// (one of them may start the next request).
    pub(crate) fn abandon(&self, fetch: FetchId) {
        self.lifecycle.handle_abandoned(self.now(), fetch);
        F::wake(&self.signal);
    }
}

impl<F: Flavor> Provider<F> {
    /// A provider with the defaults: the transport type's own transport (built from
    /// [`TransportOptions::default`]), policy and clock. The shortcut for
    /// `Provider::builder(config).build()`.
    ///
    /// # Errors
    ///
    /// When the default transport cannot be built.
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
        Self::builder(config).build()
    }

    /// Starts a provider for `config`.
    pub fn builder(config: ClientConfig) -> ProviderBuilder<F> {
        ProviderBuilder::new(config)
    }

    /// The configuration tokens are requested with.
    #[must_use]
    pub fn config(&self) -> &ClientConfig {
        self.inner.lifecycle.config()
    }

    /// The transport requests go through.
    #[must_use]
    pub fn transport(&self) -> &F::Transport {
        &self.inner.transport
    }

    /// Tells the provider that the resource API refused `token` (answered 401), so it is
    /// not handed out again; the next `token()` call fetches a new one. Returns whether
    /// `token` was the current token: invalidating one token from many callers drops it
    /// once and causes one request.
    pub fn invalidate(&self, token: &AccessToken) -> bool {
        let dropped = self.inner.lifecycle.handle_invalidate(self.inner.now(), token);
        #[cfg(feature = "store")]
        if let (true, Some(store)) = (dropped, &self.inner.store) {
            store.refused(token);
        }
        dropped
    }

    /// What the provider has done since it was built, and what is left of its current
    /// token: lock-free atomic reads, for export to a metrics system.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.inner.lifecycle.stats(self.inner.now())
    }

    /// The warm path: the published token, if it may be handed out now.
    #[inline]
    pub(crate) fn fresh_token(&self) -> Option<AccessToken> {
        self.fresh_token_at(self.inner.now())
    }

    /// The warm path at `now`, read from this provider's clock by the caller.
    #[inline]
    pub(crate) fn fresh_token_at(&self, now: Instant) -> Option<AccessToken> {
        self.inner.lifecycle.fresh_token(now)
    }

    /// A provider from its parts (a pool's entry gets the pool's transport, a clone
    /// sharing its connections, the pool's clock and the pool's bound on requests in
    /// flight).
    pub(crate) fn from_parts(
        config: ClientConfig,
        transport: F::Transport,
        policy: RefreshPolicy,
        clock: Arc<F::Clock>,
        jitter_seed: u64,
        slots: Option<Arc<<F as FlavorImpl>::Slots>>,
        #[cfg(feature = "store")] store: Option<SharedStore<F::Store>>,
    ) -> Self {
        Provider {
            inner: Arc::new(Inner {
                #[cfg(feature = "store")]
                store: store.map(|store| Box::new(StoreHandle::new(store, &config))),
                lifecycle: LifecycleCell::new(config, policy, jitter_seed),
                transport,
                clock,
                signal: Default::default(),
                slots,
            }),
        }
    }

    /// The current snapshot generation and a copy of the published snapshot (a pool's
    /// table keeps the copy for its warm path).
    pub(crate) fn snapshot_copy(&self) -> (u64, Option<Arc<learn_oauth_proto::Snapshot>>) {
        self.inner.lifecycle.snapshot_copy()
    }

    /// How many snapshots this provider has published.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.inner.lifecycle.generation()
    }

    /// Counts a stale token handed out from a copy of this provider's snapshot.
    pub(crate) fn count_stale_serve(&self) {
        self.inner.lifecycle.counters().stale_served();
    }

    /// How recently a pool's callers used this provider.
    #[inline]
    pub(crate) fn usage(&self) -> &Usage {
        self.inner.lifecycle.usage()
    }

    /// Whether `other` is a handle to this very provider.
    pub(crate) fn is(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether anything but this handle holds the provider: another handle, a request in
    /// flight, a background refresh (a pool never evicts such an entry).
    pub(crate) fn is_shared(&self) -> bool {
        Arc::strong_count(&self.inner) > 1
    }
}

impl<F: Flavor> Clone for Provider<F> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<F: Flavor> fmt::Debug for Provider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("config", self.config())
            .field("transport", &self.inner.transport)
            .field("clock", &&*self.inner.clock)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Provider`]; see [`Provider::builder`].
#[must_use = "a builder does nothing until .build() is called"]
pub struct ProviderBuilder<F: Flavor> {
    config: ClientConfig,
    transport: Option<F::Transport>,
    policy: RefreshPolicy,
    pub(crate) clock: Arc<F::Clock>,
    jitter_seed: Option<u64>,
    #[cfg(feature = "store")]
    store: Option<SharedStore<F::Store>>,
}

impl<F: Flavor> ProviderBuilder<F> {
    fn new(config: ClientConfig) -> Self {
        Self {
            config,
            transport: None,
            policy: RefreshPolicy::default(),
            clock: F::default_clock(),
            jitter_seed: None,
            #[cfg(feature = "store")]
            store: None,
        }
    }

    /// The transport to send requests with: build one with the settings you need (the
    /// bundled transports take [`TransportOptions`]: timeouts to connect, root
    /// certificates). Default: the transport type's own, built from
    /// [`TransportOptions::default`].
    pub fn transport(mut self, transport: F::Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// When to refresh, how to back off, when to give up. Default:
    /// [`RefreshPolicy::default`].
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The seed for the lifecycle's jitter. Default: a per-process random value.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Coordinates token requests with other replicas through `store`, so a fleet makes
    /// about one request per refresh period (see [`crate::store`]). The warm path never
    /// touches it. Default: none.
    #[cfg(feature = "store")]
    #[cfg_attr(docsrs, doc(cfg(feature = "store")))]
    pub fn shared_store(mut self, store: SharedStore<F::Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// Builds the provider. Nothing is fetched until the first `token()`.
    ///
    /// # Errors
    ///
    /// When no transport was given and the default one cannot be built
    /// ([`BuildError::NoDefaultTransport`] for a transport type without one).
    pub fn build(mut self) -> Result<Provider<F>, BuildError> {
        let transport = match self.transport.take() {
            Some(transport) => transport,
            None => F::default_transport(&TransportOptions::default())?,
        };
        Ok(self.finish(transport))
    }

    fn finish(self, transport: F::Transport) -> Provider<F> {
        let seed = self.jitter_seed.unwrap_or_else(random_seed);
        Provider::from_parts(
            self.config,
            transport,
            self.policy,
            self.clock,
            seed,
            None,
            #[cfg(feature = "store")]
            self.store,
        )
    }
}

impl<F: Flavor> fmt::Debug for ProviderBuilder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ProviderBuilder");
        debug
            .field("config", &self.config)
            .field("transport", &self.transport)
            .field("policy", &self.policy)
            .field("clock", &&*self.clock);
        #[cfg(feature = "store")]
        debug.field("store", &self.store);
        debug.finish_non_exhaustive()
    }
}
