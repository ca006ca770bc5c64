//! [`SharedStore`]: a store adapter with how a fleet uses it (policy, sealing) and the
//! breaker and owner id every provider using it shares.

use std::fmt;
use std::sync::{Arc, Mutex};

use learn_oauth_proto::store::{StoreBreaker, StorePolicy};
use ring::rand::{SecureRandom, SystemRandom};

#[cfg(feature = "async")]
use super::adapter::AsyncStore;
use super::adapter::{BlockingStore, StoreKeyNames};
use super::sealing::Sealing;
use super::value;

/// A store shared by a fleet of replicas, with how to use it: the values' [`Sealing`],
/// the protocol's [`StorePolicy`], and the breaker every provider using this store shares
/// (a dead store is dead for every tenant). Cheap to clone; clones share the breaker and
/// the owner id.
///
/// The sealing key is what admits a replica: every value is sealed with it, and a value
/// is adopted only if it opens with it, so someone who can write to the store but has no
/// key can make replicas fall back to their own requests, never hand out a token or
/// honour a cool-down of their choosing.
///
/// `S` is the flavour's store trait object: `SharedStore<dyn BlockingStore>` for blocking
/// providers ([`SharedStore::blocking`]), `SharedStore<dyn AsyncStore>` for async ones
/// (`SharedStore::asynchronous`, feature `async`).
pub struct SharedStore<S: ?Sized> {
    pub(crate) store: Arc<S>,
    pub(crate) policy: StorePolicy,
    pub(crate) sealing: Arc<Sealing>,
    pub(crate) state: Arc<StoreState>,
}

/// What every user of one [`SharedStore`] shares.
pub(crate) struct StoreState {
    pub(crate) breaker: Mutex<StoreBreaker>,
    /// This process's lease owner id: random, 128 bits, hex.
    pub(crate) owner: String,
}

impl SharedStore<dyn BlockingStore> {
    /// A store for blocking providers, its values sealed and opened with `sealing`, with
    /// the default [`StorePolicy`].
    pub fn blocking(store: impl BlockingStore, sealing: Sealing) -> Self {
        Self::from_arc(Arc::new(store), sealing)
    }
}

#[cfg(feature = "async")]
impl SharedStore<dyn AsyncStore> {
    /// A store for async providers, its values sealed and opened with `sealing`, with
    /// the default [`StorePolicy`].
    pub fn asynchronous(store: impl AsyncStore, sealing: Sealing) -> Self {
        Self::from_arc(Arc::new(store), sealing)
    }
}

impl<S: ?Sized> SharedStore<S> {
    fn from_arc(store: Arc<S>, sealing: Sealing) -> Self {
        Self {
            store,
            policy: StorePolicy::default(),
            sealing: Arc::new(sealing),
            state: Arc::new(StoreState {
                breaker: Mutex::new(StoreBreaker::new()),
                owner: random_owner(),
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
            sealing: Arc::clone(&self.sealing),
            state: Arc::clone(&self.state),
        }
    }
}

impl<S: ?Sized + fmt::Debug> fmt::Debug for SharedStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedStore")
            .field("store", &&*self.store)
            .field("policy", &self.policy)
            .field("sealing", &self.sealing)
            .finish_non_exhaustive()
    }
}

/// A random lease owner id: 128 bits from the OS, hex (a per-process counter's value
/// mixed with std's random hash keys if the OS has no randomness: the lease is an
/// efficiency lease, and a clash costs one extra request).
fn random_owner() -> String {
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let a = crate::clock::random_seed().to_be_bytes();
        let b = crate::clock::random_seed().to_be_bytes();
        bytes[..8].copy_from_slice(&a);
        bytes[8..].copy_from_slice(&b);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
