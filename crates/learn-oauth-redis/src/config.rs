//! [`RedisConfig`]: where the store's Redis is and how to reach it.

use std::fmt;

use crate::error::{RedisConfigError, RedisConfigErrorKind};

/// Where the store's Redis is and how to reach it: the one argument of
/// [`RedisStore::open`](crate::RedisStore::open) (and `AsyncRedisStore::open`).
///
/// Checked when made (the URL, the certificates); nothing is connected until the store's
/// first operation. Its `Debug` shows where it points, never a user name or password.
///
/// ```
/// # use learn_oauth_redis::RedisConfig;
/// let config = RedisConfig::node("redis://store:a-password@127.0.0.1:6379/0")?;
/// assert!(!format!("{config:?}").contains("a-password"));
/// # Ok::<(), learn_oauth_redis::RedisConfigError>(())
/// ```
#[derive(Clone)]
pub struct RedisConfig {
    kind: Kind,
}

/// The shape of the deployment.
// One per configuration, made rarely: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Kind {
    /// One Redis server (or a proxy in front of several): a client for its URL, with the
    /// root certificates it trusts when the URL is `rediss://`.
    Node(redis::Client),
    /// A Redis Cluster, by its seed nodes.
    #[cfg(feature = "cluster")]
    Cluster(crate::cluster::ClusterSeeds),
    /// A primary the Sentinels name.
    #[cfg(feature = "sentinel")]
    Sentinel(crate::sentinel::SentinelSpec),
}

impl RedisConfig {
    /// One Redis server at `url`: `redis://[user:password@]host:port/db`, or
    /// `rediss://[user:password@]host:port/db` (TLS, feature `tls`; the server's
    /// certificate is checked against the webpki roots, or against the CA certificates
    /// given to `root_certificates`, feature `tls`). User name and password may be
    /// percent-encoded.
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::Url`] when `url` is not such a URL: another scheme, no host,
    /// a database that is not a number, `rediss://` without feature `tls`, or a fragment
    /// (`#insecure` would turn certificate checks off).
    pub fn node(url: &str) -> Result<Self, RedisConfigError> {
        let info = node_info(url)?;
        let client = redis::Client::open(info).map_err(RedisConfigError::url)?;
        Ok(Self {
            kind: Kind::Node(client),
        })
    }

    /// Trusts the CA certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks)
    /// instead of the webpki roots when checking the server's certificate: for a Redis
    /// whose certificate your own CA signed.
    ///
    /// ```no_run
    /// # use learn_oauth_redis::{RedisConfig, RedisStore};
    /// // An ACL user and its password (percent-encoded if need be), from your secret store.
    /// let url = std::env::var("REDIS_URL")?; // rediss://fleet:…@redis.internal:6380/0
    /// let config = RedisConfig::node(&url)?
    ///     .root_certificates(&std::fs::read("/etc/redis-ca/ca.pem")?)?;
    /// let redis = RedisStore::open(config);
    /// # let _ = redis;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::Certificates`] when `pem` holds no certificate or one that
    /// does not parse, or when this configuration does not use TLS (`redis://`): the
    /// certificates would be ignored.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn root_certificates(self, pem: &[u8]) -> Result<Self, RedisConfigError> {
        let roots = crate::tls::RootCertificates::parse(pem)?;
        let kind = match self.kind {
            Kind::Node(client) => Kind::Node(roots.client(client.get_connection_info().clone())?),
            #[cfg(any(feature = "cluster", feature = "sentinel"))]
            _ => {
                return Err(RedisConfigError::new(
                    RedisConfigErrorKind::Certificates,
                    "root certificates are taken for a node configuration only",
                ));
            }
        };
        Ok(Self { kind })
    }

    /// A Redis Cluster, found through any of `seed_urls` (`redis://[user:password@]host:port`,
    /// each a node of the cluster; one that answers is enough). The store keeps every
    /// operation in one slot (a token's keys share a hash tag) and follows the cluster's
    /// redirects and failovers, each operation still bounded by the store policy's
    /// `op_timeout`.
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::Url`] when a URL is not a Redis URL, there is none, or
    /// they disagree on user name or password.
    #[cfg(feature = "cluster")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cluster")))]
    pub fn cluster<S: AsRef<str>>(seed_urls: impl IntoIterator<Item = S>) -> Result<Self, RedisConfigError> {
        let seeds = seed_urls
            .into_iter()
            .map(|url| node_info(url.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let seeds = crate::cluster::ClusterSeeds::new(seeds).map_err(RedisConfigError::url)?;
        Ok(Self {
            kind: Kind::Cluster(seeds),
        })
    }

    /// The primary that the Sentinels at `sentinel_urls` (`redis://[user:password@]host:port`,
    /// the Sentinels' own addresses and credentials) name for `service_name` (the name in
    /// their `sentinel monitor` line), followed across failovers. The data nodes speak
    /// TLS when the Sentinels' URLs are `rediss://` (feature `tls`; their certificates
    /// are checked against the webpki roots). They are reached without credentials on
    /// database 0 unless [`node_auth`](Self::node_auth) and
    /// [`node_database`](Self::node_database) say otherwise.
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::Url`] when a URL is not a Redis URL or there is none.
    #[cfg(feature = "sentinel")]
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
        Ok(Self {
            kind: Kind::Sentinel(crate::sentinel::SentinelSpec::new(sentinels, service_name)),
        })
    }

    /// The user name (`None`: the default user) and password the data nodes that the
    /// Sentinels name require (the Sentinels' own are in their URLs).
    ///
    /// # Errors
    ///
    /// [`RedisConfigErrorKind::NodeSettings`] when this is not a
    /// [`sentinel`](Self::sentinel) configuration: a node's or a cluster's credentials are
    /// in their URLs, and these would be ignored.
    #[cfg(feature = "sentinel")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn node_auth(mut self, username: Option<&str>, password: &str) -> Result<Self, RedisConfigError> {
        self.sentinel_spec()?.set_auth(username, password);
        Ok(self)
    }

    /// The database on the data nodes that the Sentinels name (0 unless set).
    ///
    /// # Errors
    ///
    /// As [`node_auth`](Self::node_auth).
    #[cfg(feature = "sentinel")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sentinel")))]
    pub fn node_database(mut self, db: i64) -> Result<Self, RedisConfigError> {
        self.sentinel_spec()?.set_database(db);
        Ok(self)
    }

    /// The Sentinel part, or the error for a setting only Sentinel takes.
    #[cfg(feature = "sentinel")]
    fn sentinel_spec(&mut self) -> Result<&mut crate::sentinel::SentinelSpec, RedisConfigError> {
        match &mut self.kind {
            Kind::Sentinel(spec) => Ok(spec),
            #[allow(unreachable_patterns)] // Only `Sentinel` without features `cluster` and `tls`.
            _ => Err(RedisConfigError::new(
                RedisConfigErrorKind::NodeSettings,
                "node credentials and database are taken for a sentinel configuration only",
            )),
        }
    }

    /// The deployment this configuration describes.
    pub(crate) fn into_kind(self) -> Kind {
        self.kind
    }
}

/// The connection info of one node's URL, refusing what [`RedisConfig::node`] documents.
pub(crate) fn node_info(url: &str) -> Result<redis::ConnectionInfo, RedisConfigError> {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme);
    if !matches!(scheme, Some("redis" | "rediss")) {
        return Err(RedisConfigError::new(
            RedisConfigErrorKind::Url,
            "the url's scheme is neither redis nor rediss",
        ));
    }
    if url.contains('#') {
        return Err(RedisConfigError::new(
            RedisConfigErrorKind::Url,
            "the url has a fragment",
        ));
    }
    redis::IntoConnectionInfo::into_connection_info(url).map_err(RedisConfigError::url)
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Node(client) => {
                // Where it points only: the connection info holds the password.
                let addr = client.get_connection_info().addr();
                f.debug_struct("RedisConfig")
                    .field("node", &addr.to_string())
                    .field("tls", &matches!(addr, redis::ConnectionAddr::TcpTls { .. }))
                    .finish()
            }
            #[cfg(feature = "cluster")]
            Kind::Cluster(seeds) => f.debug_struct("RedisConfig").field("cluster", seeds).finish(),
            #[cfg(feature = "sentinel")]
            Kind::Sentinel(spec) => f.debug_struct("RedisConfig").field("sentinel", spec).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_url_with_a_password_never_shows_it() {
        let config = RedisConfig::node("redis://store:hunter2-pw@127.0.0.1:6380/3").expect("a url");
        let shown = format!("{config:?}");
        assert!(
            shown.contains("127.0.0.1:6380") && !shown.contains("hunter2-pw") && !shown.contains("store")
        );
    }

    #[test]
    fn urls_the_store_does_not_use_are_refused_without_their_password() {
        for url in [
            "http://u:hunter2-pw@127.0.0.1:6379/",
            "unix:///tmp/redis.sock",
            "redis://u:hunter2-pw@127.0.0.1:6379/not-a-db",
            "redis://u:hunter2-pw@127.0.0.1:6379/#insecure",
            "redis://u:hunter2-pw@/",
            "127.0.0.1:6379",
        ] {
            let error = RedisConfig::node(url).expect_err(url);
            assert_eq!(error.kind(), RedisConfigErrorKind::Url, "{url}");
            let mut shown = format!("{error} {error:?}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                shown.push_str(&cause.to_string());
                source = cause.source();
            }
            assert!(!shown.contains("hunter2-pw"), "{url}: {shown}");
        }
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn rediss_needs_the_tls_feature() {
        let error = RedisConfig::node("rediss://127.0.0.1:6379/").expect_err("no tls");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
    }

    #[cfg(feature = "tls")]
    #[test]
    fn root_certificates_that_are_not_certificates_are_refused() {
        let tls = || RedisConfig::node("rediss://127.0.0.1:6379/").expect("a tls url");
        for pem in [
            &b""[..],
            b"not pem at all",
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        ] {
            let error = tls().root_certificates(pem).expect_err("refused");
            assert_eq!(error.kind(), RedisConfigErrorKind::Certificates);
        }
    }

    #[cfg(feature = "sentinel")]
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

    #[cfg(feature = "sentinel")]
    #[test]
    fn node_settings_are_refused_where_they_would_be_ignored() {
        let node = RedisConfig::node("redis://127.0.0.1:6379/").expect("a url");
        let error = node.clone().node_auth(None, "pw").expect_err("not sentinel");
        assert_eq!(error.kind(), RedisConfigErrorKind::NodeSettings);
        let error = node.node_database(1).expect_err("not sentinel");
        assert_eq!(error.kind(), RedisConfigErrorKind::NodeSettings);
    }

    #[cfg(feature = "sentinel")]
    #[test]
    fn a_sentinel_config_needs_a_sentinel() {
        let error = RedisConfig::sentinel(Vec::<String>::new(), "tokens").expect_err("none");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
        let error = RedisConfig::sentinel(["http://127.0.0.1:26379"], "tokens").expect_err("http");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
    }

    #[cfg(feature = "cluster")]
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

    #[cfg(feature = "cluster")]
    #[test]
    fn a_cluster_config_needs_seeds_that_are_redis_urls() {
        let error = RedisConfig::cluster(Vec::<String>::new()).expect_err("no seeds");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
        let error =
            RedisConfig::cluster(["redis://127.0.0.1:7000", "127.0.0.1:7001"]).expect_err("no scheme");
        assert_eq!(error.kind(), RedisConfigErrorKind::Url);
    }
}
