//! What a cache entry is for, and the file name derived from it.

use learn_oauth::ClientConfig;
use learn_oauth::config::{Scope, TokenIdentity};

/// The key of a cache entry: the configuration's [`TokenIdentity`] (token URL, tenant,
/// client id and the requested scopes as a set: the order of `--scope` flags does not
/// matter). Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheKey {
    identity: TokenIdentity,
}

impl CacheKey {
    /// The key for `config`.
    #[must_use]
    pub(crate) fn of(config: &ClientConfig) -> Self {
        CacheKey {
            identity: TokenIdentity::of(config),
        }
    }

    /// The token URL.
    #[must_use]
    pub(crate) fn token_url(&self) -> &str {
        self.identity.token_url()
    }

    /// The client id.
    #[must_use]
    pub(crate) fn client_id(&self) -> &str {
        self.identity.client_id()
    }

    /// The requested scopes, sorted, without duplicates.
    #[must_use]
    pub(crate) fn scopes(&self) -> Vec<String> {
        self.identity
            .scopes()
            .iter()
            .map(Scope::as_str)
            .map(str::to_owned)
            .collect()
    }

    /// The entry's file name without extension: the identity's
    /// [`short_hex`](TokenIdentity::short_hex), 32 hex digits of its SHA-256 (the same
    /// name the shared store's keys carry). Stable across versions and platforms; a
    /// collision is harmless (the entry holds its key, and a mismatch is a miss).
    #[must_use]
    pub(crate) fn file_stem(&self) -> String {
        self.identity.short_hex()
    }
}

/// A key for the tests: token URL `https://a/oauth2/token/t`, client id `t`, `scopes`.
#[cfg(test)]
pub(crate) fn test_key(scopes: &[&str]) -> CacheKey {
    CacheKey::of(
        &ClientConfig::builder()
            .token_url("https://a/oauth2/token/t")
            .tenant_id("t")
            .client_secret("canary-secret")
            .scopes(scopes.iter().copied())
            .build()
            .unwrap(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_the_token_identity() {
        let config = ClientConfig::builder()
            .tenant_id("eu-west-2_AbcdEfghI")
            .client_secret("s")
            .scopes(["api/write", "api/read"])
            .build()
            .unwrap();
        let key = CacheKey::of(&config);
        assert_eq!(key.file_stem(), TokenIdentity::of(&config).short_hex());
        // Fixed forever: a new version must find old entries.
        assert_eq!(key.file_stem(), "2ecbfd42dd1cd12e0a33fac1385eac3a");
    }

    #[test]
    fn the_file_name_changes_with_every_field() {
        let k = test_key(&["api/read"]);
        assert_eq!(k.file_stem(), k.clone().file_stem());
        assert_eq!(k.file_stem().len(), 32);
        assert_ne!(k.file_stem(), test_key(&[]).file_stem());
        let other_client = CacheKey::of(
            &ClientConfig::builder()
                .token_url("https://a/oauth2/token/t")
                .tenant_id("t")
                .client_id("d")
                .client_secret("canary-secret")
                .scopes(["api/read"])
                .build()
                .unwrap(),
        );
        assert_ne!(k.file_stem(), other_client.file_stem());
        assert!(!format!("{k:?}").contains("canary"));
    }

    #[test]
    fn scopes_are_sorted_and_deduplicated() {
        let a = test_key(&["api/write", "api/read"]);
        let b = test_key(&["api/read", "api/write", "api/read"]);
        assert_eq!(a, b);
        assert_eq!(a.scopes(), ["api/read", "api/write"]);
    }
}
