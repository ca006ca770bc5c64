//! The blocking flavour's pool: callers are threads.

use std::hash::Hash;
use std::sync::Arc;
use std::time::Instant;

use learn_oauth_proto::{AccessToken, ClientConfig};

use super::Blocking;
use super::BlockingClock;
use super::SendBlocking;
use crate::pool::{PoolBuilder, PoolError, ResolveError, Slot, TokenPool};
use crate::provider::Provider;

impl<T: SendBlocking + Clone, K: Hash + Eq + Clone + Send + Sync + 'static> TokenPool<Blocking<T>, K> {
    /// A usable token for `key`, with a provider's guarantees for that key (see
    /// [`Provider::token`]): the warm path is lock-free; a miss resolves the key's
    /// configuration first if it has none (one resolver call per key, however many
    /// callers ask). The call returns within the policy's `max_wait` of its start, time
    /// spent resolving included (a resolver itself is never interrupted).
    ///
    /// # Errors
    ///
    /// The key's token error, [`PoolError::UnknownKey`], its resolver's failure, or
    /// [`PoolError::Full`].
    #[inline]
    pub fn token(&self, key: &K) -> Result<AccessToken, PoolError> {
        let now = self.inner.clock.now();
        match self.inner.warm(key, now) {
            Some(token) => Ok(token),
            None => self.token_slow(key, now),
        }
    }

    /// The miss: the wait for the key's token ends `max_wait` after `since`, the call's
    /// start (time spent resolving the key counts; a resolver is never interrupted).
    #[cold]
    #[inline(never)]
    fn token_slow(&self, key: &K, since: Instant) -> Result<AccessToken, PoolError> {
        let provider = self.provider(key)?;
        let token = provider.token_since(since)?;
        self.inner.recopy(key, &provider, self.inner.clock.now());
        Ok(token)
    }

    /// `key`'s provider, resolving the key if needed: a handle that implements
    /// [`TokenSource`](crate::TokenSource) for the middleware or layer. While you hold it
    /// the entry is in use and never evicted.
    ///
    /// # Errors
    ///
    /// [`PoolError::UnknownKey`], the resolver's failure, or [`PoolError::Full`].
    pub fn provider(&self, key: &K) -> Result<Provider<Blocking<T>>, PoolError> {
        let now = self.inner.clock.now();
        let entry = match self.inner.slot(key, now)? {
            Slot::Ready(ready) => return Ok(ready.provider),
            Slot::Pending(entry) => entry,
        };
        let resolved = entry
            .slot
            .get_or_init(|| self.inner.provider_resolved(self.inner.resolver()?(key)))
            .clone();
        self.inner.promote(key, &entry);
        resolved
    }
}

impl<T: SendBlocking + Clone, K: Hash + Eq + Clone + Send + Sync + 'static> PoolBuilder<Blocking<T>, K> {
    /// The clock every entry reads and sleeps on. Default: [`SystemClock`](super::SystemClock).
    pub fn clock(self, clock: impl BlockingClock) -> Self {
        self.set_clock(Arc::new(clock))
    }

    /// Called on a miss for a key with no entry, to load its configuration (say, a
    /// tenant's secret from a database); once per key however many callers ask. Its
    /// failure is that key's [`PoolError::Resolve`] until the resolve hold-off passes.
    pub fn resolver(
        self,
        resolver: impl Fn(&K) -> Result<ClientConfig, ResolveError> + Send + Sync + 'static,
    ) -> Self {
        self.set_resolver(Arc::new(resolver))
    }
}
