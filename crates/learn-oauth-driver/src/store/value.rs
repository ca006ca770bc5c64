//! What a store holds: key names derived from what identifies a token, and token values
//! in a versioned format, sealed (encrypted and authenticated) when the user gives a key.

use std::fmt;
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Scope, Scopes, TokenIdentity};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use super::adapter::{StoreKeyNames, StoreTime};

/// The largest value read back (the Redis adapter reads at most one byte more); anything
/// longer is refused unparsed.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Every value starts with this, then a mode byte.
const MAGIC: &[u8; 3] = b"LO\x01";
const PLAIN: u8 = b'p';
const SEALED: u8 = b'e';

/// The store entries for tokens of `config`: named by its [`TokenIdentity`]'s digest
/// (never the secret), in one Redis Cluster hash tag.
pub(crate) fn key_names_for(config: &ClientConfig) -> StoreKeyNames {
    let base = format!("learn-oauth:v1:{{{}}}", TokenIdentity::of(config).short_hex());
    StoreKeyNames {
        token: format!("{base}:token"),
        lease: format!("{base}:lease"),
        cool_down: format!("{base}:cooldown"),
    }
}

/// A 256-bit key for the values a store holds (ChaCha20-Poly1305), with the one-byte id
/// written beside each value it seals, so keys can be rotated. `Debug` shows the id only.
pub struct SealingKey {
    id: u8,
    key: LessSafeKey,
}

/// Why a [`SealingKey`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealingKeyError {
    /// The key is not 32 bytes long (`got` is how long it is).
    #[error("a sealing key is 32 bytes, got {got}")]
    Length {
        /// Its length in bytes.
        got: usize,
    },
    /// The text is not standard base64.
    #[error("a sealing key must be standard base64")]
    Base64,
    /// Another key of the same [`Sealing`] has this id.
    #[error("two sealing keys have the id {id}")]
    DuplicateId {
        /// The id both keys have.
        id: u8,
    },
}

impl SealingKey {
    /// A key with id `id` from 32 bytes (e.g. `openssl rand -base64 32`, decoded).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::Length`] when `bytes` is not 32 bytes long.
    pub fn new(id: u8, bytes: &[u8]) -> Result<Self, SealingKeyError> {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
            .map_err(|_| SealingKeyError::Length { got: bytes.len() })?;
        Ok(Self {
            id,
            key: LessSafeKey::new(unbound),
        })
    }

    /// A key with id `id` from standard base64 text (surrounding whitespace ignored).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::Base64`] for text that is not base64, [`SealingKeyError::Length`]
    /// when it does not decode to 32 bytes.
    pub fn from_base64(id: u8, text: &str) -> Result<Self, SealingKeyError> {
        use base64::Engine as _;
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| SealingKeyError::Base64)?;
        let key = Self::new(id, &bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        key
    }

    /// The id written beside the values this key seals.
    #[must_use]
    pub fn id(&self) -> u8 {
        self.id
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// How stored tokens are sealed (ChaCha20-Poly1305: encrypted and authenticated).
/// Values are sealed with the current key and opened with it or any previous one (by
/// id), so a key is rotated by deploying the new key as current with the old one as
/// previous, then dropping the old one once its values have expired. With sealing on, a
/// plaintext value (written by a replica without the key, or planted) is a miss, never
/// served.
#[derive(Debug)]
pub struct Sealing {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl Sealing {
    /// Seals with `current`.
    #[must_use]
    pub fn new(current: SealingKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// Also opens values sealed with `key` (a key being rotated out).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::DuplicateId`] when a key with `key`'s id is already there: values
    /// name their key by id, so two keys with one id could not both open theirs.
    pub fn with_previous(mut self, key: SealingKey) -> Result<Self, SealingKeyError> {
        if self.opener(key.id).is_some() {
            return Err(SealingKeyError::DuplicateId { id: key.id });
        }
        self.previous.push(key);
        Ok(self)
    }

    fn opener(&self, id: u8) -> Option<&SealingKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }
}

/// Why a stored value was not used (it is a miss; the reason is traced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueProblem {
    /// Longer than [`MAX_VALUE_BYTES`].
    TooLarge,
    /// Not a value of this format or version.
    UnknownFormat,
    /// Plaintext, but sealing is on.
    NotSealed,
    /// Sealed, but sealing is off or the key id is unknown.
    NoKey,
    /// Sealed, but it fails to authenticate (wrong key, tampered, or copied from another
    /// token's entry).
    Unauthentic,
    /// The payload does not parse, or holds no valid token.
    Malformed,
}

impl ValueProblem {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ValueProblem::TooLarge => "too large",
            ValueProblem::UnknownFormat => "unknown format",
            ValueProblem::NotSealed => "not sealed, but sealing is on",
            ValueProblem::NoKey => "sealed with a key this replica does not have",
            ValueProblem::Unauthentic => "fails to authenticate",
            ValueProblem::Malformed => "malformed",
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    /// The token value.
    t: String,
    /// Its scopes, space-delimited.
    s: String,
    /// Whether the server stated the scopes.
    st: bool,
    /// Its whole lifetime in milliseconds, as the server gave it.
    l: u64,
    /// The entry's expiry on the store's clock (Unix ms), inside the sealed payload: a
    /// value re-written with a longer TTL by someone without the key cannot live longer.
    x: u64,
}

/// When and how a value was read: at `now` here, after a round trip of `rtt`, with the
/// store's clock reading `store_now` during it (if the store reports one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadAt {
    pub(crate) now: Instant,
    pub(crate) rtt: Duration,
    pub(crate) store_now: Option<StoreTime>,
}

/// `token` as a stored value expiring at `expire_at` on the store's clock; sealed when
/// `sealing` is given (bound to `keys`' token name, so a value copied to another
/// token's entry fails to open).
pub(crate) fn encode(
    token: &AccessToken,
    keys: &StoreKeyNames,
    sealing: Option<&Sealing>,
    expire_at: StoreTime,
) -> Vec<u8> {
    let payload = Payload {
        t: token.expose_secret().to_owned(),
        s: token.scopes().to_space_delimited(),
        st: token.scopes_stated_by_server(),
        l: u64::try_from(token.lifetime().as_millis()).unwrap_or(u64::MAX),
        x: expire_at.0,
    };
    let mut json = serde_json::to_vec(&payload).unwrap_or_default();
    let mut payload = payload;
    zeroize::Zeroize::zeroize(&mut payload.t);
    let Some(sealing) = sealing else {
        let mut value = Vec::with_capacity(MAGIC.len() + 1 + json.len());
        value.extend_from_slice(MAGIC);
        value.push(PLAIN);
        value.extend_from_slice(&json);
        zeroize::Zeroize::zeroize(&mut json);
        return value;
    };
    let key = &sealing.current;
    let mut nonce = [0u8; NONCE_LEN];
    // SystemRandom only fails when the OS has no randomness; an all-zero nonce would then
    // repeat, so nothing is sealed and the value is empty (a miss for every reader).
    if SystemRandom::new().fill(&mut nonce).is_err() {
        zeroize::Zeroize::zeroize(&mut json);
        return Vec::new();
    }
    let header = [MAGIC[0], MAGIC[1], MAGIC[2], SEALED, key.id];
    let aad = aad(&header, keys);
    if key
        .key
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut json)
        .is_err()
    {
        zeroize::Zeroize::zeroize(&mut json);
        return Vec::new();
    }
    let mut value = Vec::with_capacity(header.len() + NONCE_LEN + json.len());
    value.extend_from_slice(&header);
    value.extend_from_slice(&nonce);
    value.extend_from_slice(&json);
    value
}

fn aad(header: &[u8], keys: &StoreKeyNames) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + keys.token.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(keys.token.as_bytes());
    aad
}

/// The token in a stored `value` with `ttl` left by the store's clock, read as `read`
/// says. What is left is the least of: `ttl` less the round trip (the store's count may
/// have been taken at its start) and a millisecond (the count's rounding); the sealed
/// expiry less the store's clock at the read; the token's own lifetime. So a rebuilt
/// token never has more time left than it really has, whoever re-wrote the entry.
pub(crate) fn decode(
    value: &[u8],
    ttl: Duration,
    keys: &StoreKeyNames,
    sealing: Option<&Sealing>,
    read: ReadAt,
) -> Result<AccessToken, ValueProblem> {
    let ReadAt { now, rtt, store_now } = read;
    if value.len() > MAX_VALUE_BYTES {
        return Err(ValueProblem::TooLarge);
    }
    let rest = value
        .strip_prefix(MAGIC.as_slice())
        .ok_or(ValueProblem::UnknownFormat)?;
    let (&mode, rest) = rest.split_first().ok_or(ValueProblem::UnknownFormat)?;
    let mut opened = Vec::new();
    let json: &[u8] = match (mode, sealing) {
        (PLAIN, None) => rest,
        (PLAIN, Some(_)) => return Err(ValueProblem::NotSealed),
        (SEALED, None) => return Err(ValueProblem::NoKey),
        (SEALED, Some(sealing)) => {
            let (&id, rest) = rest.split_first().ok_or(ValueProblem::Malformed)?;
            let key = sealing.opener(id).ok_or(ValueProblem::NoKey)?;
            if rest.len() < NONCE_LEN {
                return Err(ValueProblem::Malformed);
            }
            let (nonce, sealed) = rest.split_at(NONCE_LEN);
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| ValueProblem::Malformed)?;
            let header = [MAGIC[0], MAGIC[1], MAGIC[2], SEALED, id];
            let aad = aad(&header, keys);
            opened = sealed.to_vec();
            let plain = key
                .key
                .open_in_place(nonce, Aad::from(&aad), &mut opened)
                .map_err(|_| ValueProblem::Unauthentic)?;
            &*plain
        }
        _ => return Err(ValueProblem::UnknownFormat),
    };
    let parsed = serde_json::from_slice::<Payload>(json);
    if mode == SEALED {
        zeroize::Zeroize::zeroize(&mut opened);
    }
    let mut payload = parsed.map_err(|_| ValueProblem::Malformed)?;
    // Less the round trip, and the millisecond a store's whole-millisecond count can round
    // up by: a rebuilt token never has more time left than it really has.
    let mut left = ttl.saturating_sub(rtt).saturating_sub(Duration::from_millis(1));
    if let Some(StoreTime(store_now)) = store_now {
        let sealed = Duration::from_millis(payload.x.saturating_sub(store_now));
        left = left.min(sealed.saturating_sub(rtt));
    }
    let lifetime = Duration::from_millis(payload.l);
    let left = left.min(lifetime);
    // Rebuilt as received when the publisher received it, so every replica computes the
    // same expiry and refresh window; if that instant cannot be represented here, as
    // received now with what is left.
    let (received_at, lifetime) = match now.checked_sub(lifetime - left) {
        Some(at) => (at, lifetime),
        None => (now, left),
    };
    let scopes: Scopes = payload
        .s
        .split(' ')
        .filter(|s| !s.is_empty())
        .filter_map(|s| Scope::new(s).ok())
        .collect();
    let value = std::mem::take(&mut payload.t);
    AccessToken::with_stated_scopes(value, scopes, payload.st, received_at, lifetime)
        .ok_or(ValueProblem::Malformed)
}

#[cfg(test)]
mod tests;

/// A random lease owner id: 128 bits from the OS, hex (a per-process counter's value
/// mixed with std's random hash keys if the OS has no randomness: the lease is an
/// efficiency lease, and a clash costs one extra request).
pub(crate) fn random_owner() -> String {
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let a = crate::clock::random_seed().to_be_bytes();
        let b = crate::clock::random_seed().to_be_bytes();
        bytes[..8].copy_from_slice(&a);
        bytes[8..].copy_from_slice(&b);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
