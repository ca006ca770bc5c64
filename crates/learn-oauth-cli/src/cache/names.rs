//! The names of the files in the cache directory, and which names are the cache's own:
//! `cache clear` deletes nothing whose name is not one of these.
//!
//! | file | name |
//! |---|---|
//! | an entry | `<32 hex>.json` ([`CacheKey::file_stem`](super::CacheKey::file_stem)) |
//! | its lock | `<32 hex>.lock` |
//! | an entry being written | `.<32 hex>.<pid>.<nanos>.tmp` |
//! | the key of the secret binding | [`KEY_FILE`] |

/// The file holding the per-cache key of the secret binding.
pub(crate) const KEY_FILE: &str = "secret-binding.key";

/// What a file name in the cache directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    /// An entry.
    Entry,
    /// An entry's lock file.
    Lock,
    /// An entry being written (or left by a writer that died).
    Temp,
    /// Not the cache's.
    Other,
}

/// The entry file of `stem`.
#[must_use]
pub(crate) fn entry(stem: &str) -> String {
    format!("{stem}.json")
}

/// The lock file of `stem`.
#[must_use]
pub(crate) fn lock(stem: &str) -> String {
    format!("{stem}.lock")
}

/// A temporary file for writing `stem`'s entry: unique to this process and moment.
#[must_use]
pub(crate) fn temp(stem: &str, pid: u32, nanos: u32) -> String {
    format!(".{stem}.{pid}.{nanos}.tmp")
}

/// What `name` is.
#[must_use]
pub(crate) fn classify(name: &str) -> Name {
    if let Some(stem) = name.strip_suffix(".json")
        && is_stem(stem)
    {
        return Name::Entry;
    }
    if let Some(stem) = name.strip_suffix(".lock")
        && is_stem(stem)
    {
        return Name::Lock;
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
    fn only_the_caches_own_names_are_recognised() {
        let stem = "0123456789abcdef0123456789abcdef";
        assert_eq!(classify(&entry(stem)), Name::Entry);
        assert_eq!(classify(&lock(stem)), Name::Lock);
        assert_eq!(classify(&temp(stem, 42, 123_456_789)), Name::Temp);
        for other in [
            "config.json",
            "0123456789ABCDEF0123456789ABCDEF.json",
            "0123456789abcdef0123456789abcde.json",
            "x0123456789abcdef0123456789abcdef.json",
            ".0123456789abcdef0123456789abcdef.1.tmp",
            ".0123456789abcdef0123456789abcdef.1.x.tmp",
            KEY_FILE,
            ".json",
            "",
        ] {
            assert_eq!(classify(other), Name::Other, "{other}");
        }
    }
}
