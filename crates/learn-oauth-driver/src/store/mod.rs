//! Sharing tokens across a fleet of replicas through a store (Redis, for one), so N
//! processes make about one token request per refresh period instead of N.
//!
//! Give a provider (or a [`TokenPool`](crate::TokenPool), for all its entries) a
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
//!   scopes; [`StoreKeyNames`]); no secret is ever written. Values hold the token, so give
//!   a [`Sealing`] key: values are then sealed with ChaCha20-Poly1305, bound to their key
//!   name, and a value that fails to open (wrong key, tampered, copied, plaintext) is
//!   a miss, never served and never a crash. Entries expire with their token, timed by
//!   the store's own clock ([`StoreTime`], from the latest read), so replicas' clocks
//!   need not agree and a write that lands late cannot make an entry outlive its token.
//!
//! A store adapter implements [`BlockingStore`] or `AsyncStore` (five operations over
//! bytes); `learn-oauth-redis` does it for Redis.

mod adapter;
mod run;
mod value;

use std::fmt;
use std::sync::{Arc, Mutex};

use learn_oauth_proto::store::{StoreBreaker, StorePolicy};

#[cfg(feature = "async")]
pub use adapter::{AsyncStore, StoreFuture};
pub use adapter::{BlockingStore, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord, StoreTime};
pub(crate) use run::StoreHandle;
pub use value::{MAX_VALUE_BYTES, Sealing, SealingKey, SealingKeyError};

/// A store shared by a fleet of replicas, with how to use it: the protocol's
/// [`StorePolicy`], the values' [`Sealing`], and the breaker every provider using this
/// store shares (a dead store is dead for every tenant). Cheap to clone; clones share the
/// breaker and the owner id.
///
/// `S` is the flavour's store trait object: `SharedStore<dyn BlockingStore>` for blocking
/// providers ([`SharedStore::blocking`]), `SharedStore<dyn AsyncStore>` for async ones
/// (`SharedStore::asynchronous`, feature `async`).
pub struct SharedStore<S: ?Sized> {
    pub(crate) store: Arc<S>,
    pub(crate) policy: StorePolicy,
    pub(crate) sealing: Option<Arc<Sealing>>,
    pub(crate) state: Arc<StoreState>,
}

/// What every user of one [`SharedStore`] shares.
pub(crate) struct StoreState {
    pub(crate) breaker: Mutex<StoreBreaker>,
    /// This process's lease owner id: random, 128 bits, hex.
    pub(crate) owner: String,
}

impl SharedStore<dyn BlockingStore> {
    /// A store for blocking providers, with the default [`StorePolicy`] and no
    /// sealing.
    pub fn blocking(store: impl BlockingStore) -> Self {
        Self::from_arc(Arc::new(store))
    }
}

#[cfg(feature = "async")]
impl SharedStore<dyn AsyncStore> {
    /// A store for async providers, with the default [`StorePolicy`] and no sealing.
    pub fn asynchronous(store: impl AsyncStore) -> Self {
        Self::from_arc(Arc::new(store))
    }
}

impl<S: ?Sized> SharedStore<S> {
    fn from_arc(store: Arc<S>) -> Self {
        Self {
            store,
            policy: StorePolicy::default(),
            sealing: None,
            state: Arc::new(StoreState {
                breaker: Mutex::new(StoreBreaker::new()),
                owner: value::random_owner(),
            }),
        }
    }

    /// How the store is used: timeouts, the wait for a peer, the breaker. Default:
    /// [`StorePolicy::default`].
    #[must_use]
    pub fn policy(mut self, policy: StorePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Seals every value written and opens values read with `sealing` (strongly
    /// advised: without it, anyone who can read the store can read bearer tokens).
    #[must_use]
    pub fn sealing(mut self, sealing: Sealing) -> Self {
        self.sealing = Some(Arc::new(sealing));
        self
    }

    /// The store adapter.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The key names tokens for `config` are stored under.
    #[must_use]
    pub fn key_names_for(&self, config: &learn_oauth_proto::ClientConfig) -> StoreKeyNames {
        value::key_names_for(config)
    }

    /// Whether the breaker is open now, by `now` on the provider's clock.
    #[must_use]
    pub fn breaker_open(&self, now: std::time::Instant) -> bool {
        self.state
            .breaker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_open(now)
    }
}

impl<S: ?Sized> Clone for SharedStore<S> {
    fn clone(&self) -> Self {
        Self {
            store: Arc::clone(&self.store),
            policy: self.policy.clone(),
            sealing: self.sealing.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

impl<S: ?Sized + fmt::Debug> fmt::Debug for SharedStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedStore")
            .field("store", &&*self.store)
            .field("policy", &self.policy)
            .field("sealed", &self.sealing.is_some())
            .finish_non_exhaustive()
    }
}
