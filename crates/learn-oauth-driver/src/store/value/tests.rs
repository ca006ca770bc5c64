// A starting instant for rebuilt tokens; time moves only by what the tests add.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Scope, Scopes};

use super::*;

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

#[test]
fn a_value_round_trips_with_the_same_expiry_plain_and_sealed() {
    let now = Instant::now();
    let keys = key_names_for(&config(&[]));
    let original = token(now);
    let sealing = Sealing::new(SealingKey::new(1, &[7; 32]).unwrap());
    for sealing in [None, Some(&sealing)] {
        // Sealed to expire 3,000 s and one round trip after the store clock reads at the
        // read (both limits then say 3,000 s).
        let value = encode(&original, &keys, sealing, StoreTime(1_600_000 + 3_000_000 + 5));
        // Read 10 minutes later with 50 minutes left by the store's clock, after a 5 ms read.
        let later = now + Duration::from_secs(600);
        let rtt = Duration::from_millis(5);
        let ttl = Duration::from_secs(3000) + rtt + Duration::from_millis(1);
        let read = ReadAt {
            now: later,
            rtt,
            store_now: Some(StoreTime(1_000_000 + 600_000)),
        };
        let rebuilt = decode(&value, ttl, &keys, sealing, read).unwrap();
        assert_eq!(rebuilt.expose_secret(), original.expose_secret());
        assert_eq!(rebuilt.lifetime(), original.lifetime());
        assert_eq!(rebuilt.expires_at(), later + Duration::from_secs(3000));
        assert_eq!(rebuilt.scopes().to_space_delimited(), "api/read");
        let text = String::from_utf8_lossy(&value);
        assert_eq!(text.contains("t0k3n-canary"), sealing.is_none());
    }
}

#[test]
fn values_that_do_not_open_are_refused_with_their_reason() {
    let now = Instant::now();
    let keys = key_names_for(&config(&[]));
    let other_keys = key_names_for(&config(&["api/read"]));
    let key = || Sealing::new(SealingKey::new(1, &[7; 32]).unwrap());
    let ttl = Duration::from_secs(60);
    let sealed = encode(&token(now), &keys, Some(&key()), StoreTime(u64::MAX));
    let plain = encode(&token(now), &keys, None, StoreTime(u64::MAX));
    let at = |now| ReadAt {
        now,
        rtt: Duration::ZERO,
        store_now: None,
    };
    let decode_with = |value: &[u8], keys, sealing: Option<&Sealing>| {
        decode(value, ttl, keys, sealing, at(now))
            .map(|_| ())
            .unwrap_err()
    };
    let wrong = Sealing::new(SealingKey::new(1, &[8; 32]).unwrap());
    let unknown_id = Sealing::new(SealingKey::new(2, &[7; 32]).unwrap());
    assert_eq!(
        decode_with(&sealed, &keys, Some(&wrong)),
        ValueProblem::Unauthentic
    );
    assert_eq!(
        decode_with(&sealed, &other_keys, Some(&key())),
        ValueProblem::Unauthentic,
        "copied"
    );
    assert_eq!(
        decode_with(&sealed, &keys, Some(&unknown_id)),
        ValueProblem::NoKey
    );
    assert_eq!(decode_with(&sealed, &keys, None), ValueProblem::NoKey);
    assert_eq!(decode_with(&plain, &keys, Some(&key())), ValueProblem::NotSealed);
    let mut tampered = sealed.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        decode_with(&tampered, &keys, Some(&key())),
        ValueProblem::Unauthentic
    );
    assert_eq!(decode_with(b"", &keys, None), ValueProblem::UnknownFormat);
    assert_eq!(decode_with(b"LO\x01p{", &keys, None), ValueProblem::Malformed);
    assert_eq!(
        decode_with(b"LO\x01e\x01", &keys, Some(&key())),
        ValueProblem::Malformed
    );
    assert_eq!(
        decode_with(&vec![b'x'; MAX_VALUE_BYTES + 1], &keys, None),
        ValueProblem::TooLarge
    );
    // Every prefix of a sealed value is refused, none panics.
    for n in 0..sealed.len() {
        assert!(decode(&sealed[..n], ttl, &keys, Some(&key()), at(now)).is_err());
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
    let sealing = Sealing::new(SealingKey::new(1, &[7; 32]).unwrap());
    // Sealed to expire at store time 1,060,000 ms; read at 1,000,000 with an hour of TTL.
    let value = encode(&token(now), &keys, Some(&sealing), StoreTime(1_060_000));
    let read = ReadAt {
        now,
        rtt: Duration::ZERO,
        store_now: Some(StoreTime(1_000_000)),
    };
    let rebuilt = decode(&value, Duration::from_secs(3600), &keys, Some(&sealing), read).unwrap();
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
    let stale = decode(&value, Duration::from_secs(3600), &keys, Some(&sealing), late);
    assert!(stale.is_err() || stale.unwrap().expires_at() <= now);
}

#[test]
fn two_keys_with_one_id_are_refused() {
    let key = |byte| SealingKey::new(1, &[byte; 32]).unwrap();
    let error = Sealing::new(key(1)).with_previous(key(2)).unwrap_err();
    assert_eq!(error, SealingKeyError::DuplicateId { id: 1 });
}
