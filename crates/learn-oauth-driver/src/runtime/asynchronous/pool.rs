//! The async flavour's pool: callers are Tokio tasks.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use learn_oauth_proto::{AccessToken, ClientConfig};

use super::Async;
use super::AsyncClock;
use super::SendAsync;
use crate::pool::{PoolBuilder, PoolError, ResolveError, ResolveFuture, Slot, TokenPool};
use crate::provider::Provider;

impl<T: SendAsync + Clone, K: Hash + Eq + Clone + Send + Sync + 'static> TokenPool<Async<T>, K> {
    /// A usable token for `key`, with a provider's guarantees for that key (see
    /// [`Provider::token`]): the warm path completes on the first poll without a lock;
    /// a miss resolves the key's configuration first if it has none (one resolver call
    /// per key, however many tasks ask; a cancelled resolving task hands over to the
    /// next). The call completes within the policy's `max_wait` of its first poll, time
    /// spent resolving included (a resolver itself is never interrupted).
    ///
    /// # Errors
    ///
    /// The key's token error, [`PoolError::UnknownKey`], its resolver's failure, or
    /// [`PoolError::Full`].
    pub async fn token(&self, key: &K) -> Result<AccessToken, PoolError> {
        let now = self.inner.clock.now();
        if let Some(token) = self.inner.warm(key, now) {
            return Ok(token);
        }
        // The wait for the key's token ends `max_wait` after this call began (time spent
        // resolving the key counts; a resolver is never interrupted).
        let provider = self.provider(key).await?;
        let token = provider.token_since(now).await?;
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
    pub async fn provider(&self, key: &K) -> Result<Provider<Async<T>>, PoolError> {
        let now = self.inner.clock.now();
        let entry = match self.inner.slot(key, now)? {
            Slot::Ready(ready) => return Ok(ready.provider),
            Slot::Pending(entry) => entry,
        };
        let resolved = entry
            .slot
            .get_or_init(|| async { self.inner.provider_resolved(self.inner.resolver()?(key).await) })
            .await
            .clone();
        self.inner.promote(key, &entry);
        resolved
    }
}

impl<T: SendAsync + Clone, K: Hash + Eq + Clone + Send + Sync + 'static> PoolBuilder<Async<T>, K> {
    /// The clock every entry reads and sleeps on. Default: [`TokioClock`](super::TokioClock).
    pub fn clock(self, clock: impl AsyncClock) -> Self {
        self.set_clock(Arc::new(clock))
    }

    /// Called on a miss for a key with no entry, to load its configuration (say, a
    /// tenant's secret from a database); once per key however many tasks ask. Its
    /// failure is that key's [`PoolError::Resolve`] until the resolve hold-off passes.
    pub fn resolver<Fut>(self, resolver: impl Fn(&K) -> Fut + Send + Sync + 'static) -> Self
    where
        Fut: Future<Output = Result<ClientConfig, ResolveError>> + Send + 'static,
    {
        self.set_resolver(Arc::new(move |key: &K| -> ResolveFuture {
            Box::pin(resolver(key))
        }))
    }
}
