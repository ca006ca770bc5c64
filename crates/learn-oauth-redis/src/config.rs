//! [`RedisConfig`]: where the store's Redis is and how to reach it.

use std::fmt;

use crate::url::RedisUrlError;

/// Where the store's Redis is: one node, a Redis Cluster (feature `cluster`) or a primary
/// found through Redis Sentinel (feature `sentinel`). The one argument of
/// [`RedisStore::open`](crate::RedisStore::open) (and `AsyncRedisStore::open`). Nothing
/// is connected until the store's first operation. Its `Debug` shows where it points,
/// never a user name or password.
#[derive(Clone)]
pub struct RedisConfig {
    kind: Kind,
}

/// The shape of the deployment.
#[derive(Clone)]
// One per store (or per idle connection), made rarely: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Kind {
    /// One Redis server.
    Node(redis::Client),
    /// A Redis Cluster, by its seed nodes.
    #[cfg(feature = "cluster")]
    Cluster(crate::cluster::ClusterSeeds),
    /// A primary the Sentinels name.
    #[cfg(feature = "sentinel")]
    Sentinel(crate::sentinel::SentinelSpec),
}

impl RedisConfig {
    /// One Redis server at `url`: `redis://[user:password@]host:port/db`.
    ///
    /// # Errors
    ///
    /// When `url` is not such a URL.
    pub fn node(url: &str) -> Result<Self, RedisUrlError> {
        let client = redis::Client::open(node_info(url)?).map_err(RedisUrlError)?;
        Ok(Self::from_kind(Kind::Node(client)))
    }

    pub(crate) fn from_kind(kind: Kind) -> Self {
        Self { kind }
    }

    /// The deployment this configuration describes.
    pub(crate) fn into_kind(self) -> Kind {
        self.kind
    }

    #[cfg(feature = "sentinel")]
    pub(crate) fn kind_mut(&mut self) -> &mut Kind {
        &mut self.kind
    }
}

/// The connection info of one node's URL.
pub(crate) fn node_info(url: &str) -> Result<redis::ConnectionInfo, RedisUrlError> {
    redis::IntoConnectionInfo::into_connection_info(url).map_err(RedisUrlError)
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Where it points only: the connection info holds the password.
        match &self.kind {
            Kind::Node(client) => f
                .debug_struct("RedisConfig")
                .field("node", &client.get_connection_info().addr().to_string())
                .finish(),
            #[cfg(feature = "cluster")]
            Kind::Cluster(seeds) => f.debug_struct("RedisConfig").field("cluster", seeds).finish(),
            #[cfg(feature = "sentinel")]
            Kind::Sentinel(spec) => f.debug_struct("RedisConfig").field("sentinel", spec).finish(),
        }
    }
}
