//! `store_value`: bytes from the shared store (what anyone who can write to the Redis
//! controls) through the value decoder a replica runs after every read, entered through
//! `learn_oauth_driver::store::fuzzing` (feature `fuzzing`).
//!
//! Input: [`HEADER`] knob bytes (see [`Knobs`]), then the stored value; with the `seal`
//! knob, the rest is instead a payload the target seals itself with the fleet's current
//! key, so mutations reach the payload parser past the AEAD check (a mutated sealed seed
//! never opens).
//!
//! Checked for every input, against a reference opener written here from the format's
//! description (`"LO\x02"`, kind byte, key id, 12-byte nonce, ChaCha20-Poly1305 with the
//! 5-byte header and the key name as associated data), not with the driver's code:
//!
//! - no panic;
//! - a value is adopted only if the reference opens it with the replica's keys, as the
//!   slot's kind, at the slot's key name: with keys the fuzzer does not know, or at
//!   another token's key name, nothing is ever adopted;
//! - an adopted token is the sealed `t`, its issue time the sealed `i`, its lifetime no
//!   longer than the sealed `l`, and it expires no later than the entry's TTL (less the
//!   read's round trip and a millisecond) and, with the store's clock, the sealed expiry
//!   `x` allow; a honoured cool-down lasts exactly what its TTL and sealed end `u` allow;
//! - a payload of the right shape sealed with the right key at the right name is
//!   adopted (the checks above are not vacuous);
//! - a value longer than `MAX_VALUE_BYTES` is refused unopened (with the `pad` knobs, a
//!   value or sealed payload is padded to exactly the cap or one byte past it).

use std::time::Duration;

use learn_oauth_driver::store::fuzzing::{self, Read};
use learn_oauth_driver::store::{MAX_VALUE_BYTES, Sealing, SealingKey, StoreKeyNames, StoreTime};
use learn_oauth_proto::ClientConfig;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use serde::Deserialize;

/// How many knob bytes come before the value.
pub const HEADER: usize = 16;

/// The fleet's keys (id, bytes): the current one first, then a previous one still
/// accepted. Seeds are sealed with these.
pub const FLEET_KEYS: [(u8, [u8; 32]); 2] = [(1, [0x11; 32]), (0, [0x10; 32])];

/// Keys no seed was sealed with, under the same ids: a replica holding these must adopt
/// nothing the fuzzer wrote.
pub const UNKNOWN_KEYS: [(u8, [u8; 32]); 2] = [(1, [0xee; 32]), (0, [0xef; 32])];

/// The configuration whose key names every seed was sealed for.
pub fn config() -> ClientConfig {
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fuzz secret Q7v")
        .scopes(["api/read"])
        .build()
        .expect("a valid configuration")
}

/// Another token's configuration (other scopes, so other key names).
pub fn other_config() -> ClientConfig {
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fuzz secret Q7v")
        .scopes(["api/write"])
        .build()
        .expect("a valid configuration")
}

/// A [`Sealing`] of `keys`: the first current, the others previous.
pub fn sealing(keys: &[(u8, [u8; 32])]) -> Sealing {
    let mut keys = keys
        .iter()
        .map(|(id, bytes)| SealingKey::new(*id, bytes).expect("32 bytes"));
    let mut sealing = Sealing::new(keys.next().expect("a current key"));
    for key in keys {
        sealing = sealing.with_previous(key).expect("distinct ids");
    }
    sealing
}

/// The knobs, from the first [`HEADER`] bytes (missing ones are zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Knobs {
    /// Byte 0, bit 0: the value is read as the cool-down marker (else as the token).
    pub cool_down: bool,
    /// Byte 0, bit 1: the replica holds [`UNKNOWN_KEYS`] (else [`FLEET_KEYS`]).
    pub unknown_keys: bool,
    /// Byte 0, bit 2: the value is read at [`other_config`]'s key names (moved there).
    pub moved: bool,
    /// Byte 0, bit 3: the rest is a payload, sealed here with the fleet's current key as
    /// the slot's kind at [`config`]'s key names.
    pub seal: bool,
    /// Byte 0, bit 4: the value is padded to exactly `MAX_VALUE_BYTES` (with `seal`, the
    /// payload with spaces, so that the sealed value is); bit 5 then adds one byte more.
    pub pad: Option<usize>,
    /// Bytes 1-4: the entry's TTL by the store's clock, in ms (little-endian).
    pub ttl: Duration,
    /// Bytes 5-6: the read's round trip, in ms.
    pub rtt: Duration,
    /// Bytes 7-14: the store's clock at the read, Unix ms; zero for none.
    pub store_now: Option<StoreTime>,
    /// Byte 15: the replica's clock, this many hours after the origin.
    pub hours: u8,
}

impl Knobs {
    /// The knobs `header` (up to [`HEADER`] bytes) selects.
    pub fn parse(header: &[u8]) -> Self {
        let mut b = [0u8; HEADER];
        b[..header.len().min(HEADER)].copy_from_slice(&header[..header.len().min(HEADER)]);
        let flags = b[0];
        let ttl = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
        let rtt = u16::from_le_bytes([b[5], b[6]]);
        let store_now = u64::from_le_bytes([b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14]]);
        Knobs {
            cool_down: flags & 1 != 0,
            unknown_keys: flags & 2 != 0,
            moved: flags & 4 != 0,
            seal: flags & 8 != 0,
            pad: (flags & 16 != 0).then_some(MAX_VALUE_BYTES + usize::from(flags & 32 != 0)),
            ttl: Duration::from_millis(u64::from(ttl)),
            rtt: Duration::from_millis(u64::from(rtt)),
            store_now: (store_now != 0).then_some(StoreTime(store_now)),
            hours: b[15],
        }
    }

    /// The header bytes for these knobs (the inverse of [`Knobs::parse`]).
    pub fn to_bytes(self) -> [u8; HEADER] {
        let mut b = [0u8; HEADER];
        b[0] = u8::from(self.cool_down)
            | u8::from(self.unknown_keys) << 1
            | u8::from(self.moved) << 2
            | u8::from(self.seal) << 3
            | u8::from(self.pad.is_some()) << 4
            | u8::from(self.pad == Some(MAX_VALUE_BYTES + 1)) << 5;
        let ttl = u32::try_from(self.ttl.as_millis()).unwrap_or(u32::MAX);
        b[1..5].copy_from_slice(&ttl.to_le_bytes());
        let rtt = u16::try_from(self.rtt.as_millis()).unwrap_or(u16::MAX);
        b[5..7].copy_from_slice(&rtt.to_le_bytes());
        b[7..15].copy_from_slice(&self.store_now.map_or(0, |t| t.0).to_le_bytes());
        b[15] = self.hours;
        b
    }
}

/// The kind byte of a token value.
const TOKEN: u8 = b't';
/// The kind byte of a cool-down marker.
const COOL_DOWN: u8 = b'c';
/// What every value of this format starts with.
const MAGIC: &[u8] = b"LO\x02";
/// The length of the AEAD tag.
const TAG_LEN: usize = 16;

/// The payload of `value` if it opens as a value of `kind` at `name` with one of `keys`
/// (picked by the id after the kind byte): the format, re-implemented from its
/// description.
pub fn reference_open(value: &[u8], kind: u8, name: &str, keys: &[(u8, [u8; 32])]) -> Option<Vec<u8>> {
    if value.len() > MAX_VALUE_BYTES || value.len() < MAGIC.len() + 2 + NONCE_LEN + TAG_LEN {
        return None;
    }
    let (header, rest) = value.split_at(MAGIC.len() + 2);
    if &header[..MAGIC.len()] != MAGIC || header[MAGIC.len()] != kind {
        return None;
    }
    let id = header[MAGIC.len() + 1];
    let (_, bytes) = keys.iter().find(|(k, _)| *k == id)?;
    let key = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, bytes).ok()?);
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let aad = [header, name.as_bytes()].concat();
    let mut buffer = sealed.to_vec();
    let plain = key.open_in_place(nonce, Aad::from(aad), &mut buffer).ok()?;
    Some(plain.to_vec())
}

/// A token value's payload, as the format describes it (unknown fields ignored).
#[derive(Deserialize)]
pub struct TokenPayload {
    /// The token.
    pub t: String,
    /// Its scopes, space-delimited.
    pub s: String,
    /// Whether the server stated them.
    pub st: bool,
    /// Its lifetime, ms.
    pub l: u64,
    /// The entry's sealed expiry on the store's clock, Unix ms.
    pub x: u64,
    /// When it was published on the store's clock, Unix ms.
    pub i: u64,
}

/// A cool-down marker's payload, as the format describes it.
#[derive(Deserialize)]
pub struct CoolDownPayload {
    /// When the cool-down ends on the store's clock, Unix ms.
    pub u: u64,
}

/// `body` sealed as `knobs` say (with the `seal` knob; else `body` itself), padded to
/// the `pad` knob's length.
pub fn value(knobs: &Knobs, body: &[u8]) -> Vec<u8> {
    if !knobs.seal {
        let mut value = body.to_vec();
        if let Some(len) = knobs.pad {
            value.resize(len, b' ');
        }
        return value;
    }
    let keys = fuzzing::key_names_for(&config());
    let fleet = sealing(&FLEET_KEYS);
    let seal = |payload: &[u8]| {
        if knobs.cool_down {
            fuzzing::seal_cool_down_payload(payload, &keys, &fleet)
        } else {
            fuzzing::seal_token_payload(payload, &keys, &fleet)
        }
    };
    let mut payload = body.to_vec();
    if let Some(len) = knobs.pad {
        // The sealed value is the payload plus a fixed overhead.
        let overhead = seal(b"").len();
        payload.resize(len.saturating_sub(overhead).max(payload.len()), b' ');
    }
    seal(&payload)
}

/// What a replica made of one value.
#[derive(Debug)]
pub enum Outcome {
    /// The token adopted and its issue time.
    Token(learn_oauth_proto::AccessToken, StoreTime),
    /// What is left of the cool-down honoured.
    CoolDown(Duration),
    /// Refused, with the traced reason.
    Refused(&'static str),
}

/// The input through the decoder and every check. Returns the outcome (for the seed
/// tests).
pub fn check(data: &[u8]) -> Outcome {
    let (header, body) = data.split_at(data.len().min(HEADER));
    let knobs = Knobs::parse(header);
    let value = value(&knobs, body);
    let held = if knobs.unknown_keys {
        &UNKNOWN_KEYS
    } else {
        &FLEET_KEYS
    };
    let replica = sealing(held);
    let names: StoreKeyNames = fuzzing::key_names_for(&if knobs.moved { other_config() } else { config() });
    let now = crate::origin() + Duration::from_secs(u64::from(knobs.hours) * 3600);
    let read = Read {
        now,
        rtt: knobs.rtt,
        store_now: knobs.store_now,
        ttl: knobs.ttl,
    };
    let (kind, name) = if knobs.cool_down {
        (COOL_DOWN, names.cool_down())
    } else {
        (TOKEN, names.token())
    };
    let outcome = if knobs.cool_down {
        fuzzing::open_cool_down(&value, &names, &replica, read)
            .map_or_else(Outcome::Refused, Outcome::CoolDown)
    } else {
        fuzzing::open_token(&value, &names, &replica, read)
            .map_or_else(Outcome::Refused, |(token, issued)| Outcome::Token(token, issued))
    };

    if value.len() > MAX_VALUE_BYTES {
        assert!(
            matches!(outcome, Outcome::Refused("too large")),
            "a value of {} bytes was not refused as too large: {outcome:?}",
            value.len()
        );
        return outcome;
    }
    let plain = reference_open(&value, kind, name, held);
    if !matches!(outcome, Outcome::Refused(_)) {
        assert!(!knobs.unknown_keys, "adopted under keys the fuzzer does not know");
        assert!(!knobs.moved, "adopted at another token's key name");
        assert!(
            plain.is_some(),
            "adopted, but it does not open with the replica's keys as this kind at this name"
        );
    }
    // What is left by the TTL, and by the sealed end when the store's clock is known.
    let by_ttl = knobs
        .ttl
        .saturating_sub(knobs.rtt)
        .saturating_sub(Duration::from_millis(1));
    let by_seal = |end: u64| {
        knobs.store_now.map_or(Duration::MAX, |StoreTime(at)| {
            Duration::from_millis(end.saturating_sub(at)).saturating_sub(knobs.rtt)
        })
    };
    match &outcome {
        Outcome::Token(token, issued) => {
            let payload: TokenPayload = serde_json::from_slice(plain.as_deref().unwrap_or_default())
                .expect("an adopted token's payload parses");
            assert_eq!(
                token.expose_secret(),
                payload.t,
                "the adopted token is not the sealed one"
            );
            assert_eq!(issued.0, payload.i, "the issue time is not the sealed one");
            assert!(token.lifetime() <= Duration::from_millis(payload.l));
            assert!(token.received_at() <= now);
            let left = by_ttl
                .min(by_seal(payload.x))
                .min(Duration::from_millis(payload.l));
            let latest = now.checked_add(left).unwrap_or(now);
            assert!(
                token.expires_at() <= latest,
                "the token outlives its entry: {:?} left, expires {:?} after now",
                left,
                token.expires_at().saturating_duration_since(now)
            );
        }
        Outcome::CoolDown(left) => {
            let payload: CoolDownPayload = serde_json::from_slice(plain.as_deref().unwrap_or_default())
                .expect("an honoured marker's payload parses");
            assert_eq!(
                *left,
                by_ttl.min(by_seal(payload.u)),
                "the cool-down is not what was sealed"
            );
        }
        Outcome::Refused(_) => {
            // A well-formed payload sealed with the fleet's key at its own name opens.
            if knobs.seal && !knobs.unknown_keys && !knobs.moved {
                let plain = plain.expect("sealed here with the fleet's key: the reference opens it");
                let well_formed = if knobs.cool_down {
                    serde_json::from_slice::<CoolDownPayload>(&plain).is_ok()
                } else {
                    serde_json::from_slice::<TokenPayload>(&plain)
                        .is_ok_and(|p| !p.t.is_empty() && p.t.bytes().all(|b| (0x21..=0x7e).contains(&b)))
                };
                assert!(
                    !well_formed,
                    "a well-formed sealed value was refused: {outcome:?}"
                );
            }
        }
    }
    outcome
}

/// The committed seeds, by name: `adopt-*` open, `refuse-*` do not. Values are sealed
/// with [`FLEET_KEYS`] for [`config`]'s key names (a new nonce each call); `*-sealed-payload-*`
/// seeds carry a readable JSON payload after the knobs, sealed by the target.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    use learn_oauth_proto::{AccessToken, Scope, Scopes};

    let keys = fuzzing::key_names_for(&config());
    let current = sealing(&FLEET_KEYS);
    let previous = sealing(&FLEET_KEYS[1..]);
    let scopes: Scopes = [Scope::new("api/read").expect("a scope")].into_iter().collect();
    let token = |lifetime: Duration| {
        AccessToken::new("t0k3n-fuzz".into(), scopes.clone(), crate::origin(), lifetime).expect("a token")
    };
    let hour = Duration::from_secs(3600);
    let knobs = Knobs {
        cool_down: false,
        unknown_keys: false,
        moved: false,
        seal: false,
        pad: None,
        ttl: Duration::from_secs(60),
        rtt: Duration::from_millis(5),
        store_now: Some(StoreTime(1_000_000)),
        hours: 1,
    };
    let cool = Knobs {
        cool_down: true,
        ..knobs
    };
    let sealed_token = fuzzing::seal_token(
        &token(hour),
        &keys,
        &current,
        StoreTime(999_000),
        StoreTime(1_060_000),
    );
    let sealed_cool_down = fuzzing::seal_cool_down_payload(br#"{"u":1030000}"#, &keys, &current);
    let seed = |knobs: Knobs, value: &[u8]| [&knobs.to_bytes()[..], value].concat();
    let payload = br#"{"t":"t0k3n-fuzz","s":"api/read","st":true,"l":3600000,"x":1060000,"i":999000}"#;
    let sealing_knobs = Knobs { seal: true, ..knobs };
    let sealing_cool = Knobs { seal: true, ..cool };
    let mut tampered = sealed_token.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 1;
    }
    let plaintext_v1 = [&b"LO\x01p"[..], &payload[..]].concat();
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("adopt-token", seed(knobs, &sealed_token)),
        (
            "adopt-token-previous-key",
            seed(
                knobs,
                &fuzzing::seal_token(&token(hour), &keys, &previous, StoreTime(999_000), StoreTime(1_060_000)),
            ),
        ),
        (
            "adopt-token-no-store-clock",
            seed(Knobs { store_now: None, ..knobs }, &sealed_token),
        ),
        (
            "adopt-token-ten-years",
            seed(
                Knobs { hours: 200, ..knobs },
                &fuzzing::seal_token(
                    &token(Duration::from_secs(10 * 365 * 86_400)),
                    &keys,
                    &current,
                    StoreTime(1),
                    StoreTime(u64::MAX),
                ),
            ),
        ),
        ("adopt-cool-down", seed(cool, &sealed_cool_down)),
        (
            "adopt-cool-down-previous-key",
            seed(cool, &fuzzing::seal_cool_down_payload(br#"{"u":1030000}"#, &keys, &previous)),
        ),
        ("adopt-sealed-payload-token", seed(sealing_knobs, payload)),
        (
            "adopt-sealed-payload-token-at-cap",
            seed(
                Knobs {
                    pad: Some(MAX_VALUE_BYTES),
                    ..sealing_knobs
                },
                payload,
            ),
        ),
        (
            "adopt-sealed-payload-token-huge-numbers",
            seed(
                sealing_knobs,
                br#"{"t":"t0k3n-fuzz","s":"","st":false,"l":18446744073709551615,"x":18446744073709551615,"i":18446744073709551615,"extra":[1,{"t":2}]}"#,
            ),
        ),
        ("adopt-sealed-payload-cool-down", seed(sealing_cool, br#"{"u":1030000}"#)),
        (
            "adopt-sealed-payload-cool-down-ended",
            seed(sealing_cool, br#"{"u":0}"#),
        ),
        ("refuse-unknown-keys", seed(Knobs { unknown_keys: true, ..knobs }, &sealed_token)),
        (
            "refuse-cool-down-unknown-keys",
            seed(Knobs { unknown_keys: true, ..cool }, &sealed_cool_down),
        ),
        ("refuse-moved", seed(Knobs { moved: true, ..knobs }, &sealed_token)),
        ("refuse-cool-down-moved", seed(Knobs { moved: true, ..cool }, &sealed_cool_down)),
        ("refuse-cool-down-as-token", seed(knobs, &sealed_cool_down)),
        ("refuse-token-as-cool-down", seed(cool, &sealed_token)),
        ("refuse-tampered", seed(knobs, &tampered)),
        ("refuse-truncated", seed(knobs, &sealed_token[..sealed_token.len() - 1])),
        ("refuse-plaintext-v1", seed(knobs, &plaintext_v1)),
        ("refuse-plaintext-json", seed(knobs, payload)),
        ("refuse-planted-cool-down", seed(cool, b"1")),
        ("refuse-header-only", seed(knobs, b"LO\x02t\x01")),
        (
            "refuse-sealed-payload-over-cap",
            seed(
                Knobs {
                    pad: Some(MAX_VALUE_BYTES + 1),
                    ..sealing_knobs
                },
                payload,
            ),
        ),
        (
            "refuse-sealed-payload-space-in-token",
            seed(
                sealing_knobs,
                br#"{"t":"t0k3n fuzz","s":"","st":true,"l":3600000,"x":1060000,"i":999000}"#,
            ),
        ),
        (
            "refuse-sealed-payload-missing-issue-time",
            seed(sealing_knobs, br#"{"t":"t0k3n-fuzz","s":"","st":true,"l":3600000,"x":1060000}"#),
        ),
        (
            "refuse-sealed-payload-string-lifetime",
            seed(
                sealing_knobs,
                br#"{"t":"t0k3n-fuzz","s":"","st":true,"l":"3600000","x":1060000,"i":999000}"#,
            ),
        ),
        ("refuse-sealed-payload-cool-down-negative", seed(sealing_cool, br#"{"u":-1}"#)),
        (
            "refuse-sealed-payload-moved",
            seed(Knobs { moved: true, ..sealing_knobs }, payload),
        ),
        (
            "refuse-sealed-payload-unknown-keys",
            seed(Knobs { unknown_keys: true, ..sealing_knobs }, payload),
        ),
    ];
    seeds
        .into_iter()
        .map(|(name, bytes)| (name.to_owned(), bytes))
        .collect()
}
