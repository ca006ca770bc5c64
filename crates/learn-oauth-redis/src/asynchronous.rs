//! [`AsyncRedisStore`]: the async adapter (feature `async`).

use std::fmt;
use std::time::Duration;

use learn_oauth_driver::store::{
    AsyncStore, AsyncWatch, StoreError, StoreFuture, StoreKeyNames, StoreRecord, StoreTime,
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::commands;
use crate::url::RedisUrlError;

/// A Redis shared store for async providers (`SharedStore::asynchronous(store, sealing)`), on
/// redis-rs's `ConnectionManager`: one multiplexed connection, made on the first
/// operation (so building this never fails because Redis is down) and remade in the
/// background after it breaks. Every operation is bounded by its timeout, here and by
/// the provider.
pub struct AsyncRedisStore {
    client: redis::Client,
    manager: tokio::sync::OnceCell<ConnectionManager>,
    publish: redis::Script,
    release: redis::Script,
    lease: redis::Script,
    notifier: crate::notify::AsyncNotifier,
}

impl AsyncRedisStore {
    /// A store for the Redis at `url` (`redis://…`, or `rediss://…` with feature
    /// `async-tls`). Nothing is connected yet.
    ///
    /// # Errors
    ///
    /// When `url` is not a Redis URL.
    pub fn open(url: &str) -> Result<Self, RedisUrlError> {
        let client = redis::Client::open(url).map_err(RedisUrlError)?;
        Ok(Self {
            client,
            manager: tokio::sync::OnceCell::new(),
            publish: commands::set_then_release(),
            release: commands::release(),
            lease: commands::try_lease(),
            notifier: crate::notify::AsyncNotifier::default(),
        })
    }

    /// The connection manager, made on first use with `timeout` for connecting and for
    /// each reply (a failed attempt leaves nothing behind: the next operation tries again).
    async fn manager(&self, timeout: Duration) -> Result<ConnectionManager, StoreError> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_secs(1));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .map_err(commands::store_error)?;
        Ok(manager.clone())
    }
}

impl AsyncRedisStore {
    /// Sets `key` to `value` until `at` (Redis's clock), then releases `owner`'s lease: one
    /// script call.
    async fn set_then_release(
        &self,
        key: &str,
        value: &[u8],
        at: StoreTime,
        keys: &StoreKeyNames,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        let mut manager = self.manager(timeout).await?;
        self.publish
            .key(key)
            .key(keys.lease())
            .arg(value)
            .arg(at.0)
            .arg(owner)
            .arg(keys.published())
            .invoke_async::<i64>(&mut manager)
            .await
            .map(drop)
            .map_err(commands::store_error)
    }
}

impl AsyncStore for AsyncRedisStore {
    fn read<'a>(&'a self, keys: &'a StoreKeyNames, timeout: Duration) -> StoreFuture<'a, StoreRecord> {
        Box::pin(async move {
            let mut manager = self.manager(timeout).await?;
            let replies = commands::read(keys)
                .query_async(&mut manager)
                .await
                .map_err(commands::store_error)?;
            Ok(commands::record(replies))
        })
    }

    fn try_lease<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        owner: &'a str,
        ttl: Duration,
        timeout: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut manager = self.manager(timeout).await?;
            let won: i64 = self
                .lease
                .key(keys.lease())
                .arg(owner)
                .arg(commands::millis(ttl))
                .invoke_async(&mut manager)
                .await
                .map_err(commands::store_error)?;
            Ok(won == 1)
        })
    }

    fn publish<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        value: &'a [u8],
        expire_at: StoreTime,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.set_then_release(keys.token(), value, expire_at, keys, owner, timeout))
    }

    fn cool_down<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        value: &'a [u8],
        until: StoreTime,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.set_then_release(keys.cool_down(), value, until, keys, owner, timeout))
    }

    fn release<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut manager = self.manager(timeout).await?;
            self.release
                .key(keys.lease())
                .arg(owner)
                .invoke_async::<i64>(&mut manager)
                .await
                .map(drop)
                .map_err(commands::store_error)
        })
    }

    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn AsyncWatch>> {
        Some(Box::new(self.notifier.watch(&self.client, keys.published())))
    }
}

impl fmt::Debug for AsyncRedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.client.get_connection_info();
        f.debug_struct("AsyncRedisStore")
            .field("addr", &info.addr().to_string())
            .finish_non_exhaustive()
    }
}
