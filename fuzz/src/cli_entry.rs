//! `cli_entry`: the bytes of a CLI cache file (what anyone who can write the file
//! controls) through the CLI's entry parser and the decision whether its token is served
//! (`Load::from_bytes(..).for_key(..)`, then `Entry::token`), compiled from the CLI's
//! source ([`crate::cli_cache`]).
//!
//! Input: the file's bytes, as they are (seeds are readable JSON entries). The cache's
//! HMAC key is [`CACHE_KEY`]; an entry is loaded for the key of token URL
//! `https://a/oauth2/token/t`, client id `t` and scope `api/read`, with the secret
//! [`SECRET`], and with [`OTHER_SECRET`].
//!
//! Checked for every input, against a reference written here from the format (JSON
//! object, exactly the entry's fields, `secret_mac` the lowercase hex of
//! `HMAC-SHA256(cache key, label || secret)`), not with the CLI's code:
//!
//! - no panic;
//! - a parse result only for well-formed entries: at most `MAX_ENTRY_BYTES`, a JSON
//!   object with only the entry's fields, each of its type;
//! - found (its token served) for a secret only when the entry is of version 2, for the
//!   key, and its tag verifies for that secret; and an entry for the key whose tag does
//!   not verify is `OtherSecret`, never found: so never for both secrets;
//! - a served token is the file's `access_token`, expiring no later than its lifetime
//!   allows, and the entry's `Debug` shows nothing of the token or the tag.

use std::time::{Duration, UNIX_EPOCH};

use learn_oauth::ClientConfig;
use ring::hmac;
use serde_json::{Map, Value};

use crate::cli_cache::binding::SecretBinding;
use crate::cli_cache::entry::{Entry, Load, MAX_ENTRY_BYTES};
use crate::cli_cache::key::CacheKey;

/// The cache's HMAC key in every run.
pub const CACHE_KEY: [u8; 32] = [3; 32];
/// The secret seeds are bound to.
pub const SECRET: &str = "canary-secret";
/// Another secret (a rotated or mistyped one).
pub const OTHER_SECRET: &str = "canary-secret2";
/// The binding's domain-separation label, from the format's description.
const LABEL: &[u8] = b"learn-oauth cache entry secret binding v1\0";
/// The fields of an entry, all required except `secret_mac`.
const FIELDS: [&str; 9] = [
    "version",
    "token_url",
    "client_id",
    "scopes",
    "access_token",
    "granted_scope",
    "received_at_ms",
    "lifetime_ms",
    "secret_mac",
];

/// The key entries are loaded for: token URL `https://a/oauth2/token/t`, client id `t`,
/// scope `api/read`.
pub(crate) fn key() -> CacheKey {
    CacheKey::of(
        &ClientConfig::builder()
            .token_url("https://a/oauth2/token/t")
            .tenant_id("t")
            .client_secret(SECRET)
            .scopes(["api/read"])
            .build()
            .expect("a valid configuration"),
    )
}

/// `secret`'s binding under [`CACHE_KEY`].
pub(crate) fn binding(secret: &str) -> SecretBinding {
    SecretBinding::new(&CACHE_KEY, secret)
}

/// `secret`'s tag under [`CACHE_KEY`] in lowercase hex, by the reference (for seeds).
pub fn reference_tag(secret: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &CACHE_KEY);
    let tag = hmac::sign(&key, &[LABEL, secret.as_bytes()].concat());
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `tag` (hex) is `secret`'s tag under [`CACHE_KEY`]: the reference.
pub fn reference_tag_verifies(tag: &str, secret: &str) -> bool {
    let lower_hex = |b: u8| matches!(b, b'0'..=b'9' | b'a'..=b'f');
    if tag.len() != 64 || !tag.bytes().all(lower_hex) {
        return false;
    }
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&tag[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    let key = hmac::Key::new(hmac::HMAC_SHA256, &CACHE_KEY);
    hmac::verify(&key, &[LABEL, secret.as_bytes()].concat(), &bytes).is_ok()
}

/// The object `bytes` hold if they are a well-formed entry by the reference: the
/// entry's fields only, all but `secret_mac` present, each of its type.
pub fn reference_entry(bytes: &[u8]) -> Option<Map<String, Value>> {
    if bytes.len() > MAX_ENTRY_BYTES {
        return None;
    }
    let Value::Object(object) = serde_json::from_slice(bytes).ok()? else {
        return None;
    };
    let string = |name| object.get(name).is_some_and(Value::is_string);
    let u64_field = |name| object.get(name).is_some_and(Value::is_u64);
    let well_formed = object.keys().all(|k| FIELDS.contains(&k.as_str()))
        && object
            .get("version")
            .and_then(Value::as_u64)
            .is_some_and(|v| u32::try_from(v).is_ok())
        && ["token_url", "client_id", "access_token", "granted_scope"]
            .into_iter()
            .all(string)
        && object
            .get("scopes")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().all(Value::is_string))
        && ["received_at_ms", "lifetime_ms"].into_iter().all(u64_field)
        && object.get("secret_mac").is_none_or(Value::is_string);
    well_formed.then_some(object)
}

fn text<'a>(object: &'a Map<String, Value>, name: &str) -> &'a str {
    object.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// Whether the reference `object` is an entry of version 2 for [`key`].
fn reference_is_for_key(object: &Map<String, Value>) -> bool {
    let key = key();
    let scopes: Option<Vec<&str>> = object
        .get("scopes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    object.get("version").and_then(Value::as_u64) == Some(2)
        && text(object, "token_url") == key.token_url()
        && text(object, "client_id") == key.client_id()
        && scopes == Some(key.scopes().iter().map(String::as_str).collect())
}

/// The input through the parser and every check; how many of the two secrets found it
/// (for the seed tests: 1 for an entry bound to [`SECRET`], 0 for anything else).
pub fn check(bytes: &[u8]) -> usize {
    let parsed = Entry::parse(bytes);
    let reference = reference_entry(bytes);
    if parsed.is_some() {
        assert!(reference.is_some(), "parsed, but not a well-formed entry");
    }
    let mut found = 0;
    for secret in [SECRET, OTHER_SECRET] {
        match Load::from_bytes(bytes).for_key(&key(), &binding(secret)) {
            Load::Found(entry) => {
                found += 1;
                let object = reference.as_ref().expect("found, so well-formed");
                assert!(
                    reference_is_for_key(object),
                    "found, but not a version 2 entry for the key"
                );
                assert!(
                    reference_tag_verifies(text(object, "secret_mac"), secret),
                    "found, but its tag does not verify for the secret"
                );
                check_served(&entry, object);
            }
            Load::OtherSecret => {
                let object = reference.as_ref().expect("for the key, so well-formed");
                assert!(reference_is_for_key(object));
                assert!(!reference_tag_verifies(text(object, "secret_mac"), secret));
            }
            Load::Corrupt => {
                if let Some(object) = &reference
                    && parsed.is_some()
                {
                    assert!(
                        !reference_is_for_key(object),
                        "an entry for the key was called corrupt"
                    );
                }
            }
            Load::Missing | Load::Refused(_) => panic!("bytes were read: neither missing nor refused"),
        }
    }
    assert!(found <= 1, "one entry found for two secrets");
    found
}

/// What is served from a found `entry` (the reference `object`): its own token, no
/// longer than its lifetime, never shown by `Debug`.
fn check_served(entry: &Entry, object: &Map<String, Value>) {
    let access_token = text(object, "access_token");
    let lifetime = Duration::from_millis(object.get("lifetime_ms").and_then(Value::as_u64).unwrap_or(0));
    let received_ms = object.get("received_at_ms").and_then(Value::as_u64).unwrap_or(0);
    let received = UNIX_EPOCH.checked_add(Duration::from_millis(received_ms));
    let now = crate::origin();
    let walls = [
        Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        received,
        received.and_then(|r| r.checked_add(Duration::from_secs(1))),
    ];
    let policy = learn_oauth::RefreshPolicy::default();
    for wall in walls.into_iter().flatten() {
        let _ = entry.freshness(&policy, wall);
        let _ = entry.expires_at();
        if let Some(token) = entry.token(now, wall) {
            assert_eq!(
                token.expose_secret(),
                access_token,
                "served another token than the file's"
            );
            assert!(token.lifetime() <= lifetime);
            if let Some(latest) = now.checked_add(lifetime) {
                assert!(token.expires_at() <= latest, "served beyond its lifetime");
            }
        }
    }
    // Debug shows nothing of the token nor of the tag: the same entry with another
    // token and tag shows the same.
    let mut other = object.clone();
    other.insert("access_token".into(), Value::from("x"));
    other.insert("secret_mac".into(), Value::from(""));
    let other = Entry::parse(&serde_json::to_vec(&other).expect("serializes")).expect("still an entry");
    assert_eq!(
        format!("{entry:?}"),
        format!("{other:?}"),
        "Debug shows the token or the tag"
    );
}

/// The committed seeds, by name: `found-*` are served for [`SECRET`], the others for
/// neither secret. Readable JSON, tags made by the reference.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let tag = reference_tag(SECRET);
    let entry = |version: &str,
                 url: &str,
                 scopes: &str,
                 token: &str,
                 received: &str,
                 lifetime: &str,
                 mac: &str| {
        format!(
            r#"{{"version":{version},"token_url":"{url}","client_id":"t","scopes":{scopes},"access_token":"{token}","granted_scope":"api/read","received_at_ms":{received},"lifetime_ms":{lifetime},"secret_mac":"{mac}"}}"#
        )
    };
    let url = "https://a/oauth2/token/t";
    let read = r#"["api/read"]"#;
    let good = entry("2", url, read, "CANARY-token", "1700000000000", "3600000", &tag);
    let seeds = vec![
        ("found-entry", good.clone()),
        (
            "found-entry-pretty",
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(&good).expect("json")).expect("json"),
        ),
        (
            "found-entry-huge-numbers",
            entry(
                "2",
                url,
                read,
                "CANARY-token",
                "18446744073709551615",
                "18446744073709551615",
                &tag,
            ),
        ),
        (
            "found-entry-zero-lifetime",
            entry("2", url, read, "CANARY-token", "0", "0", &tag),
        ),
        (
            "found-entry-escapes",
            entry(
                "2",
                "https:\\/\\/a\\/oauth2\\/token\\/t",
                read,
                "CANARY\\u002dtoken",
                "1700000000000",
                "3600000",
                &tag,
            ),
        ),
        (
            "found-entry-invalid-token-text",
            entry(
                "2",
                url,
                read,
                "CANARY token\\u00e9",
                "1700000000000",
                "3600000",
                &tag,
            ),
        ),
        (
            "other-secret",
            entry(
                "2",
                url,
                read,
                "CANARY-token",
                "1700000000000",
                "3600000",
                &reference_tag("canary-rotated"),
            ),
        ),
        (
            "other-secret-uppercase-tag",
            entry(
                "2",
                url,
                read,
                "CANARY-token",
                "1700000000000",
                "3600000",
                &tag.to_uppercase(),
            ),
        ),
        (
            "other-secret-short-tag",
            entry(
                "2",
                url,
                read,
                "CANARY-token",
                "1700000000000",
                "3600000",
                &tag[..62],
            ),
        ),
        (
            "corrupt-version-1-without-tag",
            good.replace(r#""version":2"#, r#""version":1"#)
                .replace(&format!(r#","secret_mac":"{tag}""#), ""),
        ),
        (
            "corrupt-other-key",
            entry(
                "2",
                "https://b/oauth2/token/t",
                read,
                "CANARY-token",
                "1700000000000",
                "3600000",
                &tag,
            ),
        ),
        (
            "corrupt-other-scopes",
            entry(
                "2",
                url,
                r#"["api/read","api/write"]"#,
                "CANARY-token",
                "1700000000000",
                "3600000",
                &tag,
            ),
        ),
        (
            "corrupt-unknown-field",
            good.replacen('{', r#"{"extra":true,"#, 1),
        ),
        (
            "corrupt-missing-field",
            good.replace(r#""granted_scope":"api/read","#, ""),
        ),
        (
            "corrupt-string-lifetime",
            good.replace(r#""lifetime_ms":3600000"#, r#""lifetime_ms":"3600000""#),
        ),
        (
            "corrupt-negative-time",
            good.replace(r#""received_at_ms":1700000000000"#, r#""received_at_ms":-1"#),
        ),
        (
            "corrupt-duplicate-field",
            good.replacen('{', r#"{"access_token":"CANARY-other","#, 1),
        ),
        ("corrupt-truncated", good[..good.len() - 10].to_owned()),
        ("corrupt-trailing-garbage", format!("{good}x")),
        ("corrupt-array", format!("[{good}]")),
        ("corrupt-empty", String::new()),
    ];
    seeds
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.into_bytes()))
        .collect()
}
