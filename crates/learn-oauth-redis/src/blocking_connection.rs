//! The blocking store's connections: to one node, to a cluster (one connection per node,
//! routed by slot) or to the primary the Sentinels name, behind one `ConnectionLike`.

use std::time::Duration;

use crate::config::Kind;

/// What makes the blocking store's connections.
// One per store (or per idle connection), made rarely: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Connector {
    Node(redis::Client),
    #[cfg(feature = "cluster")]
    Cluster(crate::cluster::ClusterSeeds),
    #[cfg(feature = "sentinel")]
    Sentinel(crate::sentinel::SentinelSpec),
}

/// One of the blocking store's connections.
// One per store (or per idle connection), made rarely: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Connection {
    Node(redis::Connection),
    #[cfg(feature = "cluster")]
    Cluster(redis::cluster::ClusterConnection),
}

impl Connector {
    pub(crate) fn new(kind: Kind) -> Self {
        match kind {
            Kind::Node(client) => Self::Node(client),
            #[cfg(feature = "cluster")]
            Kind::Cluster(seeds) => Self::Cluster(seeds),
            #[cfg(feature = "sentinel")]
            Kind::Sentinel(spec) => Self::Sentinel(spec),
        }
    }

    /// A new connection, each attempt to reach a node bounded by `timeout`. For a
    /// cluster, that maps the slots (`CLUSTER SLOTS`) afresh; for Sentinel, it asks the
    /// Sentinels for the primary.
    pub(crate) fn connect(&self, timeout: Duration) -> redis::RedisResult<Connection> {
        match self {
            Self::Node(client) => client.get_connection_with_timeout(timeout).map(Connection::Node),
            #[cfg(feature = "cluster")]
            Self::Cluster(seeds) => {
                let config = redis::cluster::ClusterConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout);
                seeds
                    .client
                    .get_connection_with_config(config)
                    .map(Connection::Cluster)
            }
            #[cfg(feature = "sentinel")]
            Self::Sentinel(spec) => spec
                .client()?
                .get_client()?
                .get_connection_with_timeout(timeout)
                .map(Connection::Node),
        }
    }

    /// Where it connects to, for `Debug` (no credentials).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Node(client) => client.get_connection_info().addr().to_string(),
            #[cfg(feature = "cluster")]
            Self::Cluster(seeds) => format!("cluster {seeds:?}"),
            #[cfg(feature = "sentinel")]
            Self::Sentinel(spec) => format!("{spec:?}"),
        }
    }
}

impl Connection {
    /// Bounds each read and write (on every node's connection, for a cluster) by `left`.
    pub(crate) fn set_timeouts(&mut self, left: Duration) -> redis::RedisResult<()> {
        match self {
            Self::Node(c) => {
                c.set_read_timeout(Some(left))?;
                c.set_write_timeout(Some(left))
            }
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => {
                c.set_read_timeout(Some(left))?;
                c.set_write_timeout(Some(left))
            }
        }
    }
}

/// Whether a connection that failed with `error` should be replaced: it broke, or (for
/// Sentinel) its node is no primary any more.
pub(crate) fn is_stale(error: &redis::RedisError) -> bool {
    let demoted = {
        #[cfg(feature = "sentinel")]
        {
            crate::sentinel::is_demoted(error)
        }
        #[cfg(not(feature = "sentinel"))]
        {
            false
        }
    };
    error.is_connection_dropped() || error.is_io_error() || demoted
}

impl redis::ConnectionLike for Connection {
    fn req_packed_command(&mut self, cmd: &[u8]) -> redis::RedisResult<redis::Value> {
        match self {
            Self::Node(c) => c.req_packed_command(cmd),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> redis::RedisResult<Vec<redis::Value>> {
        match self {
            Self::Node(c) => c.req_packed_commands(cmd, offset, count),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn req_command(&mut self, cmd: &redis::Cmd) -> redis::RedisResult<redis::Value> {
        match self {
            Self::Node(c) => c.req_command(cmd),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.req_command(cmd),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Node(c) => c.get_db(),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.get_db(),
        }
    }

    fn supports_pipelining(&self) -> bool {
        match self {
            Self::Node(c) => c.supports_pipelining(),
            // redis-rs's cluster connection says no because a pipeline could span slots;
            // it does route a `MULTI` block by its first key and sends it whole to that
            // node, and the store's only pipeline is the read's `MULTI` over one token's
            // keys, which share a slot.
            #[cfg(feature = "cluster")]
            Self::Cluster(_) => true,
        }
    }

    fn check_connection(&mut self) -> bool {
        match self {
            Self::Node(c) => c.check_connection(),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.check_connection(),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Self::Node(c) => c.is_open(),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => c.is_open(),
        }
    }
}
