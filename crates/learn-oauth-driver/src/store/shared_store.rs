//! [`SharedStore`]: a store adapter with how a fleet uses it (policy, sealing) and the
//! breaker and owner id every provider using it shares.

use std::fmt;
use std::sync::{Arc, Mutex};

use learn_oauth_proto::store::{StoreBreaker, StorePolicy};

#[cfg(feature = "async")]
use super::adapter::AsyncStore;
use super::adapter::{BlockingStore, StoreKeyNames};
use super::value::{self, Sealing};

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
