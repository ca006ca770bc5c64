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

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // a real Instant as the origin; nothing waits

    use std::time::UNIX_EPOCH;

    use proptest::prelude::*;

    use super::*;

    fn key() -> CacheKey {
        super::super::key::test_key(&["api/read"])
    }

    fn entry(received_at: SystemTime, lifetime_secs: u64) -> Entry {
        let token = AccessToken::new(
            "CANARY-token".into(),
            Scopes::parse_granted("api/read"),
            Instant::now(),
            Duration::from_secs(lifetime_secs),
        )
        .unwrap();
        Entry::new(&key(), &binding("canary-secret"), &token, received_at)
    }

    fn binding(secret: &str) -> SecretBinding {
        SecretBinding::new(&[3; super::super::binding::KEY_LEN], secret)
    }

    #[test]
    fn an_hour_token_is_reused_until_five_minutes_before_expiry() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let e = entry(t0, 3600);
        let policy = RefreshPolicy::default();
        let at = |secs| e.freshness(&policy, t0 + Duration::from_secs(secs));
        assert_eq!(at(0), Freshness::Fresh);
        assert_eq!(at(3299), Freshness::Fresh);
        assert_eq!(at(3300), Freshness::RefreshDue);
        assert_eq!(at(3589), Freshness::RefreshDue);
        assert_eq!(at(3590), Freshness::Expired);
        assert_eq!(
            e.freshness(&policy, t0 - Duration::from_secs(1)),
            Freshness::FromTheFuture
        );
        assert_eq!(e.expires_at(), Some(t0 + Duration::from_secs(3600)));
    }

    #[test]
    fn the_token_keeps_its_expiry_on_the_monotonic_clock() {
        // Whole milliseconds: the file keeps no finer time.
        let wall = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let e = entry(wall - Duration::from_secs(600), 3600);
        let now = Instant::now();
        let token = e.token(now, wall).unwrap();
        assert_eq!(token.expose_secret(), "CANARY-token");
        assert_eq!(token.expires_at(), now + Duration::from_secs(3000));
        assert_eq!(token.scopes().to_space_delimited(), "api/read");
    }

    #[test]
    fn an_entry_is_only_for_its_own_key_and_secret_and_never_shows_its_token() {
        let e = entry(SystemTime::now(), 60);
        assert!(e.is_for(&key()));
        assert!(e.is_bound_to(&binding("canary-secret")));
        assert!(!e.is_bound_to(&binding("canary-secret2")));
        assert!(!e.is_for(&super::super::key::test_key(&[])));
        assert!(!format!("{e:?}").contains("CANARY"));
        let round_trip: Entry = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
        assert_eq!(round_trip, e);
    }

    #[test]
    fn only_a_well_formed_entry_for_the_key_and_secret_is_found() {
        let e = entry(SystemTime::now(), 60);
        let bytes = serde_json::to_vec(&e).unwrap();
        let load = |bytes: &[u8], secret| Load::from_bytes(bytes).for_key(&key(), &binding(secret));
        assert!(matches!(load(&bytes, "canary-secret"), Load::Found(found) if found == e));
        assert!(matches!(load(&bytes, "canary-secret2"), Load::OtherSecret));
        assert!(matches!(
            Load::from_bytes(&bytes).for_key(&super::super::key::test_key(&[]), &binding("canary-secret")),
            Load::Corrupt
        ));
        // An unknown field, a missing one, another version, a cut-off file.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let unknown = text.replacen('{', r#"{"extra":1,"#, 1);
        let missing = text.replacen(r#""granted_scope":"api/read","#, "", 1);
        let older = text.replacen(r#""version":2"#, r#""version":1"#, 1);
        assert_ne!(unknown, text);
        assert_ne!(missing, text);
        assert_ne!(older, text);
        assert!(matches!(load(unknown.as_bytes(), "canary-secret"), Load::Corrupt));
        assert!(matches!(load(missing.as_bytes(), "canary-secret"), Load::Corrupt));
        assert!(matches!(load(older.as_bytes(), "canary-secret"), Load::Corrupt));
        for n in 0..bytes.len() {
            assert!(matches!(load(&bytes[..n], "canary-secret"), Load::Corrupt));
        }
        // Longer than the cap: not parsed, even when it is an entry padded with spaces.
        let mut padded = bytes.clone();
        padded.resize(MAX_ENTRY_BYTES, b' ');
        assert!(matches!(load(&padded, "canary-secret"), Load::Found(_)));
        padded.push(b' ');
        assert!(matches!(load(&padded, "canary-secret"), Load::Corrupt));
    }

    /// A change to an entry file's bytes.
    #[derive(Debug, Clone)]
    enum Change {
        /// XOR the byte at this index (modulo the length) with these bits (non-zero).
        Flip(usize, u8),
        /// Cut the file to this length (modulo its length).
        Truncate(usize),
        /// Insert these bytes at this index (modulo the length).
        Insert(usize, Vec<u8>),
        /// Remove the byte at this index (modulo the length).
        Remove(usize),
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (any::<usize>(), 1u8..=255).prop_map(|(i, bits)| Change::Flip(i, bits)),
            any::<usize>().prop_map(Change::Truncate),
            (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..40))
                .prop_map(|(i, more)| Change::Insert(i, more)),
            any::<usize>().prop_map(Change::Remove),
        ]
    }

    fn any_entry() -> impl Strategy<Value = (Entry, String)> {
        ("[!-~]{1,100}", any::<u64>(), 1u64..=10 * 365 * 86_400, ".{0,40}").prop_map(
            |(text, received_ms, lifetime_s, secret)| {
                let token = AccessToken::new(
                    text,
                    Scopes::parse_granted("api/read"),
                    Instant::now(),
                    Duration::from_secs(lifetime_s),
                )
                .unwrap();
                let received = UNIX_EPOCH + Duration::from_millis(received_ms);
                (Entry::new(&key(), &binding(&secret), &token, received), secret)
            },
        )
    }

    proptest! {
        #[test]
        fn a_serialized_entry_round_trips((e, secret) in any_entry()) {
            let bytes = serde_json::to_vec(&e).unwrap();
            let found = Load::from_bytes(&bytes).for_key(&key(), &binding(&secret));
            prop_assert!(matches!(found, Load::Found(ref back) if *back == e), "{found:?}");
        }

        #[test]
        fn a_changed_entry_is_refused_or_still_not_served_for_another_secret(
            (e, secret) in any_entry(),
            change in change(),
        ) {
            let mut bytes = serde_json::to_vec(&e).unwrap();
            let len = bytes.len();
            match change {
                Change::Flip(i, bits) => bytes[i % len] ^= bits,
                Change::Truncate(n) => bytes.truncate(n % len),
                Change::Insert(i, more) => {
                    let tail = bytes.split_off(i % len);
                    bytes.extend(more);
                    bytes.extend(tail);
                }
                Change::Remove(i) => {
                    bytes.remove(i % len);
                }
            }
            let other = format!("{secret}x");
            let load = Load::from_bytes(&bytes).for_key(&key(), &binding(&other));
            prop_assert!(!matches!(load, Load::Found(_)), "served for another secret: {load:?}");
            // With its own secret it may still be found (the tag binds the secret, not the
            // rest: whoever can write the file holds the token already), but only as an
            // entry for this key, of this version.
            if let Load::Found(found) = Load::from_bytes(&bytes).for_key(&key(), &binding(&secret)) {
                prop_assert!(found.is_for(&key()));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic_nor_serve(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let load = Load::from_bytes(&bytes).for_key(&key(), &binding("canary-secret"));
            prop_assert!(!matches!(load, Load::Found(_)));
        }
    }
}
