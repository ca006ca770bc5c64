#[cfg(feature = "redis-async")]
pub use learn_oauth_redis::AsyncRedisStore;
pub use learn_oauth_redis::{RedisConfig, RedisConfigError, RedisConfigErrorKind, RedisStore};
