//! The access token a successful exchange yields.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderValue;

use crate::scope::Scopes;
use crate::secret::SecretString;

/// The `Authorization` scheme prefix.
const BEARER: &str = "Bearer ";

/// An access token with what the server said about it.
///
/// Cheap to clone (one reference count). `Debug` never shows the token value; get it with
/// [`AccessToken::expose_secret`] or, for a request, [`AccessToken::authorization_header`].
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<Inner>,
}

struct Inner {
    value: SecretString,
    header: HeaderValue,
    scopes: Scopes,
    /// Whether the server's answer listed the scopes (`false`: they are the requested ones).
    scopes_stated: bool,
    received_at: Instant,
    expires_at: Instant,
    lifetime: Duration,
}

impl AccessToken {
    /// Builds a token. `value` must be a valid bearer token (RFC 6750 §2.1 `b64token`
    /// characters plus any other visible ASCII the server chose); `None` if it is not.
    ///
    /// Parsing a response with
    /// [`ClientConfig::parse_response`](crate::ClientConfig::parse_response) builds these
    /// for you; this is for custom flows and tests.
    #[must_use]
    pub fn new(value: String, scopes: Scopes, received_at: Instant, lifetime: Duration) -> Option<Self> {
        Self::with_stated_scopes(value, scopes, true, received_at, lifetime)
    }

    /// [`AccessToken::new`], saying whether the server stated `scopes` when it issued the
    /// token (see [`scopes_stated_by_server`](Self::scopes_stated_by_server)): what the
    /// parser builds, and what a token rebuilt from elsewhere (a shared store, a cache
    /// file) needs. `None` for an invalid value, as for `new`.
    #[must_use]
    pub fn with_stated_scopes(
        value: String,
        scopes: Scopes,
        scopes_stated: bool,
        received_at: Instant,
        lifetime: Duration,
    ) -> Option<Self> {
        // One pass without an early exit, which the compiler vectorizes.
        if value.is_empty() || !value.bytes().fold(true, |ok, b| ok & (0x21..=0x7e).contains(&b)) {
            return None;
        }
        // Exactly the capacity needed: `Bytes` then takes the buffer over without a
        // second allocation (`format!` over-allocates, which costs one).
        let mut text = String::with_capacity(BEARER.len() + value.len());
        text.push_str(BEARER);
        text.push_str(&value);
        let mut header = HeaderValue::try_from(text).ok()?;
        header.set_sensitive(true);
        let expires_at = received_at.checked_add(lifetime).unwrap_or(received_at);
        Some(Self {
            inner: Arc::new(Inner {
                value: SecretString::new(value),
                header,
                scopes,
                scopes_stated,
                received_at,
                expires_at,
                lifetime,
            }),
        })
    }

    /// The token itself. Never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.inner.value.expose()
    }

    /// `Authorization: Bearer …` for a resource request, marked sensitive so HTTP
    /// libraries do not print it.
    #[must_use]
    pub fn authorization_header(&self) -> HeaderValue {
        self.inner.header.clone()
    }

    /// The token type; always `Bearer` (any other type is refused when parsing).
    #[must_use]
    pub fn token_type(&self) -> &'static str {
        "Bearer"
    }

    /// The scopes granted (the server's `scope`, or the scopes requested when it sent
    /// none, as RFC 6749 §5.1 allows; [`scopes_stated_by_server`](Self::scopes_stated_by_server)
    /// tells which).
    #[must_use]
    pub fn scopes(&self) -> &Scopes {
        &self.inner.scopes
    }

    /// Whether the token response listed the granted scopes. `false` when it had no
    /// `scope` (or `null`): [`scopes`](Self::scopes) are then the scopes requested, which
    /// RFC 6749 §5.1 lets a server mean by silence — but some servers also send nothing
    /// after silently dropping a scope they do not know, so a caller that must be sure
    /// can tell the two apart. Always `true` for a token built with [`AccessToken::new`].
    #[must_use]
    pub fn scopes_stated_by_server(&self) -> bool {
        self.inner.scopes_stated
    }

    /// When the response arrived (the `now` given to the parser).
    #[must_use]
    pub fn received_at(&self) -> Instant {
        self.inner.received_at
    }

    /// When the server says the token expires: `received_at + lifetime`.
    #[must_use]
    pub fn expires_at(&self) -> Instant {
        self.inner.expires_at
    }

    /// The lifetime the server gave (`expires_in`, clamped; see the parser's docs).
    #[must_use]
    pub fn lifetime(&self) -> Duration {
        self.inner.lifetime
    }

    /// Whether the token has expired at `now` (no safety margin; the lifecycle applies
    /// one).
    #[must_use]
    pub fn is_expired(&self, now: Instant) -> bool {
        now >= self.inner.expires_at
    }

    /// Whether both handles are the same token (the same response), not merely equal
    /// text.
    #[must_use]
    pub fn same_as(&self, other: &AccessToken) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.same_as(other) || self.inner.value == other.inner.value
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[redacted]")
            .field("token_type", &"Bearer")
            .field("scopes", &self.inner.scopes)
            .field("lifetime", &self.inner.lifetime)
            .field("expires_at", &self.inner.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str) -> Option<AccessToken> {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        AccessToken::new(value.to_owned(), Scopes::new(), now, Duration::from_secs(60))
    }

    #[test]
    fn every_visible_ascii_character_is_accepted() {
        let all: String = (0x21u8..=0x7e).map(char::from).collect();
        let token = token(&all).expect("visible ASCII");
        assert_eq!(token.expose_secret(), all);
        assert_eq!(
            token.authorization_header().as_bytes(),
            format!("Bearer {all}").as_bytes()
        );
        assert!(token.authorization_header().is_sensitive());
    }

    #[test]
    fn one_invalid_character_anywhere_is_refused() {
        let base = "a".repeat(300);
        for bad in [" ", "\t", "\u{7f}", "\u{0}", "é", "\n"] {
            for at in [0, 1, 150, 299, 300] {
                let mut value = base.clone();
                value.insert_str(at, bad);
                assert!(token(&value).is_none(), "{bad:?} at {at}");
            }
        }
        assert!(token("").is_none());
    }
}
