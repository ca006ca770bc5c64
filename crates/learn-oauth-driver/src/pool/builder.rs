//! [`PoolBuilder`]: a pool's limits, policy, clock, resolver and store.

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use learn_oauth_proto::RefreshPolicy;

use super::key::PoolKey;
use super::settings::PoolSettings;
use super::table::Table;
use super::token_pool::TokenPool;
use crate::clock::random_seed;
use crate::runtime::Flavor;
use crate::runtime::imp::FlavorImpl;
#[cfg(feature = "store")]
use crate::store::SharedStore;

/// Configures a [`TokenPool`]; see `TokenPool::builder`.
#[must_use = "a builder does nothing until .build() is called"]
pub struct PoolBuilder<F: Flavor, K: 'static = PoolKey> {
    transport: F::Transport,
    settings: PoolSettings,
    clock: Arc<F::Clock>,
    resolver: Option<<F as FlavorImpl>::Resolver<K>>,
    seed: Option<u64>,
    #[cfg(feature = "store")]
    store: Option<SharedStore<F::Store>>,
}

impl<F: Flavor, K: Hash + Eq + Clone + Send + Sync + 'static> PoolBuilder<F, K> {
    pub(crate) fn new(transport: F::Transport) -> Self {
        Self {
            transport,
            settings: PoolSettings::default(),
            clock: F::default_clock(),
            resolver: None,
            seed: None,
            #[cfg(feature = "store")]
            store: None,
        }
    }

    /// At most this many entries (at least 1). Default: [`DEFAULT_MAX_ENTRIES`](crate::pool::DEFAULT_MAX_ENTRIES).
    pub fn max_entries(mut self, max: usize) -> Self {
        self.settings.max_entries = max.max(1);
        self
    }

    /// An entry not asked for during this long is dropped. Default:
    /// [`DEFAULT_IDLE_TIMEOUT`](crate::pool::DEFAULT_IDLE_TIMEOUT).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// How long a resolver's failure for a key is answered from memory before the
    /// resolver is asked again. Default: [`DEFAULT_RESOLVE_HOLD_OFF`](crate::pool::DEFAULT_RESOLVE_HOLD_OFF).
    pub fn resolve_hold_off(mut self, hold_off: Duration) -> Self {
        self.settings.resolve_hold_off = hold_off;
        self
    }

    /// At most this many token requests in flight at once, over all entries (at least 1).
    /// Default: [`DEFAULT_MAX_CONCURRENT_FETCHES`](crate::pool::DEFAULT_MAX_CONCURRENT_FETCHES).
    ///
    /// Every request takes a slot before it is sent and frees it once answered (through a
    /// shared store, for its whole exchange with the store); the rest wait in line, first
    /// come, first served. A request waits at most until its own
    /// deadline, the policy's `request_timeout` after the lifecycle handed it out (time
    /// in line included: the bound delays requests, never lets one outlive its timeout);
    /// one that gets no slot by then counts as timed out, as if the endpoint had not
    /// answered. A caller waits as it waits for any request in flight: at most the
    /// policy's `max_wait`, after which it gets the same error (a transport
    /// [`Timeout`](learn_oauth_proto::TransportErrorKind::Timeout) when nothing failed
    /// meanwhile).
    ///
    /// Warm hits send nothing and never wait. A refresh ahead of expiry counts against
    /// the bound like any request (the endpoint counts it too), but waits for its slot
    /// in the background: callers keep getting the still-valid token meanwhile.
    pub fn max_concurrent_fetches(mut self, max: usize) -> Self {
        self.settings.max_concurrent_fetches = max.max(1);
        self
    }

    /// The refresh policy of every entry. Default: [`RefreshPolicy::default`].
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.settings.policy = policy;
        self
    }

    /// The seed of the entries' jitter (each entry's is derived from it). Default: a
    /// per-process random value.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Coordinates every entry's token requests with other replicas through `store`
    /// (one shared entry per key; see [`crate::store`]). Default: none.
    #[cfg(feature = "store")]
    #[cfg_attr(docsrs, doc(cfg(feature = "store")))]
    pub fn shared_store(mut self, store: SharedStore<F::Store>) -> Self {
        self.store = Some(store);
        self
    }

    pub(crate) fn set_clock(mut self, clock: Arc<F::Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub(crate) fn set_resolver(mut self, resolver: <F as FlavorImpl>::Resolver<K>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Builds the pool, empty.
    pub fn build(self) -> TokenPool<F, K> {
        TokenPool {
            inner: Arc::new(Table::new(
                self.transport,
                self.clock,
                self.settings,
                self.resolver,
                self.seed.unwrap_or_else(random_seed),
                #[cfg(feature = "store")]
                self.store,
            )),
        }
    }
}

impl<F: Flavor, K: 'static> fmt::Debug for PoolBuilder<F, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("settings", &self.settings)
            .field("transport", &self.transport)
            .field("resolver", &self.resolver.is_some())
            .finish_non_exhaustive()
    }
}

impl<F: Flavor, K: Hash + Eq + Clone + Send + Sync + 'static> TokenPool<F, K>
where
    F::Transport: Clone,
{
    /// Starts a pool whose entries send through `transport` (clones of it, sharing its
    /// connections).
    pub fn builder(transport: F::Transport) -> PoolBuilder<F, K> {
        PoolBuilder::new(transport)
    }
}
