//! Many tenants in one process: [`TokenPool`], a bounded map from keys to per-key token
//! lifecycles, lock-free on the warm path.
//!
//! Each entry is a [`Provider`](crate::Provider) of its own — single flight, refresh ahead, stale while
//! valid, backoff, `Retry-After`, hold-off and `invalidate` per key — over the pool's one
//! transport (one connection pool per host) and clock, so an entry is a lifecycle and a
//! token, not an HTTP client.
//!
//! - **Warm path:** a hash, an atomic load of one shard's map, a lookup, and the copy of
//!   the entry's token snapshot the table keeps beside its provider, checked against the
//!   provider's snapshot generation (one atomic load in the cache line that also holds the
//!   entry's use flag); no lock, no allocation. The map is copy-on-write per shard (64
//!   shards behind `ArcSwap`): inserts, which are rare, copy one shard, and so does the
//!   first slow call after the provider has published (a new token, a refresh started,
//!   an invalidation through the pool or through a handle).
//! - **Isolation:** one key's slow or failing endpoint only ever holds up that key's
//!   callers; its retries and hold-offs are its own.
//! - **Bounded:** at most `max_entries`. An entry not asked for during `idle_timeout` is
//!   dropped; when full, the least recently used entry goes. An entry in use — a caller
//!   waiting on it, a request in flight, a [`provider`](TokenPool::provider) handle held —
//!   is never evicted; when every entry is in use, a new key gets [`PoolError::Full`].
//!   Use is recorded the way the CLOCK algorithm does: a hit sets the entry's flag (a
//!   read, and a write only if unset), and the pool's sweeps turn flags into times: at
//!   its writes (inserts and misses; a full sweep at most every quarter of the idle
//!   timeout, and whenever it is full) and on [`evict_idle`](TokenPool::evict_idle). So
//!   an idle entry is never dropped early — it goes at the first sweep once it has been
//!   unused for `idle_timeout` since the sweep that last saw it used — and "least
//!   recently used" is exact to the pool's last sweep. Call `evict_idle` on a timer if
//!   your pool sees no new keys for long.
//! - **Bounded requests:** at most `max_concurrent_fetches` token requests in flight over
//!   all entries ([`DEFAULT_MAX_CONCURRENT_FETCHES`]), so a cold start of many keys does
//!   not open a connection per key at once and draw a rate-limited endpoint's 429s. The
//!   rest wait in line, first come, first served, each until its request's deadline; a
//!   caller waits at most its `max_wait`, as for any request in flight. A refresh ahead
//!   counts against the bound but waits in the background, its still-valid token handed
//!   out meanwhile; warm hits never wait. See [`PoolBuilder::max_concurrent_fetches`].
//! - **Keys:** [`PoolKey`] (token URL, client id, scopes in any order) for configurations
//!   you [`insert`](TokenPool::insert), or a key type of your own (a tenant id) with a
//!   resolver the pool calls on a miss to load that key's configuration. A resolver
//!   failure is that key's typed error, cached for `resolve_hold_off` so a failing lookup
//!   is not retried in a hot loop.

mod builder;
pub(crate) mod error;
mod key;
mod settings;
mod slot;
mod table;
mod token_pool;

pub use builder::PoolBuilder;
#[cfg(feature = "async")]
pub use error::ResolveFuture;
pub use error::{PoolError, ResolveError};
pub use key::PoolKey;
pub use settings::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONCURRENT_FETCHES, DEFAULT_MAX_ENTRIES, DEFAULT_RESOLVE_HOLD_OFF,
};
pub(crate) use slot::Slot;
pub use token_pool::TokenPool;
