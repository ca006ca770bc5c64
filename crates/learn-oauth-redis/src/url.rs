//! The one error opening a store can fail with: a URL redis-rs will not use.

/// The Redis URL could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid redis url")]
pub struct RedisUrlError(#[source] pub(crate) redis::RedisError);
