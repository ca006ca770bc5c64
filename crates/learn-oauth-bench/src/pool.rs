//! Warm hits through a [`TokenPool`] holding many keys, against one provider and a
//! `Mutex<HashMap<PoolKey, Provider>>`, over the canned in-memory exchange:
//! instructions (`src/bin/pool_count.rs` under callgrind) and throughput across threads
//! (`src/bin/pool_threads.rs`).
//!
//! | side | what one warm hit does |
//! |---|---|
//! | `pool` | `pool.token(&key)` on a pool of `n` keys, each holding a token, keys in a scattered order |
//! | `provider` | one blocking provider's `token()` |
//! | `mutex-map` | lock a `Mutex<HashMap<PoolKey, Provider>>`, look the key up, clone the provider, unlock, `token()` |

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use learn_oauth_driver::pool::{PoolKey, TokenPool};
use learn_oauth_driver::{Blocking, Provider};
use learn_oauth_proto::{AccessToken, ClientConfig};

use crate::fixture;
use crate::warm::Canned;

/// How many keys the pool and the map hold.
pub const KEYS: usize = 10_000;

/// The step between consecutive keys (mod the key count): a prime that shares no factor
/// with it.
const STRIDE: usize = 7_919;

type CannedProvider = Provider<Blocking<Canned>>;

crate::sides! {
    /// The sides of the pool benchmarks.
    pub enum PoolSide {
        /// Our pool, [`KEYS`] keys.
        Pool => "pool",
        /// One provider.
        Provider => "provider",
        /// The mutex-guarded map, [`KEYS`] keys.
        MutexMap => "mutex-map",
    }
}

/// Tenant `n`'s configuration (the canned exchange answers any URL).
#[must_use]
pub fn tenant_config(n: usize) -> ClientConfig {
    ClientConfig::builder()
        .token_url(format!("https://bench.invalid/oauth2/token/tenant-{n}"))
        .tenant_id(format!("tenant-{n}"))
        .client_secret(fixture::CLIENT_SECRET)
        .build()
        .expect("a valid configuration")
}

/// One side, warmed up: every key holds a token.
pub struct PoolPrepared {
    side: PoolSide,
    keys: Vec<PoolKey>,
    pool: TokenPool<Blocking<Canned>>,
    provider: CannedProvider,
    map: Mutex<HashMap<PoolKey, CannedProvider>>,
}

impl fmt::Debug for PoolPrepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolPrepared")
            .field("side", &self.side)
            .finish_non_exhaustive()
    }
}

impl PoolPrepared {
    /// Builds `side` with [`KEYS`] keys (one for `provider`) and gets each a token.
    ///
    /// # Panics
    ///
    /// If the canned exchange does not yield a token (a broken fixture).
    #[must_use]
    pub fn new(side: PoolSide) -> Self {
        let keys_wanted = if side == PoolSide::Provider { 1 } else { KEYS };
        let pool = TokenPool::<Blocking<Canned>>::builder(Canned)
            .max_entries(KEYS)
            .build();
        let mut map = HashMap::new();
        let mut keys = Vec::with_capacity(keys_wanted);
        for n in 0..keys_wanted {
            let config = tenant_config(n);
            let key = if side == PoolSide::MutexMap {
                let key = PoolKey::of(&config);
                let provider = CannedProvider::builder(config)
                    .transport(Canned)
                    .build()
                    .expect("a provider with a transport");
                provider.token().expect("a token");
                map.insert(key.clone(), provider);
                key
            } else {
                // The key insert returns: a lookup compares one pointer.
                let (key, _) = pool.insert(config).expect("room");
                pool.token(&key).expect("a token");
                key
            };
            keys.push(key);
        }
        let provider = CannedProvider::builder(fixture::config())
            .transport(Canned)
            .build()
            .expect("a provider with a transport");
        provider.token().expect("a token");
        Self {
            side,
            keys,
            pool,
            provider,
            map: Mutex::new(map),
        }
    }

    /// The key of the `i`-th warm hit. Keys are taken in a fixed scattered order (a
    /// stride coprime with the key count), as requests from many tenants arrive: in
    /// turn, the hardware prefetcher would follow whichever side's objects happen to lie
    /// in allocation order.
    #[inline]
    #[must_use]
    pub fn key(&self, i: usize) -> &PoolKey {
        &self.keys[i.wrapping_mul(STRIDE) % self.keys.len()]
    }

    /// A warm hit through the pool for `key`; `None` if it was not one.
    #[inline]
    pub fn pool_hit(&self, key: &PoolKey) -> Option<AccessToken> {
        self.pool.token(key).ok()
    }

    /// A warm hit of the one provider; `None` if it was not one.
    #[inline]
    pub fn provider_hit(&self) -> Option<AccessToken> {
        self.provider.token().ok()
    }

    /// A warm hit through the mutex-guarded map for `key`; `None` if it was not one.
    #[inline]
    pub fn mutex_map_hit(&self, key: &PoolKey) -> Option<AccessToken> {
        let provider = {
            let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
            map.get(key)?.clone()
        };
        provider.token().ok()
    }

    /// The `i`-th warm hit of this side (its key chosen by [`Self::key`]); `None` if it
    /// was not one.
    #[inline]
    pub fn run(&self, i: usize) -> Option<AccessToken> {
        match self.side {
            PoolSide::Pool => self.pool_hit(self.key(i)),
            PoolSide::Provider => self.provider_hit(),
            PoolSide::MutexMap => self.mutex_map_hit(self.key(i)),
        }
    }

    /// This side.
    #[must_use]
    pub fn side(&self) -> PoolSide {
        self.side
    }
}
