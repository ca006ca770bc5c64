// A starting instant for rebuilt tokens; time moves only by what the tests add.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Scope, Scopes};
use proptest::prelude::*;

use super::*;
use crate::store::sealing::{SealingKey, SealingKeyError};

fn config(scopes: &[&str]) -> ClientConfig {
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("canary-secret-9f3Kq")
        .scopes(scopes.iter().copied())
        .build()
        .unwrap()
}

fn token(now: Instant) -> AccessToken {
    let scopes: Scopes = [Scope::new("api/read").unwrap()].into_iter().collect();
    AccessToken::new("t0k3n-canary".into(), scopes, now, Duration::from_secs(3600)).unwrap()
}

#[test]
fn key_names_ignore_scope_order_and_never_hold_the_secret() {
    let a = key_names_for(&config(&["api/write", "api/read"]));
    let b = key_names_for(&config(&["api/read", "api/write"]));
    let c = key_names_for(&config(&["api/read"]));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.token().starts_with("learn-oauth:v1:{") && a.token().ends_with("}:token"));
    let hash = &a.token()["learn-oauth:v1:".len()..a.token().len() - ":token".len()];
    assert_eq!(a.lease(), format!("learn-oauth:v1:{hash}:lease"));
    for name in [a.token(), a.lease(), a.cool_down()] {
        assert!(!name.contains("canary") && !name.contains("eu-west-2"), "{name}");
    }
}

#[test]
fn key_names_are_the_token_identity_and_fixed_for_a_configuration() {
    // Fixed forever: replicas of different versions must meet under one name.
    let config = config(&["api/write", "api/read"]);
    let names = key_names_for(&config);
    let tag = TokenIdentity::of(&config).short_hex();
    assert_eq!(names.token(), format!("learn-oauth:v1:{{{tag}}}:token"));
    assert_eq!(
        names.token(),
        "learn-oauth:v1:{2ecbfd42dd1cd12e0a33fac1385eac3a}:token"
    );
    assert_eq!(
        names.lease(),
        "learn-oauth:v1:{2ecbfd42dd1cd12e0a33fac1385eac3a}:lease"
    );
    assert_eq!(
        names.cool_down(),
        "learn-oauth:v1:{2ecbfd42dd1cd12e0a33fac1385eac3a}:cooldown"
    );
}

fn sealing() -> Sealing {
    Sealing::new(SealingKey::new(1, &[7; 32]).unwrap())
}

const ISSUED: StoreTime = StoreTime(1_000_000);

#[test]
fn a_value_round_trips_with_the_same_expiry_and_its_issue_time() {
    let now = Instant::now();
    let keys = key_names_for(&config(&[]));
    let original = token(now);
    let sealing = sealing();
    // Sealed to expire 3,000 s and one round trip after the store clock reads at the
    // read (both limits then say 3,000 s).
    let value = encode(
        &original,
        &keys,
        &sealing,
        ISSUED,
        StoreTime(1_600_000 + 3_000_000 + 5),
    );
    // Read 10 minutes later with 50 minutes left by the store's clock, after a 5 ms read.
    let later = now + Duration::from_secs(600);
    let rtt = Duration::from_millis(5);
    let ttl = Duration::from_secs(3000) + rtt + Duration::from_millis(1);
    let read = ReadAt {
        now: later,
        rtt,
        store_now: Some(StoreTime(1_000_000 + 600_000)),
    };
    let (rebuilt, issued) = decode(&value, ttl, &keys, &sealing, read).unwrap();
    assert_eq!(issued, ISSUED);
    assert_eq!(rebuilt.expose_secret(), original.expose_secret());
    assert_eq!(rebuilt.lifetime(), original.lifetime());
    assert_eq!(rebuilt.expires_at(), later + Duration::from_secs(3000));
    assert_eq!(rebuilt.scopes().to_space_delimited(), "api/read");
    assert!(!String::from_utf8_lossy(&value).contains("t0k3n-canary"));
}

#[test]
fn a_cool_down_marker_round_trips_and_ends_when_it_was_sealed_to() {
    let keys = key_names_for(&config(&[]));
    let sealing = sealing();
    let value = encode_cool_down(&keys, &sealing, StoreTime(1_030_000));
    let read = ReadAt {
        now: Instant::now(),
        rtt: Duration::ZERO,
        store_now: Some(StoreTime(1_000_000)),
    };
    // Re-written with a day-long TTL, it still ends when its seal says.
    let left = decode_cool_down(&value, Duration::from_secs(86_400), &keys, &sealing, read).unwrap();
    assert_eq!(left, Duration::from_secs(30));
    // A token value is no cool-down marker and the other way round, even at the right name.
    let token_value = encode(
        &token(Instant::now()),
        &keys,
        &sealing,
        ISSUED,
        StoreTime(u64::MAX),
    );
    assert_eq!(
        decode_cool_down(&token_value, Duration::from_secs(60), &keys, &sealing, read).unwrap_err(),
        ValueProblem::WrongKind
    );
    assert_eq!(
        decode(&value, Duration::from_secs(60), &keys, &sealing, read)
            .map(drop)
            .unwrap_err(),
        ValueProblem::WrongKind
    );
    // Planted markers do not open.
    for planted in [&b"1"[..], b"", b"LO\x02c\x01"] {
        assert!(decode_cool_down(planted, Duration::from_secs(60), &keys, &sealing, read).is_err());
    }
}

#[test]
fn values_that_do_not_open_are_refused_with_their_reason() {
    let now = Instant::now();
    let keys = key_names_for(&config(&[]));
    let other_keys = key_names_for(&config(&["api/read"]));
    let key = sealing;
    let ttl = Duration::from_secs(60);
    let sealed = encode(&token(now), &keys, &key(), ISSUED, StoreTime(u64::MAX));
    let at = |now| ReadAt {
        now,
        rtt: Duration::ZERO,
        store_now: None,
    };
    let decode_with = |value: &[u8], keys, sealing: &Sealing| {
        decode(value, ttl, keys, sealing, at(now))
            .map(|_| ())
            .unwrap_err()
    };
    let wrong = Sealing::new(SealingKey::new(1, &[8; 32]).unwrap());
    let unknown_id = Sealing::new(SealingKey::new(2, &[7; 32]).unwrap());
    assert_eq!(decode_with(&sealed, &keys, &wrong), ValueProblem::Unauthentic);
    assert_eq!(
        decode_with(&sealed, &other_keys, &key()),
        ValueProblem::Unauthentic,
        "moved to another token's key"
    );
    assert_eq!(decode_with(&sealed, &keys, &unknown_id), ValueProblem::NoKey);
    let mut tampered = sealed.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(decode_with(&tampered, &keys, &key()), ValueProblem::Unauthentic);
    // A plaintext token, as the first version of the format wrote it, or as planted.
    let plain = [
        &b"LO\x01p"[..],
        br#"{"t":"planted","s":"","st":true,"l":3600000,"x":99999999999999}"#,
    ]
    .concat();
    assert_eq!(decode_with(&plain, &keys, &key()), ValueProblem::UnknownFormat);
    assert_eq!(
        decode_with(b"planted-token", &keys, &key()),
        ValueProblem::UnknownFormat
    );
    assert_eq!(decode_with(b"", &keys, &key()), ValueProblem::UnknownFormat);
    assert_eq!(decode_with(b"LO\x02t", &keys, &key()), ValueProblem::Malformed);
    assert_eq!(
        decode_with(b"LO\x02t\x01", &keys, &key()),
        ValueProblem::Malformed
    );
    assert_eq!(
        decode_with(&vec![b'x'; MAX_VALUE_BYTES + 1], &keys, &key()),
        ValueProblem::TooLarge
    );
    // Every prefix of a sealed value is refused, none panics.
    for n in 0..sealed.len() {
        assert!(decode(&sealed[..n], ttl, &keys, &key(), at(now)).is_err());
    }
}

#[test]
fn keys_show_only_their_id() {
    let key = SealingKey::from_base64(3, "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").unwrap();
    assert_eq!(format!("{key:?}"), "SealingKey { id: 3, .. }");
    assert_eq!(
        SealingKey::from_base64(1, "not base64!").unwrap_err(),
        SealingKeyError::Base64
    );
    assert_eq!(
        SealingKey::new(1, &[0; 16]).unwrap_err(),
        SealingKeyError::Length { got: 16 }
    );
}

#[test]
fn a_value_rewritten_with_a_longer_ttl_lives_no_longer_than_it_was_sealed_for() {
    // Review finding: the expiry came from the entry's TTL alone, which the seal does not
    // cover, so an old sealed value re-SET with a long TTL was served as fresh.
    let now = Instant::now();
    let keys = key_names_for(&config(&[]));
    let sealing = sealing();
    // Sealed to expire at store time 1,060,000 ms; read at 1,000,000 with an hour of TTL.
    let value = encode(&token(now), &keys, &sealing, ISSUED, StoreTime(1_060_000));
    let read = ReadAt {
        now,
        rtt: Duration::ZERO,
        store_now: Some(StoreTime(1_000_000)),
    };
    let (rebuilt, _) = decode(&value, Duration::from_secs(3600), &keys, &sealing, read).unwrap();
    assert_eq!(
        rebuilt.expires_at(),
        now + Duration::from_secs(60),
        "what the seal says"
    );
    // Past its sealed expiry it has nothing left: the token cannot be rebuilt as usable.
    let late = ReadAt {
        store_now: Some(StoreTime(2_000_000)),
        ..read
    };
    let stale = decode(&value, Duration::from_secs(3600), &keys, &sealing, late);
    assert!(stale.is_err() || stale.unwrap().0.expires_at() <= now);
}

#[test]
fn two_keys_with_one_id_are_refused() {
    let key = |byte| SealingKey::new(1, &[byte; 32]).unwrap();
    let error = Sealing::new(key(1)).with_previous(key(2)).unwrap_err();
    assert_eq!(error, SealingKeyError::DuplicateId { id: 1 });
}

/// A change to a sealed value: each one must make it refused.
#[derive(Debug, Clone)]
enum Change {
    /// Flip these bits of the byte at this index (modulo the length).
    Flip(usize, u8),
    /// Keep only this many bytes (modulo the length).
    Truncate(usize),
    /// Append these bytes.
    Extend(Vec<u8>),
    /// Open it under another key name.
    Rename,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, bits)| Change::Flip(i, bits)),
        any::<usize>().prop_map(Change::Truncate),
        proptest::collection::vec(any::<u8>(), 1..40).prop_map(Change::Extend),
        Just(Change::Rename),
    ]
}

proptest! {
    #[test]
    fn a_sealed_value_round_trips(
        text in "[!-~]{1,200}",
        lifetime_s in 1u64..100_000,
        issued in any::<u64>(),
        expire_at in any::<u64>(),
    ) {
        let now = Instant::now();
        let keys = key_names_for(&config(&[]));
        let sealing = sealing();
        let original = AccessToken::new(text.clone(), Scopes::new(), now, Duration::from_secs(lifetime_s)).unwrap();
        let value = encode(&original, &keys, &sealing, StoreTime(issued), StoreTime(expire_at));
        let read = ReadAt { now, rtt: Duration::ZERO, store_now: None };
        let (rebuilt, seen) = decode(&value, Duration::from_secs(lifetime_s + 1), &keys, &sealing, read).unwrap();
        prop_assert_eq!(rebuilt.expose_secret(), text.as_str());
        prop_assert_eq!(seen, StoreTime(issued));
        prop_assert!(rebuilt.expires_at() <= original.expires_at());
    }

    #[test]
    fn any_change_to_a_sealed_value_is_refused(change in change(), cool_down in any::<bool>()) {
        let now = Instant::now();
        let keys = key_names_for(&config(&[]));
        let other = key_names_for(&config(&["api/read"]));
        let sealing = sealing();
        let mut value = if cool_down {
            encode_cool_down(&keys, &sealing, StoreTime(u64::MAX))
        } else {
            encode(&token(now), &keys, &sealing, ISSUED, StoreTime(u64::MAX))
        };
        let mut names = &keys;
        match change {
            Change::Flip(i, bits) => {
                let i = i % value.len();
                value[i] ^= bits;
            }
            Change::Truncate(n) => value.truncate(n % value.len()),
            Change::Extend(more) => value.extend_from_slice(&more),
            Change::Rename => names = &other,
        }
        let read = ReadAt { now, rtt: Duration::ZERO, store_now: Some(StoreTime(0)) };
        let ttl = Duration::from_secs(60);
        if cool_down {
            prop_assert!(decode_cool_down(&value, ttl, names, &sealing, read).is_err());
        } else {
            prop_assert!(decode(&value, ttl, names, &sealing, read).is_err());
        }
    }

    #[test]
    fn with_a_different_key_nothing_opens(
        other in any::<[u8; 32]>().prop_filter("another key", |k| *k != [7; 32]),
        id in prop_oneof![Just(1u8), any::<u8>()],
        cool_down in any::<bool>(),
    ) {
        let now = Instant::now();
        let keys = key_names_for(&config(&[]));
        let value = if cool_down {
            encode_cool_down(&keys, &sealing(), StoreTime(u64::MAX))
        } else {
            encode(&token(now), &keys, &sealing(), ISSUED, StoreTime(u64::MAX))
        };
        // The other key under the id the value names (half the cases), or any id.
        let theirs = Sealing::new(SealingKey::new(id, &other).unwrap());
        let read = ReadAt { now, rtt: Duration::ZERO, store_now: Some(StoreTime(0)) };
        let ttl = Duration::from_secs(60);
        let refused = if cool_down {
            decode_cool_down(&value, ttl, &keys, &theirs, read).map(drop)
        } else {
            decode(&value, ttl, &keys, &theirs, read).map(drop)
        };
        let want = if id == 1 { ValueProblem::Unauthentic } else { ValueProblem::NoKey };
        prop_assert_eq!(refused, Err(want));
    }

    #[test]
    fn arbitrary_bytes_never_open_nor_panic(value in proptest::collection::vec(any::<u8>(), 0..300)) {
        let keys = key_names_for(&config(&[]));
        let read = ReadAt { now: Instant::now(), rtt: Duration::ZERO, store_now: None };
        let ttl = Duration::from_secs(60);
        prop_assert!(decode(&value, ttl, &keys, &sealing(), read).is_err());
        prop_assert!(decode_cool_down(&value, ttl, &keys, &sealing(), read).is_err());
    }
}
