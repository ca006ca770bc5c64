//! # learn-oauth-redis
//!
//! A Redis [shared store](learn_oauth_driver::store) for `learn-oauth`: give every
//! replica of a service the same Redis, and the fleet makes about one token request per
//! refresh period instead of one per replica, with a fleet-wide cool-down when the token
//! endpoint answers 429, and each replica falling back to its own requests, within a
//! bounded time, when Redis is down, slow or unreachable.
//!
//! ```no_run
//! use learn_oauth_driver::store::{Sealing, SharedStore, SealingKey};
//! use learn_oauth_redis::RedisStore;
//! # fn key_from_your_secret_manager() -> String { String::new() }
//!
//! // Connects lazily: building this never fails because Redis is down.
//! let redis = RedisStore::open("redis://127.0.0.1:6379/")?;
//! let key = SealingKey::from_base64(1, &key_from_your_secret_manager())?;
//! let store = SharedStore::blocking(redis).sealing(Sealing::new(key));
//! // ProviderBuilder::shared_store(store) or PoolBuilder::shared_store(store)
//! # let _ = store;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What Redis holds, per token (one hash tag, so Redis Cluster keeps them in one slot):
//!
//! | key | value | expires |
//! |---|---|---|
//! | `learn-oauth:v1:{<hash>}:token` | the token, sealed with your key when you give one | with the token (`PXAT`, Redis's clock) |
//! | `learn-oauth:v1:{<hash>}:lease` | the lease holder's random owner id | request deadline + 1 s |
//! | `learn-oauth:v1:{<hash>}:cooldown` | `1` | the endpoint's `Retry-After` |
//!
//! `<hash>` is a SHA-256 of token URL, tenant, client id and sorted scopes: no secret is
//! in any key or value.
//!
//! Every operation is one round trip: a `MULTI` read of value, its `PTTL`, the
//! cool-down's `PTTL`, the lease's existence and `TIME`; `SET NX PX` for the lease; Lua scripts
//! for publish-then-release and compare-and-delete. Each is bounded by the store policy's
//! `op_timeout` (socket timeouts for [`RedisStore`]; the provider's own cut-off too for
//! `AsyncRedisStore`, feature `async`).
//!
//! # Features
//!
//! | feature | adds |
//! |---|---|
//! | (none) | [`RedisStore`], for blocking providers |
//! | `async` | `AsyncRedisStore`, for async providers (redis-rs's reconnecting `ConnectionManager`) |
//! | `tls` | `rediss://` URLs over rustls, for `RedisStore` |
//! | `async-tls` | `rediss://` for `AsyncRedisStore` too |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "async")]
mod asynchronous;
mod blocking;
mod commands;
mod url;

#[cfg(feature = "async")]
pub use asynchronous::AsyncRedisStore;
pub use blocking::RedisStore;
pub use url::RedisUrlError;
