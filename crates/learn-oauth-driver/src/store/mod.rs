//! Sharing tokens across a fleet of replicas through a store (Redis, for one), so N
//! processes make about one token request per refresh period instead of N.
//!
//! Give a provider (or a [`TokenPool`](crate::pool::TokenPool), for all its entries) a
//! [`SharedStore`]: `ProviderBuilder::shared_store`, `PoolBuilder::shared_store`. The
//! protocol is the core's ([`learn_oauth_proto::store`]); this module carries it out:
//!
//! - **The warm path is untouched**: a `token()` that finds a fresh token never sees the
//!   store. The store is consulted only when the lifecycle wants a token (cold start,
//!   refresh point, invalidation), and written after each successful request.
//! - **One request per refresh period**: the first replica to want a token takes a lease
//!   (`SET NX PX` with a random owner), requests the token, publishes it and releases the
//!   lease (compare-and-delete); the others find the new token in the store. A replica
//!   without a usable token waits for the lease holder at most
//!   [`StorePolicy::peer_wait`](learn_oauth_proto::store::StorePolicy::peer_wait), then
//!   requests its own. A 429 or 503 with `Retry-After` seen by the lease holder becomes a
//!   fleet-wide cool-down.
//! - **The store can fail**: each operation is bounded by
//!   [`StorePolicy::op_timeout`](learn_oauth_proto::store::StorePolicy::op_timeout); any
//!   failure sends that request to the token endpoint on its own, and after
//!   `breaker_threshold` failures in a row the store is left alone for `breaker_open`
//!   (requests go straight to the endpoint, as without a store). Connections are the
//!   adapter's and lazy: a provider starts with the store down.
//! - **What the store sees**: key names are the digest of the token's
//!   [`TokenIdentity`](learn_oauth_proto::TokenIdentity) (token URL, tenant, client id,
//!   scopes; [`StoreKeyNames`]); no secret is ever written.
//! - **What the store is trusted with: nothing it could forge.** A [`SharedStore`] needs
//!   a [`Sealing`] key, and every value (the token, the cool-down marker) is sealed with
//!   ChaCha20-Poly1305, bound to its key name, its expiry and issue time inside the seal.
//!   A value that fails to open (plaintext, planted, another key, tampered, moved from
//!   another key name) is refused: a miss, counted in
//!   [`StoreStats`](crate::StoreStats) and traced, never served and never a crash.
//!   A replica never adopts a value older than one it has seen for the key, nor a token
//!   the resource refused ([`StoreHistory`](learn_oauth_proto::store::StoreHistory)), so
//!   an old sealed value written back is refused too. Entries expire with their token,
//!   timed by the store's own clock ([`StoreTime`], from the latest read), so replicas'
//!   clocks need not agree and a write that lands late cannot make an entry outlive its
//!   token.
//!
//! A store adapter implements [`BlockingStore`] or `AsyncStore` (five operations over
//! bytes, and optionally a [`BlockingWatch`] or `AsyncWatch` so replicas waiting for a
//! peer are told of its publish instead of polling); `learn-oauth-redis` does it for Redis.

mod adapter;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod run;
mod sealing;
mod shared_store;
mod value;
mod watch;

#[cfg(feature = "async")]
pub use adapter::{AsyncStore, StoreFuture};
pub use adapter::{BlockingStore, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord};
pub use learn_oauth_proto::store::StoreTime;
pub(crate) use run::StoreHandle;
pub use sealing::{Sealing, SealingKey, SealingKeyError};
pub use shared_store::SharedStore;
pub use value::MAX_VALUE_BYTES;
#[cfg(feature = "async")]
pub use watch::AsyncWatch;
pub use watch::BlockingWatch;
