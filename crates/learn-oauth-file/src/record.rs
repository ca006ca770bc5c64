//! What the store's files hold, as pure functions over bytes: a value file (the sealed
//! value the provider gave, after its expiry), and a lease file (its holder and the end of
//! its lease). Times are Unix milliseconds by this host's clock.

use learn_oauth_driver::store::MAX_VALUE_BYTES;

/// Every value file starts with this (the format's version 1), then the expiry (8 bytes,
/// big-endian Unix ms) and the value's bytes.
const MAGIC: &[u8; 4] = b"LOF\x01";
/// The magic and the expiry.
const HEADER: usize = MAGIC.len() + 8;

/// The most bytes of a value file read: one value byte more than a store value may hold,
/// so that an oversized value is passed on cut short and refused by the provider (never
/// read whole).
pub(crate) const MAX_VALUE_FILE: usize = HEADER + MAX_VALUE_BYTES + 1;

/// The most bytes of a lease file read (a 128-bit owner in hex, a newline, a number).
pub(crate) const MAX_LEASE_FILE: usize = 256;

/// A value file's bytes: `value`, expiring at `expire_at`.
#[must_use]
pub(crate) fn encode_value(value: &[u8], expire_at: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER + value.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&expire_at.to_be_bytes());
    bytes.extend_from_slice(value);
    bytes
}

/// What a value file's `bytes` hold: its expiry and its value (as read: possibly cut
/// short at [`MAX_VALUE_FILE`]); `None` when they are not a value file of this format.
#[must_use]
pub(crate) fn decode_value(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (expiry, value) = rest.split_first_chunk::<8>()?;
    Some((u64::from_be_bytes(*expiry), value))
}

/// A lease file's bytes: held by `owner` until `until`.
#[must_use]
pub(crate) fn encode_lease(owner: &str, until: u64) -> Vec<u8> {
    format!("{owner}\n{until}").into_bytes()
}

/// What a lease file's `bytes` hold: its owner and the end of its lease; `None` when
/// they are not a lease (empty: released).
#[must_use]
pub(crate) fn decode_lease(bytes: &[u8]) -> Option<(&str, u64)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (owner, until) = text.split_once('\n')?;
    let until = until.parse().ok()?;
    (!owner.is_empty()).then_some((owner, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_file_round_trips() {
        let bytes = encode_value(b"sealed", 1_700_000_000_123);
        assert_eq!(decode_value(&bytes), Some((1_700_000_000_123, &b"sealed"[..])));
        assert_eq!(decode_value(&encode_value(b"", 0)), Some((0, &b""[..])));
    }

    #[test]
    fn every_prefix_and_foreign_bytes_are_not_a_value_file() {
        let bytes = encode_value(b"v", u64::MAX);
        for cut in 0..HEADER {
            assert_eq!(decode_value(&bytes[..cut]), None, "{cut}");
        }
        assert_eq!(decode_value(b"\0\xffnot a value"), None);
        assert_eq!(decode_value(b"LOF\x02\0\0\0\0\0\0\0\0v"), None, "another version");
    }

    #[test]
    fn a_lease_file_round_trips_and_anything_else_is_no_lease() {
        let bytes = encode_lease("0123abcd", 42);
        assert_eq!(decode_lease(&bytes), Some(("0123abcd", 42)));
        for bad in [
            &b""[..],
            b"\n42",
            b"owner",
            b"owner\n",
            b"owner\n-1",
            b"o\n1x",
            b"\xff\n1",
        ] {
            assert_eq!(decode_lease(bad), None, "{bad:?}");
        }
    }
}
