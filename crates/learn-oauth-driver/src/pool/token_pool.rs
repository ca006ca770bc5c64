//! [`TokenPool`]: the handle callers share, and what it does whatever the flavour (the
//! flavours' `token` and `provider` are in `runtime/`).

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use learn_oauth_proto::{AccessToken, ClientConfig};

use super::error::PoolError;
use super::key::PoolKey;
use super::slot::{Ready, Slot};
use super::table::Table;
use crate::clock::Clock;
use crate::runtime::Flavor;
use crate::stats::Stats;

/// Many keys' tokens, each with its own lifecycle; see the [module docs](crate::pool).
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
    /// [`Provider::invalidate`](crate::Provider::invalidate)). Whether it was that key's current token.
    pub fn invalidate(&self, key: &K, token: &AccessToken) -> bool {
        self.inner.resolved(key).is_some_and(|p| p.invalidate(token))
    }

    /// `key`'s counters (see [`Provider::stats`](crate::Provider::stats)), if it has a resolved entry.
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
