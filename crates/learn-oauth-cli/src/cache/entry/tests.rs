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
