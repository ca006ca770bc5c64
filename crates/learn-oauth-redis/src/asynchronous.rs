//! [`AsyncRedisStore`]: the async adapter (feature `async`).

use std::fmt;
use std::time::Duration;

use learn_oauth_driver::store::{
    AsyncStore, AsyncWatch, StoreError, StoreErrorKind, StoreFuture, StoreKeyNames, StoreRecord, StoreTime,
};

use crate::async_connection::{AsyncConnection, AsyncConnector};
use crate::commands;
use crate::config::RedisConfig;

/// A Redis shared store for async providers (`SharedStore::asynchronous(store, sealing)`).
/// For one node, on redis-rs's `ConnectionManager`: one multiplexed connection, made on
/// the first operation (so building this never fails because Redis is down) and remade
/// in the background after it breaks; for a cluster (feature `async-cluster`), on
/// redis-rs's async cluster client; for Sentinel, on a multiplexed connection to the
/// primary the Sentinels name, asked again after that connection fails. Every operation
/// is bounded by its timeout, here (a Tokio timer) and by the provider.
pub struct AsyncRedisStore {
    connector: AsyncConnector,
    publish: redis::Script,
    release: redis::Script,
    lease: redis::Script,
    notifier: crate::notify::AsyncNotifier,
}

impl AsyncRedisStore {
    /// A store for the Redis `config` describes. Nothing is connected yet.
    #[must_use]
    pub fn open(config: RedisConfig) -> Self {
        Self {
            connector: AsyncConnector::new(config.into_kind()),
            publish: commands::set_then_release(),
            release: commands::release(),
            lease: commands::try_lease(),
            notifier: crate::notify::AsyncNotifier::default(),
        }
    }

    /// The connection for one operation.
    async fn connection(&self, timeout: Duration) -> Result<AsyncConnection, StoreError> {
        self.connector
            .connection(timeout)
            .await
            .map_err(|e| self.failed(e))
    }

    /// `operation`, given up (a [`StoreErrorKind::Timeout`]) once `timeout` has passed: a
    /// connection attempt and its retry, or a reply that does not come, cost no more. A
    /// Sentinel connection that did not answer in time is dropped.
    async fn bounded<T>(
        &self,
        timeout: Duration,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(timeout, operation).await {
            Ok(result) => result,
            Err(_) => {
                self.connector.forget();
                Err(StoreError::new(StoreErrorKind::Timeout))
            }
        }
    }

    /// A failed operation's error, told to the connector first.
    fn failed(&self, error: redis::RedisError) -> StoreError {
        self.connector.failed(&error);
        commands::store_error(error)
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
        let mut connection = self.connection(timeout).await?;
        self.publish
            .key(key)
            .key(keys.lease())
            .arg(value)
            .arg(at.0)
            .arg(owner)
            .arg(keys.published())
            .invoke_async::<i64>(&mut connection)
            .await
            .map(drop)
            .map_err(|e| self.failed(e))
    }
}

impl AsyncStore for AsyncRedisStore {
    fn read<'a>(&'a self, keys: &'a StoreKeyNames, timeout: Duration) -> StoreFuture<'a, StoreRecord> {
        Box::pin(self.bounded(timeout, async move {
            let mut connection = self.connection(timeout).await?;
            let replies = commands::read(keys)
                .query_async(&mut connection)
                .await
                .map_err(|e| self.failed(e))?;
            commands::record(replies).map_err(commands::store_error)
        }))
    }

    fn try_lease<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        owner: &'a str,
        ttl: Duration,
        timeout: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(self.bounded(timeout, async move {
            let mut connection = self.connection(timeout).await?;
            let won: i64 = self
                .lease
                .key(keys.lease())
                .arg(owner)
                .arg(commands::millis(ttl))
                .invoke_async(&mut connection)
                .await
                .map_err(|e| self.failed(e))?;
            Ok(won == 1)
        }))
    }

    fn publish<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        value: &'a [u8],
        expire_at: StoreTime,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.bounded(
            timeout,
            self.set_then_release(keys.token(), value, expire_at, keys, owner, timeout),
        ))
    }

    fn cool_down<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        value: &'a [u8],
        until: StoreTime,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.bounded(
            timeout,
            self.set_then_release(keys.cool_down(), value, until, keys, owner, timeout),
        ))
    }

    fn release<'a>(
        &'a self,
        keys: &'a StoreKeyNames,
        owner: &'a str,
        timeout: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.bounded(timeout, async move {
            let mut connection = self.connection(timeout).await?;
            self.release
                .key(keys.lease())
                .arg(owner)
                .invoke_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(|e| self.failed(e))
        }))
    }

    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn AsyncWatch>> {
        // One node only: a cluster's or Sentinel's waiters poll.
        match &self.connector {
            AsyncConnector::Node { client, .. } => {
                Some(Box::new(self.notifier.watch(client, keys.published())))
            }
            // Reachable only with feature `cluster` or `sentinel`.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl fmt::Debug for AsyncRedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncRedisStore")
            .field("addr", &self.connector.describe())
            .finish_non_exhaustive()
    }
}
