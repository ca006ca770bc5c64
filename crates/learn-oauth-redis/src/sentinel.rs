//! Redis Sentinel (feature `sentinel`): [`RedisConfig::sentinel`] and what both stores
//! connect with. Each new connection asks the Sentinels for the primary (redis-rs's
//! `SentinelClient`, which also checks the node it names is a primary); a connection
//! that fails, or answers `READONLY` because its node was demoted, is dropped, so the
//! next one goes to whichever primary the Sentinels name then.

use std::fmt;

use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};

use crate::config::{Kind, RedisConfig, node_info};
use crate::error::RedisConfigError;

/// The Sentinels to ask and what to ask them for.
#[derive(Clone)]
pub(crate) struct SentinelSpec {
    sentinels: Vec<redis::ConnectionInfo>,
    service_name: String,
    node: redis::RedisConnectionInfo,
}

impl RedisConfig {
    /// The primary that the Sentinels at `sentinel_urls` (`redis://[user:password@]host:port`,
    /// the Sentinels' own addresses and credentials) name for `service_name` (the name in
    /// their `sentinel monitor` line). The data nodes are reached without credentials on
    /// database 0 unless [`node_auth`](Self::node_auth) and
    /// [`node_database`](Self::node_database) say otherwise.
    ///
    /// # Errors
    ///
    /// When a URL is not a Redis URL.
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn sentinel<S: AsRef<str>>(
        sentinel_urls: impl IntoIterator<Item = S>,
        service_name: &str,
    ) -> Result<Self, RedisConfigError> {
        let sentinels = sentinel_urls
            .into_iter()
            .map(|url| node_info(url.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_kind(Kind::Sentinel(SentinelSpec {
            sentinels,
            service_name: service_name.to_owned(),
            node: redis::RedisConnectionInfo::default(),
        })))
    }

    /// The user name (`None`: the default user) and password the data nodes that the
    /// Sentinels name require. Only for [`sentinel`](Self::sentinel) configurations;
    /// a node's or a cluster's credentials are in their URLs, and are left as they are.
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    #[must_use]
    pub fn node_auth(mut self, username: Option<&str>, password: &str) -> Self {
        if let Kind::Sentinel(spec) = self.kind_mut() {
            let mut node = spec.node.clone().set_password(password);
            if let Some(username) = username {
                node = node.set_username(username);
            }
            spec.node = node;
        }
        self
    }

    /// The database on the data nodes that the Sentinels name. Only for
    /// [`sentinel`](Self::sentinel) configurations, as [`node_auth`](Self::node_auth).
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    #[must_use]
    pub fn node_database(mut self, db: i64) -> Self {
        if let Kind::Sentinel(spec) = self.kind_mut() {
            spec.node = spec.node.clone().set_db(db);
        }
        self
    }
}

impl SentinelSpec {
    /// A fresh client for the primary: it asks the Sentinels when it connects.
    pub(crate) fn client(&self) -> redis::RedisResult<SentinelClient> {
        let node = SentinelNodeConnectionInfo::default().set_redis_connection_info(self.node.clone());
        SentinelClient::build(
            self.sentinels.clone(),
            self.service_name.clone(),
            Some(node),
            SentinelServerType::Master,
        )
    }
}

impl fmt::Debug for SentinelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses and the service name only: the connection infos hold passwords.
        let addrs: Vec<String> = self.sentinels.iter().map(|i| i.addr().to_string()).collect();
        f.debug_struct("Sentinel")
            .field("sentinels", &addrs)
            .field("service_name", &self.service_name)
            .finish()
    }
}

/// Whether `error` says the node is no primary any more (`READONLY`): the connection
/// must go, so the next asks the Sentinels again.
pub(crate) fn is_demoted(error: &redis::RedisError) -> bool {
    error.code() == Some("READONLY")
}
