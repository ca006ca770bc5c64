//! [`RedisConfigError`]: the one error making a [`RedisConfig`](crate::RedisConfig) can fail with.

/// A [`RedisConfig`](crate::RedisConfig) could not be made. Its message and source never hold a password.
#[derive(Debug, thiserror::Error)]
#[error("invalid redis configuration: {reason}")]
pub struct RedisConfigError {
    kind: RedisConfigErrorKind,
    reason: &'static str,
    #[source]
    source: Option<redis::RedisError>,
}

/// What was wrong with a [`RedisConfig`](crate::RedisConfig).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedisConfigErrorKind {
    /// A URL that is not a Redis URL this crate uses.
    Url,
    /// Root certificates that do not parse, or that a configuration without TLS would ignore.
    Certificates,
    /// Credentials or a database for the data nodes of a configuration that is not
    /// Sentinel's (`RedisConfig::sentinel`, feature `sentinel`; a node's or a cluster's
    /// are in its URLs): they would be ignored.
    NodeSettings,
}

impl RedisConfigError {
    /// What was wrong.
    #[must_use]
    pub fn kind(&self) -> RedisConfigErrorKind {
        self.kind
    }

    pub(crate) fn new(kind: RedisConfigErrorKind, reason: &'static str) -> Self {
        Self {
            kind,
            reason,
            source: None,
        }
    }

    /// A URL redis-rs refused (its messages name the part, never its value's secret).
    pub(crate) fn url(source: redis::RedisError) -> Self {
        Self {
            kind: RedisConfigErrorKind::Url,
            reason: "not a redis url",
            source: Some(source),
        }
    }

    #[cfg(feature = "tls")]
    pub(crate) fn certificates(reason: &'static str, source: Option<redis::RedisError>) -> Self {
        Self {
            kind: RedisConfigErrorKind::Certificates,
            reason,
            source,
        }
    }
}
