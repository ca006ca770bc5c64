//! The blocking store's connections: to one node or to the primary the Sentinels name (a
//! `redis::Connection`, each exchange bounded by the operation's deadline), or to a
//! cluster (redis-rs's cluster connection: one connection per node, routed by slot).

use std::time::{Duration, Instant};

use redis::ConnectionLike;

use crate::config::Kind;
use crate::deadline::Deadlined;

/// What makes the blocking store's connections.
// One per store, made once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Connector {
    Node(redis::Client),
    #[cfg(feature = "cluster")]
    Cluster(crate::cluster::ClusterSeeds),
    #[cfg(feature = "sentinel")]
    Sentinel(crate::sentinel::SentinelSpec),
}

/// One of the blocking store's connections.
// A few kept per store: boxing would buy nothing.
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

    /// Whether an operation on its connections must run on a thread of its own to be
    /// bounded: a cluster connection connects to nodes and maps slots within an
    /// operation, which no socket timeout bounds as a whole.
    pub(crate) fn needs_a_thread(&self) -> bool {
        #[cfg(feature = "cluster")]
        if let Self::Cluster(_) = self {
            return true;
        }
        false
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
    /// `op` on this connection, each exchange bounded by `deadline`: for one node's
    /// connection, every command and every reply (socket timeouts set to the time left
    /// before each); for a cluster's, every node's socket timeouts set to the time left
    /// once, before the operation (its thread bounds the rest).
    pub(crate) fn run<R>(
        &mut self,
        deadline: Instant,
        op: impl FnOnce(&mut dyn ConnectionLike) -> redis::RedisResult<R>,
    ) -> redis::RedisResult<R> {
        match self {
            Self::Node(c) => op(&mut Deadlined::new(c, deadline)),
            #[cfg(feature = "cluster")]
            Self::Cluster(c) => {
                let left = crate::deadline::time_left(deadline)?;
                c.set_read_timeout(Some(left))?;
                c.set_write_timeout(Some(left))?;
                op(&mut OneSlot(c))
            }
        }
    }
}

/// Whether a connection that failed with `error` should be replaced: it broke, or (for
/// Sentinel) its node is no primary any more.
pub(crate) fn is_stale(error: &redis::RedisError) -> bool {
    #[cfg(feature = "sentinel")]
    let demoted = crate::sentinel::is_demoted(error);
    #[cfg(not(feature = "sentinel"))]
    let demoted = false;
    error.is_connection_dropped() || error.is_io_error() || demoted
}

/// A cluster connection that takes the store's one pipeline, the read's `MULTI` block.
/// redis-rs's cluster connection refuses pipelines (one could span slots), yet routes a
/// `MULTI` block by its first key and sends it whole to that node; the read's keys are
/// one token's, which share a slot.
#[cfg(feature = "cluster")]
struct OneSlot<'a>(&'a mut redis::cluster::ClusterConnection);

#[cfg(feature = "cluster")]
impl ConnectionLike for OneSlot<'_> {
    fn req_packed_command(&mut self, cmd: &[u8]) -> redis::RedisResult<redis::Value> {
        self.0.req_packed_command(cmd)
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> redis::RedisResult<Vec<redis::Value>> {
        self.0.req_packed_commands(cmd, offset, count)
    }

    fn req_command(&mut self, cmd: &redis::Cmd) -> redis::RedisResult<redis::Value> {
        self.0.req_command(cmd)
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }

    fn supports_pipelining(&self) -> bool {
        true
    }

    fn check_connection(&mut self) -> bool {
        self.0.check_connection()
    }

    fn is_open(&self) -> bool {
        self.0.is_open()
    }
}
