//! What a cache entry is for, and the file name derived from it.

use learn_oauth::ClientConfig;

/// The key of a cache entry: token URL, client id and the requested scopes, sorted (the
/// order of `--scope` flags does not matter). Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheKey {
    /// The token URL.
    pub(crate) token_url: String,
    /// The client id.
    pub(crate) client_id: String,
    /// The requested scopes, sorted, without duplicates.
    pub(crate) scopes: Vec<String>,
}

impl CacheKey {
    /// The key for `config`.
    #[must_use]
    pub(crate) fn of(config: &ClientConfig) -> Self {
        let mut scopes: Vec<String> = config.scopes().iter().map(|s| s.as_str().to_owned()).collect();
        scopes.sort();
        scopes.dedup();
        CacheKey {
            token_url: config.token_uri().to_string(),
            client_id: config.client_id().to_owned(),
            scopes,
        }
    }

    /// The entry's file name without extension: 32 hex digits of a 128-bit FNV-1a hash
    /// of the key's fields, each ended by a NUL (which none can contain). Stable across
    /// versions and platforms; a collision is harmless (the entry holds its key, and a
    /// mismatch is a miss).
    #[must_use]
    pub(crate) fn file_stem(&self) -> String {
        const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
        let mut hash = OFFSET;
        let fields = [self.token_url.as_str(), self.client_id.as_str()]
            .into_iter()
            .chain(self.scopes.iter().map(String::as_str));
        for field in fields {
            for byte in field.bytes().chain([0]) {
                hash ^= u128::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
        format!("{hash:032x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(url: &str, client: &str, scopes: &[&str]) -> CacheKey {
        CacheKey {
            token_url: url.into(),
            client_id: client.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn the_file_name_is_a_stable_hash_of_every_field() {
        let k = key("https://a/oauth2/token/t", "c", &["api/read"]);
        assert_eq!(k.file_stem(), k.clone().file_stem());
        assert_eq!(k.file_stem().len(), 32);
        assert_ne!(
            k.file_stem(),
            key("https://a/oauth2/token/t", "c", &[]).file_stem()
        );
        assert_ne!(
            k.file_stem(),
            key("https://a/oauth2/token/t", "d", &["api/read"]).file_stem()
        );
        // Field boundaries count: "ab" + "c" is not "a" + "bc".
        assert_ne!(key("ab", "c", &[]).file_stem(), key("a", "bc", &[]).file_stem());
        // Fixed forever (computed independently): a new version must find old entries.
        assert_eq!(k.file_stem(), "8dfeebdc1986b895e2e50c03580696ae");
    }

    #[test]
    fn scopes_are_sorted_and_deduplicated() {
        let config = |scopes: &[&str]| {
            ClientConfig::builder()
                .token_url("http://127.0.0.1:1/oauth2/token/t")
                .tenant_id("t")
                .client_secret("s")
                .scopes(scopes.iter().copied())
                .build()
                .unwrap()
        };
        let a = CacheKey::of(&config(&["api/write", "api/read"]));
        let b = CacheKey::of(&config(&["api/read", "api/write", "api/read"]));
        assert_eq!(a, b);
        assert_eq!(a.scopes, ["api/read", "api/write"]);
    }
}
