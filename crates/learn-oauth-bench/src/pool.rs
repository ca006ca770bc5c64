//! Warm hits through a [`TokenPool`] of [`KEYS`] keys, against one provider and a
//! `Mutex<HashMap<PoolKey, Provider>>` (lock, look up, clone the provider, unlock,
//! `token()`), over the canned in-memory exchange (section 2c): instructions (`count pool`
//! under callgrind) and throughput across threads (`src/bin/pool_threads.rs`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use learn_oauth_driver::pool::{PoolKey, TokenPool};
use learn_oauth_driver::{Blocking, Provider};
use learn_oauth_proto::{AccessToken, ClientConfig};

use crate::fixture::{self, Canned};

/// How many keys the pool and the map hold.
pub const KEYS: usize = 10_000;

/// The step between consecutive keys (mod the key count): a prime that shares no factor
/// with it.
const STRIDE: usize = 7_919;

/// The sides, in report order.
pub const SIDES: [&str; 3] = ["pool", "provider", "mutex-map"];

type CannedProvider = Provider<Blocking<Canned>>;

/// Tenant `n`'s configuration (the canned exchange answers any URL).
#[must_use]
pub fn tenant_config(n: usize) -> ClientConfig {
    let builder = ClientConfig::builder().token_url(format!("https://bench.invalid/oauth2/token/tenant-{n}"));
    let builder = builder
        .tenant_id(format!("tenant-{n}"))
        .client_secret(fixture::CLIENT_SECRET);
    builder.build().expect("a valid configuration")
}

/// One side, warmed up: every key holds a token.
#[derive(Debug)]
pub struct Pool {
    side: usize,
    keys: Vec<PoolKey>,
    pool: TokenPool<Blocking<Canned>>,
    provider: CannedProvider,
    map: Mutex<HashMap<PoolKey, CannedProvider>>,
}

impl Pool {
    /// Builds `side` with [`KEYS`] keys (one for `provider`) and gets each a token;
    /// `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str) -> Option<Self> {
        let side = SIDES.iter().position(|s| *s == side)?;
        let keys_wanted = if side == 1 { 1 } else { KEYS };
        let pool = TokenPool::<Blocking<Canned>>::builder(Canned)
            .max_entries(KEYS)
            .build();
        let mut map = HashMap::new();
        let mut keys = Vec::with_capacity(keys_wanted);
        for n in 0..keys_wanted {
            let config = tenant_config(n);
            keys.push(if side == 2 {
                let key = PoolKey::of(&config);
                map.insert(key.clone(), fixture::warm_blocking(config));
                key
            } else {
                // The key insert returns: a lookup compares one pointer.
                let (key, _) = pool.insert(config).expect("room");
                pool.token(&key).expect("a token");
                key
            });
        }
        let provider = fixture::warm_blocking(fixture::config());
        Some(Self {
            side,
            keys,
            pool,
            provider,
            map: Mutex::new(map),
        })
    }

    /// This side's name.
    #[must_use]
    pub fn side(&self) -> &'static str {
        SIDES[self.side]
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
            0 => self.pool_hit(self.key(i)),
            1 => self.provider_hit(),
            _ => self.mutex_map_hit(self.key(i)),
        }
    }
}
