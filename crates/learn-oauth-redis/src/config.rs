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
#[derive(Clone)]
pub(crate) enum Kind {
    /// One Redis server (or a proxy in front of several): a client for its URL, with the
    /// root certificates it trusts when the URL is `rediss://`.
    Node(redis::Client),
}

impl RedisConfig {
    /// One Redis server at `url`: `redis://[user:password@]host:port/db`, or
    /// `rediss://[user:password@]host:port/db` (TLS, feature `tls`; the server's
    /// certificate is checked against the webpki roots, or against
    /// [`root_certificates`](Self::root_certificates)). User name and password may be
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
        };
        Ok(Self { kind })
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
}
