//! Redis Cluster (feature `cluster`): [`RedisConfig::cluster`] and what both stores
//! connect with. Every operation names keys of one token only, which share a hash tag, so
//! it runs in one slot; redis-rs's cluster client routes it there and follows `MOVED`,
//! `ASK` and a primary's failover.

use std::fmt;

use redis::cluster::ClusterClient;

use crate::config::{Kind, RedisConfig, node_info};
use crate::error::RedisConfigError;

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

impl RedisConfig {
    /// A Redis Cluster, found through any of `seed_urls` (`redis://[user:password@]host:port`,
    /// each a node of the cluster; one that answers is enough). The store keeps every
    /// operation in one slot and follows the cluster's redirects and failovers, each
    /// operation still bounded by the store policy's `op_timeout`.
    ///
    /// # Errors
    ///
    /// When a URL is not a Redis URL, the list is empty, or the URLs disagree on user
    /// name or password.
    #[cfg_attr(docsrs, doc(cfg(feature = "cluster")))]
    pub fn cluster<S: AsRef<str>>(seed_urls: impl IntoIterator<Item = S>) -> Result<Self, RedisConfigError> {
        let infos = seed_urls
            .into_iter()
            .map(|url| node_info(url.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let addrs = infos.iter().map(|info| info.addr().to_string()).collect();
        let client = ClusterClient::builder(infos)
            .retries(RETRIES)
            .min_retry_wait(RETRY_WAIT_MS.0)
            .max_retry_wait(RETRY_WAIT_MS.1)
            .build()
            .map_err(RedisConfigError::url)?;
        Ok(Self::from_kind(Kind::Cluster(ClusterSeeds { client, addrs })))
    }
}

impl fmt::Debug for ClusterSeeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses only: the connection infos hold the password.
        f.debug_list().entries(&self.addrs).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RedisConfigErrorKind;

    #[test]
    fn a_cluster_config_shows_its_seeds_never_their_password() {
        let config = RedisConfig::cluster([
            "redis://fleet:hunter2-pw@127.0.0.1:7000",
            "redis://fleet:hunter2-pw@127.0.0.1:7001",
        ])
        .expect("seed urls");
        let shown = format!("{config:?}");
        assert!(
            shown.contains("127.0.0.1:7000") && shown.contains("127.0.0.1:7001"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2") && !shown.contains("fleet"), "{shown}");
    }

    #[test]
    fn a_cluster_config_needs_seeds_that_are_redis_urls() {
        let error = RedisConfig::cluster(Vec::<String>::new()).expect_err("no seeds");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
        let error =
            RedisConfig::cluster(["redis://127.0.0.1:7000", "127.0.0.1:7001"]).expect_err("no scheme");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
    }
}
