//! Issued tokens, their expiry on the mock's (offsettable) clock, and revocation.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

/// What the mock knows about a token it issued.
#[derive(Clone, Debug)]
pub(crate) struct Issued {
    pub(crate) tenant: String,
    /// `None`: lives forever (the lifetime overflowed the clock).
    expires_at: Option<Instant>,
}

/// The live tokens and the mock's clock.
///
/// The clock is the real monotonic clock plus an offset that only moves forward
/// ([`TokenStore::advance_clock`]), so tests can expire tokens without sleeping.
///
/// Bounded: only the newest `cap` issued tokens can be valid. `order` holds at most `cap`
/// of them, a contiguous run of the newest, and `tokens` only ones `order` holds.
#[derive(Debug)]
pub(crate) struct TokenStore {
    tokens: HashMap<Arc<str>, Issued>,
    /// Issued tokens, oldest first (revoked ones until they reach the front). Tokens
    /// mostly share the server's one lifetime, so they mostly expire in this order:
    /// expired ones are dropped from the front, in constant time per token (one that
    /// outlives a shorter-lived successor keeps it until the cap; `validate` still
    /// checks every expiry). Shares each token's text with `tokens`.
    order: VecDeque<Arc<str>>,
    offset: Duration,
    cap: usize,
}

impl TokenStore {
    /// A store that remembers at most `cap` (at least 1) tokens.
    pub(crate) fn with_cap(cap: usize) -> Self {
        Self {
            tokens: HashMap::new(),
            order: VecDeque::new(),
            offset: Duration::ZERO,
            cap: cap.max(1),
        }
    }

    /// Forgets, from the oldest, tokens that expired or were revoked, and then the
    /// oldest live ones while there would be no room for one more.
    fn prune(&mut self, now: Instant) {
        while let Some(oldest) = self.order.front() {
            let gone = self
                .tokens
                .get(oldest)
                .is_none_or(|t| t.expires_at.is_some_and(|at| at <= now));
            if !(gone || self.order.len() >= self.cap) {
                break;
            }
            if let Some(oldest) = self.order.pop_front() {
                self.tokens.remove(&oldest);
            }
        }
    }

    /// The mock's current time.
    pub(crate) fn now(&self) -> Instant {
        let real = Instant::now();
        real.checked_add(self.offset).unwrap_or(real)
    }

    /// Moves the mock's clock forward by `by`.
    pub(crate) fn advance_clock(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }

    /// Issues a fresh token for `tenant` valid for `lifetime` from now.
    pub(crate) fn issue(
        &mut self,
        tenant: &str,
        client_id: &str,
        scopes: &[String],
        lifetime: Duration,
    ) -> String {
        let now = self.now();
        self.prune(now);
        let token = loop {
            let candidate = jwt_looking(tenant, client_id, scopes, self.offset, lifetime);
            if !self.tokens.contains_key(candidate.as_str()) {
                break candidate;
            }
        };
        let shared: Arc<str> = Arc::from(token.as_str());
        self.order.push_back(Arc::clone(&shared));
        self.tokens.insert(
            shared,
            Issued {
                tenant: tenant.to_owned(),
                expires_at: now.checked_add(lifetime),
            },
        );
        token
    }

    /// The token's record if it was issued here, is not revoked and has not expired.
    pub(crate) fn validate(&self, token: &str) -> Option<&Issued> {
        let now = self.now();
        self.tokens
            .get(token)
            .filter(|t| t.expires_at.is_none_or(|at| at > now))
    }

    /// Forgets one token; whether it was known.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        self.tokens.remove(token).is_some()
    }

    /// Forgets every token.
    pub(crate) fn revoke_all(&mut self) {
        self.tokens.clear();
        self.order.clear();
    }
}

/// A token shaped like a JWT: `header.payload.signature`, base64url. The signature is
/// 32 random bytes (nothing verifies it; the store is the source of truth).
fn jwt_looking(
    tenant: &str,
    client_id: &str,
    scopes: &[String],
    offset: Duration,
    lifetime: Duration,
) -> String {
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "learn-oauth-mock" });
    // Wall-clock claims are informational only; validity is judged on the store's clock.
    let iat = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(offset)
        .as_secs();
    let payload = json!({
        "iss": "learn-oauth-mock",
        "sub": client_id,
        "tenant": tenant,
        "scope": scopes.join(" "),
        "iat": iat,
        "exp": iat.saturating_add(lifetime.as_secs()),
        "jti": URL_SAFE_NO_PAD.encode(random_bytes::<16>()),
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(random_bytes::<32>()),
    )
}

/// `N` random bytes from the OS, through ring's generator (already linked for TLS).
/// Should the OS fail us, fall back to std's randomly keyed SipHash over a counter and
/// the time: still unique, still hard to guess on a loopback test server.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut out).is_err() {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for chunk in out.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            h.write_u128(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos(),
            );
            let bytes = h.finish().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_expires_when_the_clock_reaches_its_lifetime() {
        let mut store = TokenStore::with_cap(100);
        let token = store.issue("t", "t", &[], Duration::from_secs(10));
        assert_eq!(store.validate(&token).map(|t| t.tenant.as_str()), Some("t"));
        store.advance_clock(Duration::from_secs(10));
        assert!(store.validate(&token).is_none());
    }

    #[test]
    fn tokens_are_unique_and_look_like_jwts() {
        let mut store = TokenStore::with_cap(100);
        let a = store.issue("t", "t", &[], Duration::from_secs(10));
        let b = store.issue("t", "t", &[], Duration::from_secs(10));
        assert_ne!(a, b);
        assert_eq!(a.split('.').count(), 3);
        assert!(a.starts_with("eyJ"));
    }

    #[test]
    fn past_the_cap_the_oldest_tokens_are_forgotten() {
        let mut store = TokenStore::with_cap(3);
        let issued: Vec<String> = (0..5)
            .map(|_| store.issue("t", "t", &[], Duration::from_secs(10)))
            .collect();
        assert!(store.validate(&issued[0]).is_none() && store.validate(&issued[1]).is_none());
        for token in &issued[2..] {
            assert!(store.validate(token).is_some());
        }
        assert_eq!(store.tokens.len(), 3);
        assert_eq!(store.order.len(), 3);
    }

    #[test]
    fn expired_and_revoked_tokens_leave_the_store() {
        let mut store = TokenStore::with_cap(100);
        let a = store.issue("t", "t", &[], Duration::from_secs(10));
        let b = store.issue("t", "t", &[], Duration::from_secs(10));
        assert!(store.revoke(&a));
        store.advance_clock(Duration::from_secs(10));
        let c = store.issue("t", "t", &[], Duration::from_secs(10));
        assert!(store.validate(&b).is_none());
        assert!(store.validate(&c).is_some());
        assert_eq!((store.tokens.len(), store.order.len()), (1, 1));
    }

    #[test]
    fn revoked_tokens_are_invalid() {
        let mut store = TokenStore::with_cap(100);
        let a = store.issue("t", "t", &[], Duration::from_secs(10));
        let b = store.issue("t", "t", &[], Duration::from_secs(10));
        assert!(store.revoke(&a));
        assert!(!store.revoke(&a));
        assert!(store.validate(&b).is_some());
        store.revoke_all();
        assert!(store.validate(&b).is_none());
    }
}
