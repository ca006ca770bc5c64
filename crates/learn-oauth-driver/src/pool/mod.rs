//! Many tenants in one process: [`TokenPool`], a bounded map from keys to per-key token
//! lifecycles, lock-free on the warm path.
//!
//! Each entry is a [`Provider`] of its own — single flight, refresh ahead, stale while
//! valid, backoff, `Retry-After`, hold-off and `invalidate` per key — over the pool's one
//! transport (one connection pool per host) and clock, so an entry is a lifecycle and a
//! token, not an HTTP client.
//!
//! - **Warm path:** a hash, an atomic load of one shard's map, a lookup, and the copy of
//!   the entry's token snapshot the table keeps beside its provider, checked against the
//!   provider's snapshot generation (one atomic load in the cache line that also holds the
//!   entry's use flag); no lock, no allocation. The map is copy-on-write per shard (64
//!   shards behind `ArcSwap`): inserts, which are rare, copy one shard, and so does the
//!   first slow call after the provider has published (a new token, a refresh started,
//!   an invalidation through the pool or through a handle).
//! - **Isolation:** one key's slow or failing endpoint only ever holds up that key's
//!   callers; its retries and hold-offs are its own.
//! - **Bounded:** at most `max_entries`. An entry not asked for during `idle_timeout` is
//!   dropped; when full, the least recently used entry goes. An entry in use — a caller
//!   waiting on it, a request in flight, a [`provider`](TokenPool::provider) handle held —
//!   is never evicted; when every entry is in use, a new key gets [`PoolError::Full`].
//!   Use is recorded the way the CLOCK algorithm does: a hit sets the entry's flag (a
//!   read, and a write only if unset), and the pool's sweeps turn flags into times: at
//!   its writes (inserts and misses; a full sweep at most every quarter of the idle
//!   timeout, and whenever it is full) and on [`evict_idle`](TokenPool::evict_idle). So
//!   an idle entry is never dropped early — it goes at the first sweep once it has been
//!   unused for `idle_timeout` since the sweep that last saw it used — and "least
//!   recently used" is exact to the pool's last sweep. Call `evict_idle` on a timer if
//!   your pool sees no new keys for long.
//! - **Keys:** [`PoolKey`] (token URL, client id, scopes in any order) for configurations
//!   you [`insert`](TokenPool::insert), or a key type of your own (a tenant id) with a
//!   resolver the pool calls on a miss to load that key's configuration. A resolver
//!   failure is that key's typed error, cached for `resolve_hold_off` so a failing lookup
//!   is not retried in a hot loop.

pub(crate) mod builder;
pub(crate) mod error;
mod key;
mod slot;
mod table;

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use learn_oauth_proto::{AccessToken, ClientConfig};

use crate::clock::Clock;

use crate::runtime::Flavor;
use crate::stats::Stats;

pub use builder::PoolBuilder;
#[cfg(feature = "async")]
pub use error::ResolveFuture;
pub use error::{PoolError, ResolveError};
pub use key::PoolKey;
use slot::Ready;
pub(crate) use slot::Slot;
pub(crate) use table::Table;

/// How many entries a pool holds at most, by default.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// How long an entry may go unasked before it is dropped, by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a resolver's failure for a key is answered from memory, by default.
pub const DEFAULT_RESOLVE_HOLD_OFF: Duration = Duration::from_secs(5);

/// Many keys' tokens, each with its own lifecycle; see the [module docs](self).
///
/// `TokenPool<Blocking<T>, K>` for threads, `TokenPool<Async<T>, K>` for Tokio tasks
/// (feature `async`); the transport crates name theirs `TokenPool`. Cheap to clone (one
/// reference count); clones share everything.
pub struct TokenPool<F: Flavor, K: 'static = PoolKey> {
    pub(crate) inner: Arc<Table<F, K>>,
}

impl<F: Flavor, K: Hash + Eq + Clone + Send + Sync + 'static> TokenPool<F, K>
where
    F::Transport: Clone,
{
    /// Starts a pool whose entries send through `transport` (clones of it, sharing its
    /// connections).
    pub fn builder(transport: impl Into<F::Transport>) -> PoolBuilder<F, K> {
        PoolBuilder::new(transport.into())
    }

    /// Adds `config` under `key`. Nothing is fetched until the first `token(key)`.
    /// Returns `Ok(false)`, changing nothing, when `key` is already present (remove it
    /// first to replace its configuration).
    ///
    /// # Errors
    ///
    /// [`PoolError::Full`] when the pool is full and no entry can be evicted.
    pub fn insert_with_key(&self, key: K, config: ClientConfig) -> Result<bool, PoolError> {
        let now = self.inner.clock.now();
        let mut added = false;
        self.inner.with_writer(now, |inner| {
            if inner.find(&key, |_| ()).is_some() {
                return Ok(());
            }
            inner.make_room(now)?;
            let provider = inner.provider_for(config);
            provider.usage().set_last_used(inner.seconds(now));
            inner.store(&key, Some(Slot::Ready(Ready::new(provider))));
            added = true;
            Ok(())
        })?;
        Ok(added)
    }

    /// Drops `key`'s entry (its token is forgotten; a handle still held keeps working on
    /// its own). Whether it was present.
    pub fn remove(&self, key: &K) -> bool {
        let now = self.inner.clock.now();
        let mut removed = false;
        let _ = self.inner.with_writer(now, |inner| {
            removed = inner.find(key, |_| ()).is_some();
            if removed {
                inner.store(key, None);
            }
            Ok(())
        });
        removed
    }

    /// How many entries the pool holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.len.load(Relaxed)
    }

    /// Whether the pool holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tells `key`'s entry that the resource refused `token` (see
    /// [`Provider::invalidate`]). Whether it was that key's current token.
    pub fn invalidate(&self, key: &K, token: &AccessToken) -> bool {
        self.inner.resolved(key).is_some_and(|p| p.invalidate(token))
    }

    /// `key`'s counters (see [`Provider::stats`]), if it has a resolved entry.
    #[must_use]
    pub fn stats(&self, key: &K) -> Option<Stats> {
        self.inner.resolved(key).map(|p| p.stats())
    }

    /// Drops every entry not asked for during the idle timeout and not in use now; how
    /// many. The pool also does this by itself as new keys arrive.
    pub fn evict_idle(&self) -> usize {
        let now = self.inner.clock.now();
        let before = self.len();
        let _ = self.inner.with_writer(now, |inner| {
            inner.sweep_idle(now);
            Ok(())
        });
        before.saturating_sub(self.len())
    }
}

impl<F: Flavor> TokenPool<F, PoolKey>
where
    F::Transport: Clone,
{
    /// Adds `config` under its own [`PoolKey`] (its token identity: token URL, tenant,
    /// client id, scopes), which it returns with whether it was added (`false`: already
    /// present, unchanged).
    ///
    /// # Errors
    ///
    /// [`PoolError::Full`] when the pool is full and no entry can be evicted.
    pub fn insert(&self, config: ClientConfig) -> Result<(PoolKey, bool), PoolError> {
        let key = PoolKey::of(&config);
        let added = self.insert_with_key(key.clone(), config)?;
        Ok((key, added))
    }
}

impl<F: Flavor, K: 'static> Clone for TokenPool<F, K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<F: Flavor, K: 'static> fmt::Debug for TokenPool<F, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPool")
            .field("len", &self.inner.len.load(Relaxed))
            .field("max_entries", &self.inner.settings.max_entries)
            .field("idle_timeout", &self.inner.settings.idle_timeout)
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}
