//! [`PoolKey`]: what identifies a token, as a pool's key.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use learn_oauth_proto::{ClientConfig, TokenIdentity};

/// What identifies a token, as a pool's key: the configuration's [`TokenIdentity`] (token
/// URL, tenant, client id, scopes as a set). Two configurations with the same key get the
/// same token from a pool. Cheap to clone and to hash (the hash is the identity's digest,
/// computed once); keep the key [`insert`](crate::pool::TokenPool::insert) returns, and a
/// lookup compares one pointer (two equal keys made separately compare their fields).
#[derive(Clone)]
pub struct PoolKey {
    /// The digest's first 8 bytes, kept beside the pointer: hashing a key reads no other
    /// memory.
    hash: u64,
    identity: Arc<TokenIdentity>,
}

impl PoolKey {
    /// The key of the tokens `config` requests.
    #[must_use]
    pub fn of(config: &ClientConfig) -> Self {
        let identity = TokenIdentity::of(config);
        let mut first = [0u8; 8];
        first.copy_from_slice(&identity.digest()[..8]);
        Self {
            hash: u64::from_be_bytes(first),
            identity: Arc::new(identity),
        }
    }

    /// What the key stands for.
    #[must_use]
    pub fn identity(&self) -> &TokenIdentity {
        &self.identity
    }
}

impl PartialEq for PoolKey {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && (Arc::ptr_eq(&self.identity, &other.identity) || same_identity(self, other))
    }
}

/// Two keys with equal hashes but distinct identities (a key built anew for a lookup):
/// the full comparison, kept out of line so `eq`'s fast path stays small enough to inline
/// into a map's probe loop.
#[cold]
#[inline(never)]
fn same_identity(a: &PoolKey, b: &PoolKey) -> bool {
    a.identity == b.identity
}

impl Eq for PoolKey {}

impl Hash for PoolKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PoolKey").field(&*self.identity).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(client: &str, scopes: &[&str]) -> ClientConfig {
        ClientConfig::builder()
            .token_url("https://h.example/oauth2/token/t")
            .tenant_id("t")
            .client_id(client)
            .client_secret("s")
            .scopes(scopes.iter().copied())
            .build()
            .unwrap()
    }

    #[test]
    fn scopes_are_a_set() {
        let a = PoolKey::of(&config("c", &["api/read", "api/write"]));
        let b = PoolKey::of(&config("c", &["api/write", "api/read", "api/read"]));
        assert_eq!(a, b);
        let state = std::hash::RandomState::new();
        assert_eq!(
            std::hash::BuildHasher::hash_one(&state, &a),
            std::hash::BuildHasher::hash_one(&state, &b)
        );
        assert_ne!(a, PoolKey::of(&config("c", &["api/read"])));
        assert_ne!(a, PoolKey::of(&config("d", &["api/read", "api/write"])));
    }

    #[test]
    fn the_key_is_the_token_identity() {
        let config = config("c", &["api/write", "api/read"]);
        let key = PoolKey::of(&config);
        let identity = TokenIdentity::of(&config);
        assert_eq!(key.identity(), &identity);
        assert_eq!(key.hash.to_be_bytes(), identity.digest()[..8]);
    }
}
