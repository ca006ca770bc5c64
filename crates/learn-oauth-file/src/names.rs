//! The names of the files in a store directory, and which names are the store's own:
//! [`FileStore::clear`](crate::FileStore::clear) deletes nothing whose name is not one of
//! these.
//!
//! | file | name |
//! |---|---|
//! | a value (a token, a cool-down marker) | `<32 hex>.value` |
//! | a lease (`flock`ed by its holder) | `<32 hex>.lock` |
//! | the guard of a lease (`flock`ed while the lease is taken) | `<32 hex>.guard` |
//! | a value being written | `.<32 hex>.<pid>.<nanos>.tmp` |
//!
//! `<32 hex>` is the first 16 bytes of the SHA-256 of the store key name, in lowercase
//! hex: fixed length, safe in any file system, and holding nothing but what the key name
//! holds (which is itself a digest, never a secret).

use sha2::{Digest as _, Sha256};

/// What a file name in the store directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    /// A value.
    Value,
    /// A lease.
    Lease,
    /// A lease's guard.
    Guard,
    /// A value being written (or left by a writer that died).
    Temp,
    /// Not the store's.
    Other,
}

/// The file-name stem of the store key `key`.
#[must_use]
pub(crate) fn stem(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The value file of the store key `key`.
#[must_use]
pub(crate) fn value(key: &str) -> String {
    format!("{}.value", stem(key))
}

/// The lease file of the store key `key`.
#[must_use]
pub(crate) fn lease(key: &str) -> String {
    format!("{}.lock", stem(key))
}

/// The guard file of the lease `key`.
#[must_use]
pub(crate) fn guard(key: &str) -> String {
    format!("{}.guard", stem(key))
}

/// A temporary file for writing the file `target` (a `<stem>.<ext>` name): unique to this
/// process and moment.
#[must_use]
pub(crate) fn temp(target: &str, pid: u32, nanos: u32) -> String {
    let stem = target.split('.').next().unwrap_or_default();
    format!(".{stem}.{pid}.{nanos}.tmp")
}

/// What `name` is.
#[must_use]
pub(crate) fn classify(name: &str) -> Name {
    for (ext, kind) in [
        (".value", Name::Value),
        (".lock", Name::Lease),
        (".guard", Name::Guard),
    ] {
        if let Some(stem) = name.strip_suffix(ext)
            && is_stem(stem)
        {
            return kind;
        }
    }
    let temp = name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .map(|rest| rest.split('.').collect::<Vec<_>>());
    match temp.as_deref() {
        Some([stem, pid, nanos]) if is_stem(stem) && is_number(pid) && is_number(nanos) => Name::Temp,
        _ => Name::Other,
    }
}

/// 32 lowercase hex digits.
fn is_stem(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_a_digest_of_the_key_and_only_the_stores_own_are_recognised() {
        let key = "learn-oauth:v1:{2ecbfd42dd1cd12e0a33fac1385eac3a}:token";
        let stem = stem(key);
        assert_eq!(stem.len(), 32);
        assert_ne!(
            stem,
            super::stem("learn-oauth:v1:{2ecbfd42dd1cd12e0a33fac1385eac3a}:cooldown")
        );
        assert_eq!(classify(&value(key)), Name::Value);
        assert_eq!(classify(&lease(key)), Name::Lease);
        assert_eq!(classify(&guard(key)), Name::Guard);
        assert_eq!(classify(&temp(&value(key), 42, 123_456_789)), Name::Temp);
        for other in [
            "config.json",
            "0123456789ABCDEF0123456789ABCDEF.value",
            "0123456789abcdef0123456789abcde.value",
            "x0123456789abcdef0123456789abcdef.lock",
            ".0123456789abcdef0123456789abcdef.1.tmp",
            ".0123456789abcdef0123456789abcdef.1.x.tmp",
            ".value",
            "",
        ] {
            assert_eq!(classify(other), Name::Other, "{other}");
        }
    }
}
