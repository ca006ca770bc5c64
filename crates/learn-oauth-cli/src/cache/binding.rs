//! [`SecretBinding`]: what ties a cache entry to the client secret its token was fetched
//! with, without the secret (or anything that can be checked against a guess without the
//! cache's key) ever being written.
//!
//! An entry stores `HMAC-SHA256(cache key, LABEL || secret)`, where the cache key is 32
//! random bytes in a 0600 file of the cache directory, made once per cache. A cached
//! token is served only when the tag recomputed from the invocation's secret matches
//! (checked in constant time by `ring::hmac::verify`): after a secret is rotated or
//! mistyped, the entry is a miss and the endpoint is asked. A keyed MAC rather than a
//! slow KDF: the tag is checked on every invocation (a slow KDF would cost each
//! `learn-oauth token` in a loop tens of milliseconds), the key sits beside the entries
//! under the same protection (whoever can read one can read both, and holds the token
//! already), and an entry alone (a backup, a pasted file) reveals nothing about the
//! secret without the key.

use ring::hmac;
use zeroize::Zeroizing;

/// The length of the per-cache key, in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// Domain separation: the tag is of this label followed by the secret.
const LABEL: &[u8] = b"learn-oauth cache entry secret binding v1\0";

/// The binding of one secret under one cache's key. Holds the secret's message (zeroized
/// on drop); `Debug` shows nothing of it.
pub(crate) struct SecretBinding {
    key: hmac::Key,
    message: Zeroizing<Vec<u8>>,
}

impl SecretBinding {
    /// The binding of `secret` under the cache key `key`.
    #[must_use]
    pub(crate) fn new(key: &[u8; KEY_LEN], secret: &str) -> Self {
        let mut message = Zeroizing::new(Vec::with_capacity(LABEL.len() + secret.len()));
        message.extend_from_slice(LABEL);
        message.extend_from_slice(secret.as_bytes());
        SecretBinding {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            message,
        }
    }

    /// The tag to store in an entry, in lowercase hex.
    #[must_use]
    pub(crate) fn tag_hex(&self) -> String {
        let tag = hmac::sign(&self.key, &self.message);
        let mut hex = String::with_capacity(tag.as_ref().len() * 2);
        for byte in tag.as_ref() {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        hex
    }

    /// Whether `stored` (an entry's tag, hex) is this secret's tag; constant time in the
    /// tag's bytes.
    #[must_use]
    pub(crate) fn matches(&self, stored: &str) -> bool {
        decode_hex(stored).is_some_and(|tag| hmac::verify(&self.key, &self.message, &tag).is_ok())
    }
}

impl std::fmt::Debug for SecretBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBinding([redacted])")
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex to bytes; `None` for anything else.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_matches_its_secret_only_under_its_key() {
        let key = [7; KEY_LEN];
        let bound = SecretBinding::new(&key, "CANARY-one");
        let tag = bound.tag_hex();
        assert_eq!(tag.len(), 64);
        assert!(bound.matches(&tag));
        assert!(!SecretBinding::new(&key, "CANARY-two").matches(&tag));
        assert!(!SecretBinding::new(&[8; KEY_LEN], "CANARY-one").matches(&tag));
        assert!(!bound.matches(""));
        assert!(!bound.matches(&tag[..62]));
        assert!(!bound.matches(&tag.to_uppercase()));
        assert!(!format!("{bound:?}").contains("CANARY"));
        assert!(!tag.contains("CANARY"));
    }
}
