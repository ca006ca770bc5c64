//! One cache file's contents and the pure decision whether it may be reused.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use learn_oauth::config::Scopes;
use learn_oauth::{AccessToken, RefreshPolicy};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize as _;

use super::binding::SecretBinding;
use super::error::CacheError;
use super::key::CacheKey;
use crate::time::{from_unix_millis, unix_millis};

/// The format version written; a file of another version is a miss (and replaced).
const VERSION: u32 = 2;

/// The largest cache file read; a longer one is corrupt.
pub(crate) const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// A cached token and what it is for. The token is the only credential in it; the
/// client secret is never written, only its [`SecretBinding`] tag. The token and the tag
/// are zeroized when the entry is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    version: u32,
    /// The key's token URL.
    pub(crate) token_url: String,
    /// The key's client id.
    pub(crate) client_id: String,
    /// The key's scopes (requested, sorted).
    pub(crate) scopes: Vec<String>,
    access_token: String,
    /// The scopes granted, space-separated.
    pub(crate) granted_scope: String,
    received_at_ms: u64,
    lifetime_ms: u64,
    /// The [`SecretBinding`] tag of the secret the token was fetched with (hex); empty in
    /// a file of an earlier version, which parses so that `cache clear` knows it.
    #[serde(default)]
    secret_mac: String,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.access_token.zeroize();
        self.secret_mac.zeroize();
    }
}

/// Whether an entry may be reused at a given wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// Before its refresh point: reuse it.
    Fresh,
    /// Past its refresh point but still usable: fetch a new one, and fall back on this
    /// one only if that fails for now.
    RefreshDue,
    /// Past its usable time.
    Expired,
    /// Received "later" than now: the clock was set back. Not trusted.
    FromTheFuture,
}

impl Entry {
    /// A cache file's `bytes` as an entry, whatever its key and secret: `None` when they
    /// are longer than [`MAX_ENTRY_BYTES`] or not exactly an entry's fields as JSON.
    #[must_use]
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }

    /// The entry for `token` under `key`, fetched with the secret `binding` binds,
    /// received at wall-clock time `received_at`.
    #[must_use]
    pub(crate) fn new(
        key: &CacheKey,
        binding: &SecretBinding,
        token: &AccessToken,
        received_at: SystemTime,
    ) -> Self {
        Entry {
            version: VERSION,
            token_url: key.token_url().to_owned(),
            client_id: key.client_id().to_owned(),
            scopes: key.scopes(),
            access_token: token.expose_secret().to_owned(),
            granted_scope: token.scopes().to_space_delimited(),
            received_at_ms: unix_millis(received_at),
            lifetime_ms: u64::try_from(token.lifetime().as_millis()).unwrap_or(u64::MAX),
            secret_mac: binding.tag_hex(),
        }
    }

    /// Whether its token was fetched with the secret `binding` binds (constant time).
    #[must_use]
    pub(crate) fn is_bound_to(&self, binding: &SecretBinding) -> bool {
        binding.matches(&self.secret_mac)
    }

    /// Whether this entry is of the current format and for `key`.
    #[must_use]
    pub(crate) fn is_for(&self, key: &CacheKey) -> bool {
        self.version == VERSION
            && self.token_url == key.token_url()
            && self.client_id == key.client_id()
            && self.scopes == key.scopes()
    }

    /// Whether it holds `token` (the token's text).
    #[must_use]
    pub(crate) fn holds(&self, token: &str) -> bool {
        self.access_token == token
    }

    /// The token's lifetime.
    #[must_use]
    pub(crate) fn lifetime(&self) -> Duration {
        Duration::from_millis(self.lifetime_ms)
    }

    /// When the token expires (wall clock), if representable.
    #[must_use]
    pub(crate) fn expires_at(&self) -> Option<SystemTime> {
        from_unix_millis(self.received_at_ms)?.checked_add(self.lifetime())
    }

    /// How old the entry is at `now`; `None` when it was received after `now`.
    fn age(&self, now: SystemTime) -> Option<Duration> {
        now.duration_since(from_unix_millis(self.received_at_ms)?).ok()
    }

    /// Whether it may be reused at `now` under `policy`: until the refresh point the
    /// lifecycle would schedule (`RefreshPolicy::refresh_after`, without jitter: every
    /// invocation decides alike), and as a fallback until its usable time ends.
    #[must_use]
    pub(crate) fn freshness(&self, policy: &RefreshPolicy, now: SystemTime) -> Freshness {
        let Some(age) = self.age(now) else {
            return Freshness::FromTheFuture;
        };
        let lifetime = self.lifetime();
        if age < policy.refresh_after(lifetime, 0.0) {
            Freshness::Fresh
        } else if age < policy.usable_for(lifetime) {
            Freshness::RefreshDue
        } else {
            Freshness::Expired
        }
    }

    /// The token, on the monotonic clock: `now` (an `Instant`) and `wall` (the wall
    /// clock) read together. `None` when the stored text is not a valid token or the
    /// entry is from the future.
    #[must_use]
    pub(crate) fn token(&self, now: Instant, wall: SystemTime) -> Option<AccessToken> {
        let age = self.age(wall)?;
        let scopes = Scopes::parse_granted(&self.granted_scope);
        // Received before this machine's monotonic clock began (before a reboot, say):
        // the same expiry, counted from now.
        let (received, lifetime) = match now.checked_sub(age) {
            Some(received) => (received, self.lifetime()),
            None => (now, self.lifetime().saturating_sub(age)),
        };
        AccessToken::new(self.access_token.clone(), scopes, received, lifetime)
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("access_token", &"[redacted]")
            .field("received_at_ms", &self.received_at_ms)
            .field("lifetime_ms", &self.lifetime_ms)
            .finish_non_exhaustive()
    }
}

/// What reading one entry found.
#[derive(Debug)]
pub(crate) enum Load {
    /// A well-formed entry for the key (fresh or not: see [`Entry::freshness`]).
    Found(Entry),
    /// No entry.
    Missing,
    /// An entry that does not parse, is cut short, or belongs to another key.
    Corrupt,
    /// An entry for the key whose token was fetched with another secret (rotated or
    /// mistyped): a miss, never served.
    OtherSecret,
    /// An entry that was not read (unsafe permissions, say).
    Refused(CacheError),
}

impl Load {
    /// What a cache file's `bytes` hold, whatever its key: [`Load::Found`] when they
    /// [`parse`](Entry::parse), else [`Load::Corrupt`].
    #[must_use]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        Entry::parse(bytes).map_or(Load::Corrupt, Load::Found)
    }

    /// What this reading means for `key` and the secret `binding` binds: an entry is
    /// found only when it is for `key` ([`Load::Corrupt`] otherwise) and its token was
    /// fetched with that secret ([`Load::OtherSecret`] otherwise).
    #[must_use]
    pub(crate) fn for_key(self, key: &CacheKey, binding: &SecretBinding) -> Self {
        match self {
            Load::Found(entry) if !entry.is_for(key) => Load::Corrupt,
            Load::Found(entry) if !entry.is_bound_to(binding) => Load::OtherSecret,
            other => other,
        }
    }
}

// Named by path so it resolves the same when the fuzz crate includes this file.
#[cfg(test)]
#[path = "entry/tests.rs"]
mod tests;
