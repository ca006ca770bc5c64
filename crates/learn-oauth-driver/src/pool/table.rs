//! The pool's table: 64 copy-on-write shards of (key, slot) pairs, the writer lock
//! that serialises changes, and the idle and LRU sweeps.

use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::Instant;

use arc_swap::ArcSwap;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use learn_oauth_proto::{AccessToken, ClientConfig};

use super::error::{PoolError, ResolveError};
use super::settings::PoolSettings;
use super::slot::{Entry, Ready, Slot};
use crate::clock::Clock;
use crate::provider::Provider;
use crate::runtime::Flavor;
use crate::runtime::imp::FlavorImpl;
#[cfg(feature = "store")]
use crate::store::SharedStore;
use crate::usage::Usage;

const SHARDS: usize = 64;

/// One shard: (key, slot) pairs found by the pool's hash of the key.
type Map<F, K> = HashTable<(K, Slot<F>)>;

pub(crate) struct Table<F: Flavor, K: 'static> {
    /// A fixed array: the shard index is a mask, with no bounds check on the warm path.
    pub(crate) shards: [ArcSwap<Map<F, K>>; SHARDS],
    /// Serialises inserts, removals and evictions; holds when idle entries were last swept.
    pub(crate) writer: Mutex<Instant>,
    pub(crate) len: AtomicUsize,
    pub(crate) hasher: RandomState,
    pub(crate) transport: F::Transport,
    pub(crate) clock: Arc<F::Clock>,
    pub(crate) epoch: Instant,
    pub(crate) settings: PoolSettings,
    pub(crate) resolver: Option<<F as FlavorImpl>::Resolver<K>>,
    pub(crate) seed: u64,
    /// The bound on token requests in flight every entry shares.
    pub(crate) slots: Arc<<F as FlavorImpl>::Slots>,
    #[cfg(feature = "store")]
    pub(crate) store: Option<SharedStore<F::Store>>,
}

impl<F: Flavor, K: 'static> Table<F, K> {
    /// An empty table whose providers send through `transport` and read `clock`.
    pub(crate) fn new(
        transport: F::Transport,
        clock: Arc<F::Clock>,
        settings: PoolSettings,
        resolver: Option<<F as FlavorImpl>::Resolver<K>>,
        seed: u64,
        #[cfg(feature = "store")] store: Option<SharedStore<F::Store>>,
    ) -> Self {
        let epoch = clock.now();
        Self {
            shards: std::array::from_fn(|_| ArcSwap::from_pointee(HashTable::new())),
            writer: Mutex::new(epoch),
            len: AtomicUsize::new(0),
            hasher: RandomState::default(),
            transport,
            clock,
            epoch,
            resolver,
            seed,
            slots: Arc::new(F::slots(settings.max_concurrent_fetches)),
            settings,
            #[cfg(feature = "store")]
            store,
        }
    }
}

impl<F: Flavor, K: Hash + Eq + Clone + Send + Sync + 'static> Table<F, K>
where
    F::Transport: Clone,
{
    #[inline]
    pub(crate) fn hash(&self, key: &K) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The shard for `hash`: bits the shard's table uses neither for its bucket index
    /// (the low bits) nor for its control bytes (the top 7).
    #[inline]
    pub(crate) fn shard(&self, hash: u64) -> &ArcSwap<Map<F, K>> {
        &self.shards[(hash >> 32) as usize % SHARDS]
    }

    /// `key`'s entry in the current map, if any, given to `read`.
    #[inline]
    pub(crate) fn find<R>(&self, key: &K, read: impl FnOnce(&Slot<F>) -> R) -> Option<R> {
        let hash = self.hash(key);
        let map = self.shard(hash).load();
        map.find(hash, |(k, _)| k == key).map(|(_, entry)| read(entry))
    }

    #[inline]
    pub(crate) fn seconds(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_secs()
    }

    /// The warm path: `key`'s token if its entry is resolved and its token fresh at `now`.
    #[inline]
    pub(crate) fn warm(&self, key: &K, now: Instant) -> Option<AccessToken> {
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
    pub(crate) fn recopy(&self, key: &K, provider: &Provider<F>, now: Instant) {
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
    pub(crate) fn resolved(&self, key: &K) -> Option<Provider<F>> {
        self.find(key, |slot| slot.provider().cloned())?
    }

    /// `key`'s slot, made (empty, for the resolver to fill) if it has none and the pool
    /// has a resolver; a resolver failure older than the hold-off is replaced.
    pub(crate) fn slot(&self, key: &K, now: Instant) -> Result<Slot<F>, PoolError> {
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
            entry.usage.set_last_used(inner.seconds(now));
            inner.store(key, Some(Slot::Pending(Arc::clone(&entry))));
            made = Some(Slot::Pending(entry));
            Ok(())
        })?;
        made.ok_or(PoolError::UnknownKey)
    }

    /// Puts `entry`'s resolved provider in the table in its place, so warm hits skip the
    /// entry: if `key` still holds that entry.
    pub(crate) fn promote(&self, key: &K, entry: &Arc<Entry<F>>) {
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
                provider.usage().take_over(&entry.usage);
                inner.store(key, Some(Slot::Ready(Ready::new(provider.clone()))));
            }
            Ok(())
        });
    }

    /// Whether `slot` holds a resolver failure whose hold-off has passed.
    pub(crate) fn retry_due(&self, slot: &Slot<F>, now: Instant) -> bool {
        let Slot::Pending(entry) = slot else { return false };
        matches!(F::once_get(&entry.slot), Some(Err(PoolError::Resolve(_))))
            && now.saturating_duration_since(entry.created) >= self.settings.resolve_hold_off
    }

    /// The resolver, or why a key without an entry cannot get one.
    pub(crate) fn resolver(&self) -> Result<&<F as FlavorImpl>::Resolver<K>, PoolError> {
        self.resolver.as_ref().ok_or(PoolError::UnknownKey)
    }

    /// The provider for a key from its resolver's answer.
    pub(crate) fn provider_resolved(
        &self,
        config: Result<ClientConfig, ResolveError>,
    ) -> Result<Provider<F>, PoolError> {
        Ok(self.provider_for(config.map_err(PoolError::Resolve)?))
    }

    /// A provider for a key's `config`, over the pool's transport and clock.
    pub(crate) fn provider_for(&self, config: ClientConfig) -> Provider<F> {
        let index = self.len.load(Relaxed) as u64;
        let seed = self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Provider::from_parts(
            config,
            self.transport.clone(),
            self.settings.policy.clone(),
            Arc::clone(&self.clock),
            seed,
            Some(Arc::clone(&self.slots)),
            #[cfg(feature = "store")]
            self.store.clone(),
        )
    }

    /// Runs `change` under the writer lock, sweeping idle entries first when a quarter
    /// of the idle timeout has passed since the last sweep.
    pub(crate) fn with_writer(
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
    pub(crate) fn store(&self, key: &K, entry: Option<Slot<F>>) {
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
    pub(crate) fn note_use(&self, now: u64) {
        for shard in &self.shards {
            for (_, slot) in shard.load().iter() {
                slot.usage().sweep(now);
            }
        }
    }

    /// Drops the entries idle for the idle timeout and not in use. Under the writer lock.
    pub(crate) fn sweep_idle(&self, now: Instant) {
        let now = self.seconds(now);
        let idle = self.settings.idle_timeout.as_secs();
        self.note_use(now);
        for shard in &self.shards {
            let map = shard.load();
            let stale: Vec<K> = map
                .iter()
                .filter(|(_, slot)| now.saturating_sub(slot.usage().last_used()) >= idle && slot.evictable())
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
    pub(crate) fn make_room(&self, now: Instant) -> Result<(), PoolError> {
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
                let used = slot.usage().last_used();
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
