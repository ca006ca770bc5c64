//! Redis Sentinel (feature `sentinel`): [`RedisConfig::sentinel`] and what both stores
//! connect with. Each new connection asks the Sentinels for the primary (redis-rs's
//! `SentinelClient`, which also checks the node it names is a primary); a connection
//! that fails, or answers `READONLY` because its node was demoted, is dropped, so the
//! next one goes to whichever primary the Sentinels name then.

use std::fmt;

use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};

use crate::config::{Kind, RedisConfig, node_info};
use crate::error::{RedisConfigError, RedisConfigErrorKind};

/// The Sentinels to ask and what to ask them for.
#[derive(Clone)]
pub(crate) struct SentinelSpec {
    sentinels: Vec<redis::ConnectionInfo>,
    service_name: String,
    node: redis::RedisConnectionInfo,
    /// Whether the data nodes speak TLS: when the Sentinels do.
    tls: bool,
}

impl RedisConfig {
    /// The primary that the Sentinels at `sentinel_urls` (`redis://[user:password@]host:port`,
    /// the Sentinels' own addresses and credentials) name for `service_name` (the name in
    /// their `sentinel monitor` line). The data nodes speak TLS when the Sentinels' URLs
    /// are `rediss://` (feature `tls`; their certificates are checked against the webpki
    /// roots). They are reached without credentials on database 0 unless
    /// [`node_auth`](Self::node_auth) and
    /// [`node_database`](Self::node_database) say otherwise.
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::Url`] when a URL is not a Redis URL or there is none.
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn sentinel<S: AsRef<str>>(
        sentinel_urls: impl IntoIterator<Item = S>,
        service_name: &str,
    ) -> Result<Self, RedisConfigError> {
        let sentinels = sentinel_urls
            .into_iter()
            .map(|url| node_info(url.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if sentinels.is_empty() {
            return Err(RedisConfigError::new(
                RedisConfigErrorKind::Url,
                "no sentinel url",
            ));
        }
        let tls = sentinels
            .iter()
            .any(|info| matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. }));
        Ok(Self::from_kind(Kind::Sentinel(SentinelSpec {
            sentinels,
            service_name: service_name.to_owned(),
            node: redis::RedisConnectionInfo::default(),
            tls,
        })))
    }

    /// The user name (`None`: the default user) and password the data nodes that the
    /// Sentinels name require (the Sentinels' own are in their URLs).
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::NodeSettings`] when this is not a
    /// [`sentinel`](Self::sentinel) configuration: a node's or a cluster's credentials are
    /// in their URLs, and these would be ignored.
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn node_auth(mut self, username: Option<&str>, password: &str) -> Result<Self, RedisConfigError> {
        let spec = sentinel_spec(&mut self)?;
        let mut node = spec.node.clone().set_password(password);
        if let Some(username) = username {
            node = node.set_username(username);
        }
        spec.node = node;
        Ok(self)
    }

    /// The database on the data nodes that the Sentinels name (0 unless set).
    ///
    /// # Errors
    ///
    /// As [`node_auth`](Self::node_auth).
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn node_database(mut self, db: i64) -> Result<Self, RedisConfigError> {
        let spec = sentinel_spec(&mut self)?;
        spec.node = spec.node.clone().set_db(db);
        Ok(self)
    }
}

/// The Sentinel part of `config`, or the error for a setting only Sentinel takes.
fn sentinel_spec(config: &mut RedisConfig) -> Result<&mut SentinelSpec, RedisConfigError> {
    match config.kind_mut() {
        Kind::Sentinel(spec) => Ok(spec),
        #[allow(unreachable_patterns)] // Only `Sentinel` without features `cluster` and `tls`.
        _ => Err(RedisConfigError::new(
            RedisConfigErrorKind::NodeSettings,
            "node credentials and database are taken for a sentinel configuration only",
        )),
    }
}

impl SentinelSpec {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentinel_config_shows_addresses_and_service_never_passwords() {
        let config = RedisConfig::sentinel(["redis://:hunter2-sentinel@127.0.0.1:26379"], "tokens")
            .and_then(|c| c.node_auth(Some("fleet"), "hunter2-node"))
            .and_then(|c| c.node_database(3))
            .expect("a config");
        let shown = format!("{config:?}");
        assert!(
            shown.contains("127.0.0.1:26379") && shown.contains("tokens"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2") && !shown.contains("fleet"), "{shown}");
    }

    #[test]
    fn node_settings_are_refused_where_they_would_be_ignored() {
        let node = RedisConfig::node("redis://127.0.0.1:6379/").expect("a url");
        let error = node.clone().node_auth(None, "pw").expect_err("not sentinel");
        assert_eq!(error.kind(), RedisConfigErrorKind::NodeSettings);
        let error = node.node_database(1).expect_err("not sentinel");
        assert_eq!(error.kind(), RedisConfigErrorKind::NodeSettings);
    }

    #[test]
    fn a_sentinel_config_needs_a_sentinel() {
        let error = RedisConfig::sentinel(Vec::<String>::new(), "tokens").expect_err("none");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
        let error = RedisConfig::sentinel(["http://127.0.0.1:26379"], "tokens").expect_err("http");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
    }
}
