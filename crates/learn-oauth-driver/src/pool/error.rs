//! What a pool's callers and resolvers can fail with.

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "async")]
use learn_oauth_proto::ClientConfig;
use learn_oauth_proto::Error;

/// What a pool's `token()` can fail with, for one key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The key's token could not be had: the same typed error a provider gives.
    #[error(transparent)]
    Token(#[from] Error),
    /// The key was not inserted and the pool has no resolver.
    #[error("no configuration for this key: it was not inserted and the pool has no resolver")]
    UnknownKey,
    /// The resolver failed for this key; answered from memory until the pool's
    /// `resolve_hold_off` has passed.
    #[error("resolving the configuration for this key failed")]
    Resolve(#[source] ResolveError),
    /// The pool holds `max` entries and every one is in use: none could be evicted for
    /// this key.
    #[error("the token pool is full ({max} entries, all in use)")]
    Full {
        /// The pool's `max_entries`.
        max: usize,
    },
}

impl PoolError {
    /// The token error, if that is what this is.
    #[must_use]
    pub fn token_error(&self) -> Option<&Error> {
        match self {
            Self::Token(error) => Some(error),
            _ => None,
        }
    }
}

/// A resolver's failure, shared by every caller that gets it.
///
/// Its `Display` is fixed text; the resolver's own error is its
/// [`source`](std::error::Error::source) — keep secrets out of it.
#[derive(Clone)]
pub struct ResolveError(Arc<dyn std::error::Error + Send + Sync>);

impl ResolveError {
    /// Wraps a resolver's error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(Arc::from(error.into()))
    }
}

impl fmt::Debug for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResolveError").field(&self.0.to_string()).finish()
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the resolver failed")
    }
}

impl std::error::Error for ResolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// What an async pool's resolver returns: the key's configuration, later.
#[cfg(feature = "async")]
pub type ResolveFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<ClientConfig, ResolveError>> + Send + 'static>>;
