//! [`PoolKey`]: what identifies a token.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use learn_oauth_proto::ClientConfig;

/// What identifies a token: the token URL, the client id and the scopes (a set: order
/// and duplicates do not matter). Two configurations with the same key get the same
/// token from a pool. Cheap to clone and to hash (the hash is computed once); keep the
/// key [`insert`](crate::pool::TokenPool::insert) returns, and a lookup compares one
/// pointer (two equal keys made separately compare their strings).
#[derive(Clone)]
pub struct PoolKey {
    /// Computed once, kept beside the pointer: hashing a key reads no other memory.
    hash: u64,
    inner: Arc<KeyInner>,
}

#[derive(PartialEq, Eq)]
struct KeyInner {
    token_url: String,
    client_id: String,
    /// Sorted, without duplicates.
    scopes: Box<[String]>,
}

impl PoolKey {
    /// The key of a token from `token_url` for `client_id` with `scopes`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let mut scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        scopes.sort_unstable();
        scopes.dedup();
        let (token_url, client_id) = (token_url.into(), client_id.into());
        let mut hasher = DefaultHasher::new();
        (&token_url, &client_id, &scopes).hash(&mut hasher);
        Self {
            hash: hasher.finish(),
            inner: Arc::new(KeyInner {
                token_url,
                client_id,
                scopes: scopes.into_boxed_slice(),
            }),
        }
    }

    /// The key of the tokens `config` requests.
    #[must_use]
    pub fn of(config: &ClientConfig) -> Self {
        Self::new(
            config.token_uri().to_string(),
            config.client_id(),
            config.scopes().iter().map(|s| s.as_str().to_owned()),
        )
    }

    /// The token URL.
    #[must_use]
    pub fn token_url(&self) -> &str {
        &self.inner.token_url
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The scopes, sorted.
    #[must_use]
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }
}

impl PartialEq for PoolKey {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && (Arc::ptr_eq(&self.inner, &other.inner) || self.inner == other.inner)
    }
}

impl Eq for PoolKey {}

impl Hash for PoolKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolKey")
            .field("token_url", &self.inner.token_url)
            .field("client_id", &self.inner.client_id)
            .field("scopes", &self.inner.scopes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_a_set() {
        let a = PoolKey::new("https://h/oauth2/token/t", "c", ["api/read", "api/write"]);
        let b = PoolKey::new(
            "https://h/oauth2/token/t",
            "c",
            ["api/write", "api/read", "api/read"],
        );
        assert_eq!(a, b);
        let state = std::hash::RandomState::new();
        assert_eq!(
            std::hash::BuildHasher::hash_one(&state, &a),
            std::hash::BuildHasher::hash_one(&state, &b)
        );
        assert_ne!(a, PoolKey::new("https://h/oauth2/token/t", "c", ["api/read"]));
        assert_ne!(
            a,
            PoolKey::new("https://h/oauth2/token/u", "c", ["api/read", "api/write"])
        );
        assert_ne!(
            a,
            PoolKey::new("https://h/oauth2/token/t", "d", ["api/read", "api/write"])
        );
    }
}
