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
//! use learn_oauth_redis::{RedisConfig, RedisStore};
//! # fn key_from_your_secret_manager() -> String { String::new() }
//!
//! // Connects lazily: building this never fails because Redis is down.
//! let redis = RedisStore::open(RedisConfig::node("redis://127.0.0.1:6379/")?);
//! let key = SealingKey::from_base64(1, &key_from_your_secret_manager())?;
//! let store = SharedStore::blocking(redis, Sealing::new(key));
//! // ProviderBuilder::shared_store(store) or PoolBuilder::shared_store(store)
//! # let _ = store;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What Redis holds, per token (one hash tag, so Redis Cluster keeps them in one slot):
//!
//! | key | value | expires |
//! |---|---|---|
//! | `learn-oauth:v1:{<hash>}:token` | the token, sealed with your key, with its expiry and issue time inside | with the token (`PXAT`, Redis's clock) |
//! | `learn-oauth:v1:{<hash>}:lease` | the lease holder's random owner id | request deadline + 1 s |
//! | `learn-oauth:v1:{<hash>}:cooldown` | a sealed marker with its end inside | the endpoint's `Retry-After` |
//! | `learn-oauth:v1:{<hash>}:published` | a pub/sub channel, not a key: an empty message after each publish and cool-down | — |
//!
//! `<hash>` is a SHA-256 of token URL, tenant, client id and sorted scopes: no secret is
//! in any key or value.
//!
//! **What a Redis writer can do.** Without your sealing key: delete or garble entries and
//! hold the lease, which makes replicas request their own tokens (more requests, never a
//! wrong token); a value or cool-down it writes, or moves from another key, does not open
//! and is refused (counted in `StoreStats::values_refused` / `cool_downs_ignored`), and an
//! old sealed value it writes back is refused by any replica that has seen a newer one.
//! With your key, it is one of the fleet: it chooses the token.
//!
//! Every operation is one round trip: a `MULTI` read of the value and the cool-down
//! marker with their `PTTL`s, the lease's existence and `TIME`; `SET NX PX` for the lease; Lua scripts
//! for publish-then-release and compare-and-delete. Each is bounded by the store policy's
//! `op_timeout` (for [`RedisStore`], socket timeouts set to the time left before each
//! command and each reply, no thread per operation, except on a cluster, whose client may
//! reconnect and map slots within one operation: there each runs on a short-lived thread;
//! the provider's own cut-off too for `AsyncRedisStore`, feature `async`).
//!
//! On a Redis Cluster (`RedisConfig::cluster`, feature `cluster`), every operation names
//! keys of one token only, which share a hash tag: it runs in one slot, and redis-rs's
//! cluster client follows `MOVED`, `ASK` and a primary's failover. Through Sentinel
//! (`RedisConfig::sentinel`, feature `sentinel`), each new connection asks the Sentinels
//! for the primary; one that breaks or answers `READONLY` (its node demoted) is replaced.
//!
//! **Waiting replicas are told.** A replica waiting for the lease holder wakes as soon as
//! it publishes: each store keeps one subscriber connection (`PSUBSCRIBE
//! learn-oauth:v1:*:published`; a thread for [`RedisStore`], a task for the async store),
//! made on first use and shared by every wait. A message is only a hint to read again, so
//! a forged `PUBLISH` costs a read. Where the subscription is refused (an ACL user needs
//! the channel pattern `&learn-oauth:v1:*:published`) or lost, waiting replicas poll, as
//! the store policy's `poll_interval` says.
//!
//! # Features
//!
//! | feature | adds |
//! |---|---|
//! | (none) | [`RedisStore`], for blocking providers |
//! | `async` | `AsyncRedisStore`, for async providers (redis-rs's reconnecting `ConnectionManager`) |
//! | `tls` | `rediss://` URLs over rustls and `RedisConfig::root_certificates`, for `RedisStore` |
//! | `async-tls` | `rediss://` for `AsyncRedisStore` too |
//! | `cluster` | `RedisConfig::cluster`, a Redis Cluster, for `RedisStore` |
//! | `async-cluster` | `RedisConfig::cluster` for `AsyncRedisStore` too |
//! | `sentinel` | `RedisConfig::sentinel`, a primary found through Redis Sentinel, for both stores |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "async")]
mod async_connection;
#[cfg(feature = "async")]
mod asynchronous;
mod blocking;
mod blocking_connection;
#[cfg(feature = "cluster")]
mod cluster;
mod commands;
mod config;
mod deadline;
mod error;
mod notify;
#[cfg(feature = "sentinel")]
mod sentinel;
#[cfg(feature = "tls")]
mod tls;

#[cfg(feature = "async")]
pub use asynchronous::AsyncRedisStore;
pub use blocking::RedisStore;
pub use config::RedisConfig;
pub use error::{RedisConfigError, RedisConfigErrorKind};
