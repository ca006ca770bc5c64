//! Redis Sentinel (feature `sentinel`): what `RedisConfig::sentinel` holds and both stores
//! connect with. Each new connection asks the Sentinels for the primary (redis-rs's
//! `SentinelClient`, which also checks the node it names is a primary); a connection
//! that fails, or answers `READONLY` because its node was demoted, is dropped, so the
//! next one goes to whichever primary the Sentinels name then.

use std::fmt;

use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};

/// The Sentinels to ask and what to ask them for.
#[derive(Clone)]
pub(crate) struct SentinelSpec {
    sentinels: Vec<redis::ConnectionInfo>,
    service_name: String,
    node: redis::RedisConnectionInfo,
    /// Whether the data nodes speak TLS: when the Sentinels do.
    tls: bool,
}

impl SentinelSpec {
    /// The primary the Sentinels at `sentinels` name for `service_name`; its data nodes
    /// speak TLS when the Sentinels do.
    pub(crate) fn new(sentinels: Vec<redis::ConnectionInfo>, service_name: &str) -> Self {
        let tls = sentinels
            .iter()
            .any(|info| matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. }));
        Self {
            sentinels,
            service_name: service_name.to_owned(),
            node: redis::RedisConnectionInfo::default(),
            tls,
        }
    }

    /// The data nodes' user name (`None`: the default user) and password.
    pub(crate) fn set_auth(&mut self, username: Option<&str>, password: &str) {
        let mut node = self.node.clone().set_password(password);
        if let Some(username) = username {
            node = node.set_username(username);
        }
        self.node = node;
    }

    /// The data nodes' database.
    pub(crate) fn set_database(&mut self, db: i64) {
        self.node = self.node.clone().set_db(db);
    }

    /// A fresh client for the primary: it asks the Sentinels when it connects.
    pub(crate) fn client(&self) -> redis::RedisResult<SentinelClient> {
        let mut node = SentinelNodeConnectionInfo::default().set_redis_connection_info(self.node.clone());
        if self.tls {
            node = node.set_tls_mode(redis::TlsMode::Secure);
        }
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
