//! The async store's connection: redis-rs's reconnecting `ConnectionManager` for one node,
//! its async cluster client for a cluster, or a multiplexed connection to the primary the
//! Sentinels name, behind one `aio::ConnectionLike`.

#[cfg(feature = "sentinel")]
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};

use crate::config::Kind;

/// What makes, and keeps, the async store's connection.
// One per store (or per idle connection), made rarely: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum AsyncConnector {
    Node {
        client: redis::Client,
        manager: tokio::sync::OnceCell<ConnectionManager>,
    },
    #[cfg(feature = "async-cluster")]
    Cluster {
        seeds: crate::cluster::ClusterSeeds,
        connection: tokio::sync::OnceCell<redis::cluster_async::ClusterConnection>,
    },
    /// A cluster configuration without feature `async-cluster`: every operation fails.
    #[cfg(all(feature = "cluster", not(feature = "async-cluster")))]
    ClusterWithoutFeature,
    #[cfg(feature = "sentinel")]
    Sentinel {
        spec: crate::sentinel::SentinelSpec,
        /// The connection to the primary the Sentinels named last; dropped when it fails.
        current: Mutex<Option<MultiplexedConnection>>,
    },
}

/// The async store's connection for one operation (a cheap clone of the shared one).
pub(crate) enum AsyncConnection {
    Manager(ConnectionManager),
    #[cfg(feature = "async-cluster")]
    Cluster(redis::cluster_async::ClusterConnection),
    #[cfg_attr(not(feature = "sentinel"), allow(dead_code))]
    Multiplexed(MultiplexedConnection),
}

impl AsyncConnector {
    pub(crate) fn new(kind: Kind) -> Self {
        match kind {
            Kind::Node(client) => Self::Node {
                client,
                manager: tokio::sync::OnceCell::new(),
            },
            #[cfg(feature = "async-cluster")]
            Kind::Cluster(seeds) => Self::Cluster {
                seeds,
                connection: tokio::sync::OnceCell::new(),
            },
            #[cfg(all(feature = "cluster", not(feature = "async-cluster")))]
            Kind::Cluster(_) => Self::ClusterWithoutFeature,
            #[cfg(feature = "sentinel")]
            Kind::Sentinel(spec) => Self::Sentinel {
                spec,
                current: Mutex::new(None),
            },
        }
    }

    /// The connection, made on first use (and, for Sentinel, after the last one failed)
    /// with `timeout` for connecting and for each reply. A failed attempt leaves nothing
    /// behind: the next operation tries again. (The store bounds the whole operation.)
    pub(crate) async fn connection(&self, timeout: Duration) -> redis::RedisResult<AsyncConnection> {
        match self {
            Self::Node { client, manager } => {
                let manager = manager
                    .get_or_try_init(|| async {
                        let config = ConnectionManagerConfig::new()
                            .set_connection_timeout(Some(timeout))
                            .set_response_timeout(Some(timeout))
                            .set_number_of_retries(1)
                            .set_max_delay(Duration::from_secs(1));
                        ConnectionManager::new_lazy_with_config(client.clone(), config)
                    })
                    .await?;
                Ok(AsyncConnection::Manager(manager.clone()))
            }
            #[cfg(feature = "async-cluster")]
            Self::Cluster { seeds, connection } => {
                let connection = connection
                    .get_or_try_init(|| async {
                        // The response timeout also bounds a whole command with its
                        // redirects and retries (redis-rs's overall response timeout).
                        let config = redis::cluster::ClusterConfig::new()
                            .set_connection_timeout(timeout)
                            .set_response_timeout(timeout);
                        seeds.client.get_async_connection_with_config(config).await
                    })
                    .await?;
                Ok(AsyncConnection::Cluster(connection.clone()))
            }
            #[cfg(all(feature = "cluster", not(feature = "async-cluster")))]
            Self::ClusterWithoutFeature => Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "a cluster for AsyncRedisStore needs feature async-cluster",
            ))),
            #[cfg(feature = "sentinel")]
            Self::Sentinel { spec, current } => {
                let kept = current.lock().unwrap_or_else(PoisonError::into_inner).clone();
                if let Some(connection) = kept {
                    return Ok(AsyncConnection::Multiplexed(connection));
                }
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout));
                let connection = spec
                    .client()?
                    .async_get_client()
                    .await?
                    .get_multiplexed_async_connection_with_config(&config)
                    .await?;
                *current.lock().unwrap_or_else(PoisonError::into_inner) = Some(connection.clone());
                Ok(AsyncConnection::Multiplexed(connection))
            }
        }
    }

    /// Hears that an operation failed with `error`: a Sentinel connection that broke or
    /// whose node was demoted is dropped, so the next operation asks the Sentinels again.
    /// (The node's manager and the cluster client reconnect by themselves.)
    pub(crate) fn failed(&self, error: &redis::RedisError) {
        if crate::blocking_connection::is_stale(error) {
            self.forget();
        }
    }

    /// Drops a Sentinel connection (one that failed or did not answer in time), so the
    /// next operation asks the Sentinels again.
    pub(crate) fn forget(&self) {
        #[cfg(feature = "sentinel")]
        if let Self::Sentinel { current, .. } = self {
            *current.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    /// Where it connects to, for `Debug` (no credentials).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Node { client, .. } => client.get_connection_info().addr().to_string(),
            #[cfg(feature = "async-cluster")]
            Self::Cluster { seeds, .. } => format!("cluster {seeds:?}"),
            #[cfg(all(feature = "cluster", not(feature = "async-cluster")))]
            Self::ClusterWithoutFeature => "cluster".to_owned(),
            #[cfg(feature = "sentinel")]
            Self::Sentinel { spec, .. } => format!("{spec:?}"),
        }
    }
}

impl redis::aio::ConnectionLike for AsyncConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a redis::Cmd) -> redis::RedisFuture<'a, redis::Value> {
        match self {
            Self::Manager(c) => c.req_packed_command(cmd),
            #[cfg(feature = "async-cluster")]
            Self::Cluster(c) => c.req_packed_command(cmd),
            Self::Multiplexed(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        match self {
            Self::Manager(c) => c.req_packed_commands(cmd, offset, count),
            #[cfg(feature = "async-cluster")]
            Self::Cluster(c) => c.req_packed_commands(cmd, offset, count),
            Self::Multiplexed(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Manager(c) => c.get_db(),
            #[cfg(feature = "async-cluster")]
            Self::Cluster(c) => c.get_db(),
            Self::Multiplexed(c) => c.get_db(),
        }
    }
}
