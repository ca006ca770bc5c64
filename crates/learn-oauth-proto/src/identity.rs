//! [`TokenIdentity`]: what identifies a token, with one stable digest.

use std::fmt;

use sha2::{Digest as _, Sha256};

use crate::{ClientConfig, Scope};

/// Written first into every digest: a digest of another layout gets another tag.
const DIGEST_TAG: &[u8] = b"learn-oauth:v1";

/// What identifies a token: the token URL, the tenant id, the client id and the requested
/// scopes as a set (order does not matter). Two configurations with one identity get
/// interchangeable tokens; the client secret, the authentication method, headers and
/// limits are not part of it, and nothing here is secret.
///
/// Its [`digest`](Self::digest) (SHA-256) is stable across versions and platforms, and is
/// the one thing every token cache keys on: a token pool's key, a shared store's key
/// names and the command line's cache file names all derive from it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenIdentity {
    token_url: String,
    tenant_id: String,
    client_id: String,
    /// Sorted by name, without duplicates.
    scopes: Box<[Scope]>,
    digest: [u8; 32],
}

impl TokenIdentity {
    /// The identity of the tokens `config` requests.
    #[must_use]
    pub fn of(config: &ClientConfig) -> Self {
        let mut scopes: Vec<Scope> = config.scopes().iter().cloned().collect();
        scopes.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        scopes.dedup_by(|a, b| a.as_str() == b.as_str());
        let token_url = config.token_uri().to_string();
        let (tenant_id, client_id) = (config.tenant_id(), config.client_id());
        let digest = digest(&token_url, tenant_id, client_id, &scopes);
        Self {
            token_url,
            tenant_id: tenant_id.to_owned(),
            client_id: client_id.to_owned(),
            scopes: scopes.into_boxed_slice(),
            digest,
        }
    }

    /// The token URL.
    #[must_use]
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The tenant id.
    #[must_use]
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The requested scopes, sorted by name, without duplicates.
    #[must_use]
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The SHA-256 of a version tag and each field (token URL, tenant id, client id, then
    /// the sorted scopes), each preceded by its length as 8 big-endian bytes, so no two
    /// identities share one input. Stable across versions and platforms.
    #[must_use]
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The digest's first 128 bits as 32 lowercase hex digits: the identity's name in a
    /// store key or a file name.
    #[must_use]
    pub fn short_hex(&self) -> String {
        use fmt::Write as _;
        self.digest[..16]
            .iter()
            .fold(String::with_capacity(32), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }
}

fn digest(token_url: &str, tenant_id: &str, client_id: &str, scopes: &[Scope]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(DIGEST_TAG);
    field(token_url.as_bytes());
    field(tenant_id.as_bytes());
    field(client_id.as_bytes());
    for scope in scopes {
        field(scope.as_str().as_bytes());
    }
    hasher.finalize().into()
}

impl fmt::Debug for TokenIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIdentity")
            .field("token_url", &self.token_url)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("digest", &self.short_hex())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: Option<&str>, tenant: &str, client: Option<&str>, scopes: &[&str]) -> ClientConfig {
        let mut builder = ClientConfig::builder()
            .tenant_id(tenant)
            .client_secret("canary-secret-9f3Kq")
            .scopes(scopes.iter().copied());
        if let Some(url) = url {
            builder = builder.token_url(url);
        }
        if let Some(client) = client {
            builder = builder.client_id(client);
        }
        builder.build().unwrap()
    }

    fn identity(url: Option<&str>, tenant: &str, client: Option<&str>, scopes: &[&str]) -> TokenIdentity {
        TokenIdentity::of(&config(url, tenant, client, scopes))
    }

    #[test]
    fn equal_configurations_have_equal_digests() {
        let a = identity(None, "eu-west-2_AbcdEfghI", None, &["api/read"]);
        let b = identity(None, "eu-west-2_AbcdEfghI", None, &["api/read"]);
        assert_eq!(a, b);
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn scope_order_and_duplicates_do_not_matter() {
        let a = identity(None, "t", None, &["api/write", "api/read"]);
        let b = identity(None, "t", None, &["api/read", "api/write", "api/read"]);
        assert_eq!(a.digest(), b.digest());
        let names: Vec<&str> = a.scopes().iter().map(Scope::as_str).collect();
        assert_eq!(names, ["api/read", "api/write"]);
    }

    #[test]
    fn every_field_changes_the_digest() {
        let base = identity(
            Some("https://a.example/oauth2/token/t"),
            "t",
            Some("c"),
            &["api/read"],
        );
        let others = [
            identity(
                Some("https://b.example/oauth2/token/t"),
                "t",
                Some("c"),
                &["api/read"],
            ),
            identity(
                Some("https://a.example/oauth2/token/t"),
                "u",
                Some("c"),
                &["api/read"],
            ),
            identity(
                Some("https://a.example/oauth2/token/t"),
                "t",
                Some("d"),
                &["api/read"],
            ),
            identity(
                Some("https://a.example/oauth2/token/t"),
                "t",
                Some("c"),
                &["api/write"],
            ),
            identity(Some("https://a.example/oauth2/token/t"), "t", Some("c"), &[]),
            identity(
                Some("https://a.example/oauth2/token/t"),
                "t",
                Some("c"),
                &["api/read", "api/write"],
            ),
        ];
        for other in &others {
            assert_ne!(base.digest(), other.digest(), "{other:?}");
            assert_ne!(base.short_hex(), other.short_hex(), "{other:?}");
        }
    }

    #[test]
    fn field_boundaries_count() {
        // Tenant "ab" with client "c" is not tenant "a" with client "bc".
        let a = digest("u", "ab", "c", &[]);
        let b = digest("u", "a", "bc", &[]);
        assert_ne!(a, b);
    }

    #[test]
    fn the_digest_is_fixed_forever() {
        // Computed independently: stores and caches of every version must meet.
        let id = identity(None, "eu-west-2_AbcdEfghI", None, &["api/write", "api/read"]);
        let hex: String = id.digest().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "2ecbfd42dd1cd12e0a33fac1385eac3a6c29b6e50256793b1fa06ab36c78b252"
        );
        assert_eq!(id.short_hex(), "2ecbfd42dd1cd12e0a33fac1385eac3a");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let id = identity(None, "t", None, &[]);
        assert!(!format!("{id:?}").contains("canary"));
    }
}
