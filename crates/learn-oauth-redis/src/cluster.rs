//! Redis Cluster (feature `cluster`): what `RedisConfig::cluster` holds and both stores
//! connect with. Every operation names keys of one token only, which share a hash tag, so
//! it runs in one slot; redis-rs's cluster client routes it there and follows `MOVED`,
//! `ASK` and a primary's failover.

use std::fmt;

use redis::cluster::ClusterClient;

/// How often redis-rs's cluster client retries one command: a `MOVED` or `ASK` redirect,
/// or a `READONLY` from a demoted primary, takes one. More would not fit an operation's
/// time anyway: a failover takes seconds, an operation a fraction of one.
const RETRIES: u32 = 2;

/// The cluster client's wait before a retry, at least and at most, in ms.
const RETRY_WAIT_MS: (u64, u64) = (5, 50);

/// A cluster's seed nodes, as a client ready to connect.
#[derive(Clone)]
pub(crate) struct ClusterSeeds {
    pub(crate) client: ClusterClient,
    addrs: Vec<String>,
}

impl ClusterSeeds {
    /// A client for the cluster these seed nodes belong to, with our retry settings.
    pub(crate) fn new(seeds: Vec<redis::ConnectionInfo>) -> redis::RedisResult<Self> {
        let addrs = seeds.iter().map(|info| info.addr().to_string()).collect();
        let client = ClusterClient::builder(seeds)
            .retries(RETRIES)
            .min_retry_wait(RETRY_WAIT_MS.0)
            .max_retry_wait(RETRY_WAIT_MS.1)
            .build()?;
        Ok(Self { client, addrs })
    }
}

impl fmt::Debug for ClusterSeeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses only: the connection infos hold the password.
        f.debug_list().entries(&self.addrs).finish()
    }
}
