//! What a store holds: key names derived from what identifies a token, and values in a
//! versioned format, always sealed (encrypted and authenticated, bound to their key name):
//! the token, and the fleet's cool-down marker.

use std::time::{Duration, Instant};

use learn_oauth_proto::store::StoreTime;
use learn_oauth_proto::{AccessToken, ClientConfig, Scope, Scopes, TokenIdentity};
use ring::aead::{Aad, NONCE_LEN, Nonce};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, Zeroizing};

use super::adapter::StoreKeyNames;
use super::sealing::Sealing;

/// The largest value read back (the Redis adapter reads at most one byte more); anything
/// longer is refused unparsed.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Every value starts with this (the format's version 2: version 1 had plaintext values
/// and no issue time, and is refused), then a kind byte, the sealing key's id, the nonce
/// and the sealed payload.
const MAGIC: &[u8; 3] = b"LO\x02";
/// The kind byte of a token value.
const TOKEN: u8 = b't';
/// The kind byte of a cool-down marker.
const COOL_DOWN: u8 = b'c';

/// The store entries for tokens of `config`: named by its [`TokenIdentity`]'s digest
/// (never the secret), in one Redis Cluster hash tag.
pub(crate) fn key_names_for(config: &ClientConfig) -> StoreKeyNames {
    let base = format!("learn-oauth:v1:{{{}}}", TokenIdentity::of(config).short_hex());
    StoreKeyNames {
        token: format!("{base}:token"),
        lease: format!("{base}:lease"),
        cool_down: format!("{base}:cooldown"),
        published: format!("{base}:published"),
    }
}

/// Why a stored value was not used (it is a miss; the reason is traced and counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueProblem {
    /// Longer than [`MAX_VALUE_BYTES`].
    TooLarge,
    /// Not a sealed value of this format and version (plaintext, planted, or written by
    /// an older version).
    UnknownFormat,
    /// A sealed value of another kind (a cool-down marker where a token belongs, or the
    /// other way round).
    WrongKind,
    /// Sealed with a key id this replica does not have.
    NoKey,
    /// Sealed, but it fails to authenticate (wrong key, tampered, or moved from another
    /// key name).
    Unauthentic,
    /// The payload does not parse, or holds no valid token.
    Malformed,
}

impl ValueProblem {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ValueProblem::TooLarge => "too large",
            ValueProblem::UnknownFormat => "not a sealed value of this version",
            ValueProblem::WrongKind => "a sealed value of another kind",
            ValueProblem::NoKey => "sealed with a key this replica does not have",
            ValueProblem::Unauthentic => "fails to authenticate",
            ValueProblem::Malformed => "malformed",
        }
    }
}

/// A token value's sealed payload.
#[derive(serde::Serialize, serde::Deserialize)]
struct TokenPayload {
    /// The token value.
    t: String,
    /// Its scopes, space-delimited.
    s: String,
    /// Whether the server stated the scopes.
    st: bool,
    /// Its whole lifetime in milliseconds, as the server gave it.
    l: u64,
    /// The entry's expiry on the store's clock (Unix ms), inside the seal: a value
    /// re-written with a longer TTL by someone without the key cannot live longer.
    x: u64,
    /// When it was published, on the store's clock (Unix ms), inside the seal: replicas
    /// never adopt a value older than one they have seen for the key.
    i: u64,
}

impl Drop for TokenPayload {
    fn drop(&mut self) {
        self.t.zeroize();
    }
}

/// A cool-down marker's sealed payload.
#[derive(serde::Serialize, serde::Deserialize)]
struct CoolDownPayload {
    /// When the cool-down ends, on the store's clock (Unix ms).
    u: u64,
}

/// When and how a value was read: at `now` here, after a round trip of `rtt`, with the
/// store's clock reading `store_now` during it (if the store reports one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadAt {
    pub(crate) now: Instant,
    pub(crate) rtt: Duration,
    pub(crate) store_now: Option<StoreTime>,
}

/// `token` as a stored value issued at `issued` and expiring at `expire_at` on the
/// store's clock, sealed and bound to `keys`' token name.
pub(crate) fn encode(
    token: &AccessToken,
    keys: &StoreKeyNames,
    sealing: &Sealing,
    issued: StoreTime,
    expire_at: StoreTime,
) -> Vec<u8> {
    let payload = TokenPayload {
        t: token.expose_secret().to_owned(),
        s: token.scopes().to_space_delimited(),
        st: token.scopes_stated_by_server(),
        l: u64::try_from(token.lifetime().as_millis()).unwrap_or(u64::MAX),
        x: expire_at.0,
        i: issued.0,
    };
    let json = Zeroizing::new(serde_json::to_vec(&payload).unwrap_or_default());
    seal_token_payload(json, keys, sealing)
}

/// `payload` sealed as a token value at `keys`' token name.
pub(crate) fn seal_token_payload(
    payload: Zeroizing<Vec<u8>>,
    keys: &StoreKeyNames,
    sealing: &Sealing,
) -> Vec<u8> {
    seal(payload, TOKEN, &keys.token, sealing)
}

/// A cool-down marker ending at `until` on the store's clock, sealed and bound to
/// `keys`' cool-down name.
pub(crate) fn encode_cool_down(keys: &StoreKeyNames, sealing: &Sealing, until: StoreTime) -> Vec<u8> {
    let json = Zeroizing::new(serde_json::to_vec(&CoolDownPayload { u: until.0 }).unwrap_or_default());
    seal_cool_down_payload(json, keys, sealing)
}

/// `payload` sealed as a cool-down marker at `keys`' cool-down name.
pub(crate) fn seal_cool_down_payload(
    payload: Zeroizing<Vec<u8>>,
    keys: &StoreKeyNames,
    sealing: &Sealing,
) -> Vec<u8> {
    seal(payload, COOL_DOWN, &keys.cool_down, sealing)
}

/// `plain` sealed with `sealing`'s current key as a value of `kind` at `name`.
fn seal(mut plain: Zeroizing<Vec<u8>>, kind: u8, name: &str, sealing: &Sealing) -> Vec<u8> {
    let key = &sealing.current;
    let mut nonce = [0u8; NONCE_LEN];
    // SystemRandom only fails when the OS has no randomness; an all-zero nonce would then
    // repeat, so nothing is sealed and the value is empty (a miss for every reader).
    if SystemRandom::new().fill(&mut nonce).is_err() {
        return Vec::new();
    }
    let header = [MAGIC[0], MAGIC[1], MAGIC[2], kind, key.id];
    let aad = aad(&header, name);
    let sealed =
        key.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut *plain);
    if sealed.is_err() {
        return Vec::new();
    }
    // `plain` now holds the ciphertext and tag.
    let mut value = Vec::with_capacity(header.len() + NONCE_LEN + plain.len());
    value.extend_from_slice(&header);
    value.extend_from_slice(&nonce);
    value.extend_from_slice(&plain);
    value
}

/// What a value's tag authenticates besides its payload: its header (format, kind, key
/// id) and the name of the key it was written to.
fn aad(header: &[u8], name: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + name.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(name.as_bytes());
    aad
}

/// The payload of a value of `kind` at `name`, opened with `sealing`, in a buffer wiped
/// when dropped.
fn open(value: &[u8], kind: u8, name: &str, sealing: &Sealing) -> Result<Zeroizing<Vec<u8>>, ValueProblem> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(ValueProblem::TooLarge);
    }
    let rest = value
        .strip_prefix(MAGIC.as_slice())
        .ok_or(ValueProblem::UnknownFormat)?;
    let (&found, rest) = rest.split_first().ok_or(ValueProblem::UnknownFormat)?;
    if found != TOKEN && found != COOL_DOWN {
        return Err(ValueProblem::UnknownFormat);
    }
    if found != kind {
        return Err(ValueProblem::WrongKind);
    }
    let (&id, rest) = rest.split_first().ok_or(ValueProblem::Malformed)?;
    let key = sealing.opener(id).ok_or(ValueProblem::NoKey)?;
    if rest.len() < NONCE_LEN {
        return Err(ValueProblem::Malformed);
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| ValueProblem::Malformed)?;
    let header = [MAGIC[0], MAGIC[1], MAGIC[2], kind, id];
    let aad = aad(&header, name);
    let mut opened = Zeroizing::new(sealed.to_vec());
    let len = key
        .key
        .open_in_place(nonce, Aad::from(&aad), &mut opened)
        .map_err(|_| ValueProblem::Unauthentic)?
        .len();
    opened.truncate(len);
    Ok(opened)
}

/// What is left of an entry with `ttl` left by the store's clock and sealed to end at
/// `sealed_end`, read as `read` says: the least of `ttl` less the round trip (the store's
/// count may have been taken at its start) and a millisecond (the count's rounding), and
/// the sealed end less the store's clock at the read.
fn time_left(ttl: Duration, sealed_end: u64, read: ReadAt) -> Duration {
    let mut left = ttl
        .saturating_sub(read.rtt)
        .saturating_sub(Duration::from_millis(1));
    if let Some(StoreTime(store_now)) = read.store_now {
        let sealed = Duration::from_millis(sealed_end.saturating_sub(store_now));
        left = left.min(sealed.saturating_sub(read.rtt));
    }
    left
}

/// The token in a stored `value` with `ttl` left by the store's clock, read as `read`
/// says, and its sealed issue time. What is left is [`time_left`]'s, and never more than
/// the token's own lifetime: a rebuilt token never has more time left than it really
/// has, whoever re-wrote the entry.
pub(crate) fn decode(
    value: &[u8],
    ttl: Duration,
    keys: &StoreKeyNames,
    sealing: &Sealing,
    read: ReadAt,
) -> Result<(AccessToken, StoreTime), ValueProblem> {
    let opened = open(value, TOKEN, &keys.token, sealing)?;
    let mut payload = serde_json::from_slice::<TokenPayload>(&opened).map_err(|_| ValueProblem::Malformed)?;
    drop(opened);
    let lifetime = Duration::from_millis(payload.l);
    let left = time_left(ttl, payload.x, read).min(lifetime);
    // Rebuilt as received when the publisher received it, so every replica computes the
    // same expiry and refresh window; if that instant cannot be represented here, as
    // received now with what is left.
    let (received_at, lifetime) = match read.now.checked_sub(lifetime - left) {
        Some(at) => (at, lifetime),
        None => (read.now, left),
    };
    let scopes: Scopes = payload
        .s
        .split(' ')
        .filter(|s| !s.is_empty())
        .filter_map(|s| Scope::new(s).ok())
        .collect();
    let value = std::mem::take(&mut payload.t);
    let token = AccessToken::with_stated_scopes(value, scopes, payload.st, received_at, lifetime)
        .ok_or(ValueProblem::Malformed)?;
    Ok((token, StoreTime(payload.i)))
}

/// What is left of the cool-down in a stored marker `value` with `ttl` left by the
/// store's clock, read as `read` says ([`time_left`]).
pub(crate) fn decode_cool_down(
    value: &[u8],
    ttl: Duration,
    keys: &StoreKeyNames,
    sealing: &Sealing,
    read: ReadAt,
) -> Result<Duration, ValueProblem> {
    let opened = open(value, COOL_DOWN, &keys.cool_down, sealing)?;
    let payload = serde_json::from_slice::<CoolDownPayload>(&opened).map_err(|_| ValueProblem::Malformed)?;
    Ok(time_left(ttl, payload.u, read))
}

#[cfg(test)]
mod tests;
