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

#[cfg(feature = "async")]
mod asynchronous;
mod blocking;
mod key;

#[cfg(feature = "store")]
use crate::store::SharedStore;
use std::fmt;
#[cfg(feature = "async")]
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use learn_oauth_proto::{AccessToken, ClientConfig, Error, RefreshPolicy, Snapshot};

use crate::clock::Clock;
use crate::flavor::Flavor;
use crate::flavor::imp::FlavorImpl;
use crate::provider::{Provider, random_seed};
use crate::stats::Stats;

pub use key::PoolKey;

/// How many entries a pool holds at most, by default.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// How long an entry may go unasked before it is dropped, by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a resolver's failure for a key is answered from memory, by default.
pub const DEFAULT_RESOLVE_HOLD_OFF: Duration = Duration::from_secs(5);

const SHARDS: usize = 64;
/// Many keys' tokens, each with its own lifecycle; see the [module docs](self).
///
/// `TokenPool<Blocking<T>, K>` for threads, `TokenPool<Async<T>, K>` for Tokio tasks
/// (feature `async`); the transport crates name theirs `TokenPool`. Cheap to clone (one
/// reference count); clones share everything.
pub struct TokenPool<F: Flavor, K: 'static = PoolKey> {
    inner: Arc<Inner<F, K>>,
}

/// One shard: (key, slot) pairs found by the pool's hash of the key.
type Map<F, K> = HashTable<(K, Slot<F>)>;

/// What the table holds for a key: the provider itself once resolved (so a warm hit goes
/// from the table straight to the provider), or the entry a resolver fills.
pub(crate) enum Slot<F: Flavor> {
    /// Inserted, or resolved and promoted.
    Ready(Ready<F>),
    /// Being resolved, resolved but not yet promoted, or its resolver failed.
    Pending(Arc<Entry<F>>),
}

impl<F: Flavor> Clone for Slot<F> {
    fn clone(&self) -> Self {
        match self {
            Self::Ready(ready) => Self::Ready(ready.clone()),
            Self::Pending(entry) => Self::Pending(Arc::clone(entry)),
        }
    }
}

/// A resolved key: its provider, with a copy of the provider's published snapshot for
/// the warm path, inline in the table (the token handle, its freshness, its staleness:
/// no pointer to follow to a snapshot, one cache line fewer for a hit). While the
/// provider's generation is the one the copy was taken at, the copy is the provider's
/// current snapshot, so a warm hit reads it from the table (one atomic load of the
/// generation) instead of loading the provider's own `ArcSwap` a second time. When the
/// generation has moved on (a token arrived, a refresh started, a token was invalidated,
/// through the pool or through a handle), the hit goes the slow way, through the
/// provider, and the slow path puts a new copy in the table.
pub(crate) struct Ready<F: Flavor> {
    provider: Provider<F>,
    generation: u64,
    copy: Option<SnapshotCopy>,
}

/// What the warm path reads of a snapshot: [`Snapshot`]'s three fields.
#[derive(Clone)]
struct SnapshotCopy {
    token: AccessToken,
    fresh_until: Instant,
    stale: bool,
}

impl<F: Flavor> Clone for Ready<F> {
    fn clone(&self) -> Self {
        Self {
            provider: self.provider.clone(),
            generation: self.generation,
            copy: self.copy.clone(),
        }
    }
}

impl<F: Flavor> Ready<F> {
    /// `provider` with a copy of its current snapshot.
    fn new(provider: Provider<F>) -> Self {
        let (generation, snapshot) = provider.shared.lifecycle.snapshot_copy();
        Self {
            provider,
            generation,
            copy: snapshot.as_deref().map(|s: &Snapshot| SnapshotCopy {
                token: s.token().clone(),
                fresh_until: s.fresh_until(),
                stale: s.is_stale(),
            }),
        }
    }

    /// Whether the copy would answer the warm path at `now` (current or not).
    fn copy_fresh_at(&self, now: Instant) -> bool {
        self.copy.as_ref().is_some_and(|copy| now < copy.fresh_until)
    }

    /// The warm path from the copy: its token if the copy is current and fresh at `now`
    /// (the test of [`Snapshot::token_if_fresh`]; a stale serve is counted as the
    /// provider counts it).
    #[inline]
    fn fresh_token(&self, now: Instant) -> Option<AccessToken> {
        let copy = self.copy.as_ref()?;
        let lifecycle = &self.provider.shared.lifecycle;
        if lifecycle.generation() != self.generation || now >= copy.fresh_until {
            return None;
        }
        if copy.stale {
            lifecycle.counters().stale_served();
        }
        Some(copy.token.clone())
    }

    /// Whether the copy is out of date: `provider` has published since it was taken.
    fn outdated(&self, provider: &Provider<F>) -> bool {
        Arc::ptr_eq(&self.provider.shared, &provider.shared)
            && self.generation != provider.shared.lifecycle.generation()
    }
}

impl<F: Flavor> Slot<F> {
    /// The provider, once there is one.
    #[inline]
    fn provider(&self) -> Option<&Provider<F>> {
        match self {
            Self::Ready(ready) => Some(&ready.provider),
            Self::Pending(entry) => match F::once_get(&entry.slot) {
                Some(Ok(provider)) => Some(provider),
                _ => None,
            },
        }
    }

    #[inline]
    fn usage(&self) -> &Usage {
        match self {
            Self::Ready(ready) => ready.provider.shared.lifecycle.usage(),
            Self::Pending(entry) => &entry.usage,
        }
    }

    /// Marks the slot used (a read, and a write only if unset).
    #[inline]
    fn touch(&self) {
        let used = &self.usage().used;
        if !used.load(Relaxed) {
            used.store(true, Relaxed);
        }
    }

    /// Whether the slot may be dropped now: nothing but the map holds it or its provider.
    fn evictable(&self) -> bool {
        match self {
            Self::Ready(ready) => !ready.provider.is_shared(),
            Self::Pending(entry) => {
                Arc::strong_count(entry) == 1
                    && match F::once_get(&entry.slot) {
                        Some(Ok(provider)) => !provider.is_shared(),
                        Some(Err(_)) => true,
                        None => false, // being resolved
                    }
            }
        }
    }
}

/// How recently a slot was used, for idle and LRU eviction.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// Asked for since the last sweep: set by `token()`, cleared by the sweeps that move
    /// it into `last_used`.
    used: AtomicBool,
    /// When a sweep last saw it used (or when it was made): whole seconds since the
    /// pool's epoch.
    last_used: AtomicU64,
}

struct Inner<F: Flavor, K: 'static> {
    /// A fixed array: the shard index is a mask, with no bounds check on the warm path.
    shards: [ArcSwap<Map<F, K>>; SHARDS],
    /// Serialises inserts, removals and evictions; holds when idle entries were last swept.
    writer: Mutex<Instant>,
    len: AtomicUsize,
    hasher: RandomState,
    transport: F::Transport,
    clock: Arc<F::Clock>,
    epoch: Instant,
    settings: PoolSettings,
    resolver: Option<<F as FlavorImpl>::Resolver<K>>,
    seed: u64,
    #[cfg(feature = "store")]
    store: Option<SharedStore<F::Store>>,
}

/// A pool's limits and the policy its entries share.
#[derive(Debug, Clone)]
struct PoolSettings {
    max_entries: usize,
    idle_timeout: Duration,
    resolve_hold_off: Duration,
    policy: RefreshPolicy,
}

/// A key the resolver fills: its provider once resolved (or why it could not be).
pub(crate) struct Entry<F: Flavor> {
    slot: <F as FlavorImpl>::Once<Result<Provider<F>, PoolError>>,
    created: Instant,
    usage: Usage,
}

/// What a pool's `token()` can fail with, for one key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The key's token could not be had: the same typed error a provider gives.
    #[error(transparent)]
    Token(#[from] Error),
    /// The key was not inserted and the pool has no resolver.
    #[error("no configuration for this key: it was not inserted and the pool has no resolver")]
    UnknownKey,
    /// The resolver failed for this key; answered from memory until the pool's
    /// `resolve_hold_off` has passed.
    #[error("resolving the configuration for this key failed")]
    Resolve(#[source] ResolveError),
    /// The pool holds `max` entries and every one is in use: none could be evicted for
    /// this key.
    #[error("the token pool is full ({max} entries, all in use)")]
    Full {
        /// The pool's `max_entries`.
        max: usize,
    },
}

impl PoolError {
    /// The token error, if that is what this is.
    #[must_use]
    pub fn token_error(&self) -> Option<&Error> {
        match self {
            Self::Token(error) => Some(error),
            _ => None,
        }
    }
}

/// A resolver's failure, shared by every caller that gets it.
///
/// Its `Display` is fixed text; the resolver's own error is its
/// [`source`](std::error::Error::source) — keep secrets out of it.
#[derive(Clone)]
pub struct ResolveError(Arc<dyn std::error::Error + Send + Sync>);

impl ResolveError {
    /// Wraps a resolver's error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(Arc::from(error.into()))
    }
}

impl fmt::Debug for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResolveError").field(&self.0.to_string()).finish()
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the resolver failed")
    }
}

impl std::error::Error for ResolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// What an async pool's resolver returns: the key's configuration, later.
#[cfg(feature = "async")]
pub type ResolveFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<ClientConfig, ResolveError>> + Send + 'static>>;

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
            settings: PoolSettings {
                max_entries: DEFAULT_MAX_ENTRIES,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                resolve_hold_off: DEFAULT_RESOLVE_HOLD_OFF,
                policy: RefreshPolicy::default(),
            },
            clock: F::default_clock(),
            resolver: None,
            seed: None,
            #[cfg(feature = "store")]
            store: None,
        }
    }

    /// At most this many entries (at least 1). Default: [`DEFAULT_MAX_ENTRIES`].
    pub fn max_entries(mut self, max: usize) -> Self {
        self.settings.max_entries = max.max(1);
        self
    }

    /// An entry not asked for during this long is dropped. Default:
    /// [`DEFAULT_IDLE_TIMEOUT`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// How long a resolver's failure for a key is answered from memory before the
    /// resolver is asked again. Default: [`DEFAULT_RESOLVE_HOLD_OFF`].
    pub fn resolve_hold_off(mut self, hold_off: Duration) -> Self {
        self.settings.resolve_hold_off = hold_off;
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
        let epoch = self.clock.now();
        TokenPool {
            inner: Arc::new(Inner {
                shards: std::array::from_fn(|_| ArcSwap::from_pointee(HashTable::new())),
                writer: Mutex::new(epoch),
                len: AtomicUsize::new(0),
                hasher: RandomState::default(),
                transport: self.transport,
                clock: self.clock,
                epoch,
                settings: self.settings,
                resolver: self.resolver,
                seed: self.seed.unwrap_or_else(random_seed),
                #[cfg(feature = "store")]
                store: self.store,
            }),
        }
    }
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
            provider
                .shared
                .lifecycle
                .usage()
                .last_used
                .store(inner.seconds(now), Relaxed);
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

impl<F: Flavor, K: Hash + Eq + Clone + Send + Sync + 'static> Inner<F, K>
where
    F::Transport: Clone,
{
    #[inline]
    fn hash(&self, key: &K) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The shard for `hash`: bits the shard's table uses neither for its bucket index
    /// (the low bits) nor for its control bytes (the top 7).
    #[inline]
    fn shard(&self, hash: u64) -> &ArcSwap<Map<F, K>> {
        &self.shards[(hash >> 32) as usize % SHARDS]
    }

    /// `key`'s entry in the current map, if any, given to `read`.
    #[inline]
    fn find<R>(&self, key: &K, read: impl FnOnce(&Slot<F>) -> R) -> Option<R> {
        let hash = self.hash(key);
        let map = self.shard(hash).load();
        map.find(hash, |(k, _)| k == key).map(|(_, entry)| read(entry))
    }

    #[inline]
    fn seconds(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_secs()
    }

    /// The warm path: `key`'s token if its entry is resolved and its token fresh at `now`.
    #[inline]
    fn warm(&self, key: &K, now: Instant) -> Option<AccessToken> {
        // A key still being resolved, or resolved but not yet promoted (for a moment),
        // goes the slow way.
        self.find(key, |slot| match slot {
            Slot::Ready(ready) => {
                let token = ready.fresh_token(now)?;
                slot.touch();
                Some(token)
            }
            Slot::Pending(_) => None,
        })?
    }

    /// After a slow-path `token()` through `provider`, `key`'s entry: puts a new copy of
    /// the provider's snapshot in the table if the copy there is out of date, the writer
    /// lock is free, and the new copy would answer the warm path at `now` (during a
    /// refresh that has not started, a copy would not help, and every slow call would copy
    /// the shard). Until then the old copy, never handed out again, keeps its token in
    /// memory.
    fn recopy(&self, key: &K, provider: &Provider<F>, now: Instant) {
        let outdated = |inner: &Self| {
            inner.find(
                key,
                |slot| matches!(slot, Slot::Ready(ready) if ready.outdated(provider)),
            ) == Some(true)
        };
        if !outdated(self) {
            return;
        }
        // A busy writer may be copying this very entry; if not, a later slow call copies
        // it. So callers woken together by one token copy the shard once, not each, and a
        // `token()` never waits for the writer lock here nor runs an idle sweep.
        let _writer = match self.writer.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if !outdated(self) {
            return;
        }
        let ready = Ready::new(provider.clone());
        // Checked on the copy itself, so a stale serve is not counted a second time.
        if ready.copy_fresh_at(now) {
            self.store(key, Some(Slot::Ready(ready)));
        }
    }

    /// `key`'s provider, if its entry is resolved.
    fn resolved(&self, key: &K) -> Option<Provider<F>> {
        self.find(key, |slot| slot.provider().cloned())?
    }

    /// `key`'s slot, made (empty, for the resolver to fill) if it has none and the pool
    /// has a resolver; a resolver failure older than the hold-off is replaced.
    fn slot(&self, key: &K, now: Instant) -> Result<Slot<F>, PoolError> {
        if let Some(Some(slot)) = self.find(key, |slot| (!self.retry_due(slot, now)).then(|| slot.clone())) {
            slot.touch();
            return Ok(slot);
        }
        if self.resolver.is_none() {
            return Err(PoolError::UnknownKey);
        }
        let mut made = None;
        self.with_writer(now, |inner| {
            if let Some(Some(slot)) =
                inner.find(key, |slot| (!inner.retry_due(slot, now)).then(|| slot.clone()))
            {
                made = Some(slot);
                return Ok(());
            }
            inner.store(key, None);
            inner.make_room(now)?;
            let entry = Arc::new(Entry {
                slot: F::once_empty(),
                created: now,
                usage: Usage::default(),
            });
            entry.usage.last_used.store(inner.seconds(now), Relaxed);
            inner.store(key, Some(Slot::Pending(Arc::clone(&entry))));
            made = Some(Slot::Pending(entry));
            Ok(())
        })?;
        made.ok_or(PoolError::UnknownKey)
    }

    /// Puts `entry`'s resolved provider in the table in its place, so warm hits skip the
    /// entry: if `key` still holds that entry.
    fn promote(&self, key: &K, entry: &Arc<Entry<F>>) {
        let Some(Ok(provider)) = F::once_get(&entry.slot) else {
            return;
        };
        let now = self.clock.now();
        let _ = self.with_writer(now, |inner| {
            let current = inner.find(
                key,
                |slot| matches!(slot, Slot::Pending(e) if Arc::ptr_eq(e, entry)),
            );
            if current == Some(true) {
                let usage = provider.shared.lifecycle.usage();
                usage
                    .last_used
                    .store(entry.usage.last_used.load(Relaxed), Relaxed);
                usage.used.store(entry.usage.used.load(Relaxed), Relaxed);
                inner.store(key, Some(Slot::Ready(Ready::new(provider.clone()))));
            }
            Ok(())
        });
    }

    /// Whether `slot` holds a resolver failure whose hold-off has passed.
    fn retry_due(&self, slot: &Slot<F>, now: Instant) -> bool {
        let Slot::Pending(entry) = slot else { return false };
        matches!(F::once_get(&entry.slot), Some(Err(PoolError::Resolve(_))))
            && now.saturating_duration_since(entry.created) >= self.settings.resolve_hold_off
    }

    /// The resolver, or why a key without an entry cannot get one.
    fn resolver(&self) -> Result<&<F as FlavorImpl>::Resolver<K>, PoolError> {
        self.resolver.as_ref().ok_or(PoolError::UnknownKey)
    }

    /// The provider for a key from its resolver's answer.
    fn provider_resolved(
        &self,
        config: Result<ClientConfig, ResolveError>,
    ) -> Result<Provider<F>, PoolError> {
        Ok(self.provider_for(config.map_err(PoolError::Resolve)?))
    }

    /// A provider for a key's `config`, over the pool's transport and clock.
    fn provider_for(&self, config: ClientConfig) -> Provider<F> {
        let index = self.len.load(Relaxed) as u64;
        let seed = self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Provider::from_parts(
            config,
            self.transport.clone(),
            self.settings.policy.clone(),
            Arc::clone(&self.clock),
            seed,
            #[cfg(feature = "store")]
            self.store.clone(),
        )
    }

    /// Runs `change` under the writer lock, sweeping idle entries first when a quarter
    /// of the idle timeout has passed since the last sweep.
    fn with_writer(
        &self,
        now: Instant,
        change: impl FnOnce(&Self) -> Result<(), PoolError>,
    ) -> Result<(), PoolError> {
        let mut last_sweep = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if now.saturating_duration_since(*last_sweep) >= self.settings.idle_timeout / 4 {
            *last_sweep = now;
            self.sweep_idle(now);
        }
        change(self)
    }

    /// Sets (`Some`) or removes (`None`) `key`'s entry: copies its shard's map. Under the
    /// writer lock.
    fn store(&self, key: &K, entry: Option<Slot<F>>) {
        let hash = self.hash(key);
        let shard = self.shard(hash);
        let mut map = Map::<F, K>::clone(&shard.load());
        let present = map
            .find_entry(hash, |(k, _)| k == key)
            .map(|found| found.remove())
            .is_ok();
        match (entry, present) {
            (Some(entry), present) => {
                map.insert_unique(hash, (key.clone(), entry), |(k, _)| self.hasher.hash_one(k));
                if !present {
                    self.len.fetch_add(1, Relaxed);
                }
            }
            (None, true) => {
                self.len.fetch_sub(1, Relaxed);
            }
            (None, false) => {}
        }
        shard.store(Arc::new(map));
    }

    /// Moves every entry's `used` flag into its `last_used` (`now`, in seconds since the
    /// epoch): how recently an entry was used is known to the sweep, not to the second.
    fn note_use(&self, now: u64) {
        for shard in &self.shards {
            for (_, slot) in shard.load().iter() {
                let usage = slot.usage();
                if usage.used.swap(false, Relaxed) {
                    usage.last_used.store(now, Relaxed);
                }
            }
        }
    }

    /// Drops the entries idle for the idle timeout and not in use. Under the writer lock.
    fn sweep_idle(&self, now: Instant) {
        let now = self.seconds(now);
        let idle = self.settings.idle_timeout.as_secs();
        self.note_use(now);
        for shard in &self.shards {
            let map = shard.load();
            let stale: Vec<K> = map
                .iter()
                .filter(|(_, slot)| {
                    now.saturating_sub(slot.usage().last_used.load(Relaxed)) >= idle && slot.evictable()
                })
                .map(|(k, _)| k.clone())
                .collect();
            drop(map);
            for key in stale {
                self.store(&key, None);
            }
        }
    }

    /// Makes room for one more entry: drops the least recently used entry not in use
    /// if the pool is full. Under the writer lock.
    fn make_room(&self, now: Instant) -> Result<(), PoolError> {
        if self.len.load(Relaxed) < self.settings.max_entries {
            return Ok(());
        }
        self.sweep_idle(now);
        if self.len.load(Relaxed) < self.settings.max_entries {
            return Ok(());
        }
        let mut oldest: Option<(u64, K)> = None;
        for shard in &self.shards {
            for (key, slot) in shard.load().iter() {
                let used = slot.usage().last_used.load(Relaxed);
                if slot.evictable() && oldest.as_ref().is_none_or(|(t, _)| used < *t) {
                    oldest = Some((used, key.clone()));
                }
            }
        }
        match oldest {
            Some((_, key)) => {
                self.store(&key, None);
                Ok(())
            }
            None => Err(PoolError::Full {
                max: self.settings.max_entries,
            }),
        }
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

impl<F: Flavor, K: 'static> fmt::Debug for PoolBuilder<F, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("settings", &self.settings)
            .field("transport", &self.transport)
            .field("resolver", &self.resolver.is_some())
            .finish_non_exhaustive()
    }
}
