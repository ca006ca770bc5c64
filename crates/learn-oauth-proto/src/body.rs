//! The token request's body: form bytes whose `Debug` never shows a secret.

use std::fmt;
use std::ops::Deref;

/// The `application/x-www-form-urlencoded` body of a token request.
///
/// It dereferences to `[u8]`; hand it to an HTTP client with
/// [`RequestBody::into_bytes`] (or `Vec::from`). Its `Debug` shows the form text when it
/// holds no credentials, and only its length when it does (form-body authentication puts
/// `client_secret` here), so printing a whole `http::Request` never leaks the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestBody {
    bytes: Vec<u8>,
    has_secret: bool,
}

impl RequestBody {
    pub(crate) fn new(bytes: Vec<u8>, has_secret: bool) -> Self {
        Self { bytes, has_secret }
    }

    /// The bytes to send.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes to send, owned (for HTTP clients that take a `Vec<u8>`).
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Whether the body carries the client secret (form-body authentication).
    #[must_use]
    pub fn has_secret(&self) -> bool {
        self.has_secret
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has_secret {
            write!(f, "RequestBody([redacted], {} bytes)", self.bytes.len())
        } else {
            // Form-encoded output is always ASCII.
            write!(f, "RequestBody({:?})", String::from_utf8_lossy(&self.bytes))
        }
    }
}

impl Deref for RequestBody {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsRef<[u8]> for RequestBody {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl From<RequestBody> for Vec<u8> {
    fn from(body: RequestBody) -> Self {
        body.bytes
    }
}

impl PartialEq<[u8]> for RequestBody {
    fn eq(&self, other: &[u8]) -> bool {
        self.bytes == other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for RequestBody {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.bytes == other
    }
}

impl PartialEq<&[u8]> for RequestBody {
    fn eq(&self, other: &&[u8]) -> bool {
        self.bytes == *other
    }
}
