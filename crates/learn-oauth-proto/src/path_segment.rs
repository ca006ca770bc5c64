//! An identifier as one URL path segment: the tenant id in the token URL, and one of
//! the spellings of the client secret that errors redact.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything outside RFC 3986 *unreserved* (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `text` into `out`, which is grown only by what it can hold (callers
/// size it up front: three bytes per input byte at most), for secrets.
pub(crate) fn percent_encode_into(text: &str, out: &mut String) {
    out.extend(utf8_percent_encode(text, PATH_SEGMENT));
}

/// Percent-encodes an identifier so it stays one path segment whatever it holds.
#[must_use]
pub(crate) fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    percent_encode_into(segment, &mut out);
    out
}
