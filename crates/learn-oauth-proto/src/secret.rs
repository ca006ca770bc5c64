//! Secret strings: redacted in `Debug`, never `Display`ed, zeroized on drop.

use std::fmt;

use zeroize::Zeroizing;

/// A string that must never be printed: a client secret or an access token value.
///
/// `Debug` prints `ClientSecret([redacted])`-style text, there is no `Display`, the
/// heap buffer is overwritten with zeros when the value is dropped, and equality takes
/// time that depends on the lengths only, not on where two values differ.
#[derive(Clone)]
pub(crate) struct SecretString(Zeroizing<String>);

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        // No early exit: every byte pair is looked at, whatever the first difference.
        let diff = a
            .iter()
            .zip(b)
            .fold(0_u8, |acc, (x, y)| std::hint::black_box(acc | (x ^ y)));
        diff == 0
    }
}

impl Eq for SecretString {}

impl SecretString {
    pub(crate) fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The API secret ("Client Secret") issued with a client id.
///
/// It is never printed: `Debug` shows `ClientSecret([redacted])` and there is no
/// `Display`. Its memory is zeroized when it is dropped. Copies that the HTTP layer makes
/// (the precomputed `Authorization` header or form body) are documented on
/// [`ClientConfig`](crate::ClientConfig).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(SecretString);

impl ClientSecret {
    /// Wraps a secret. Emptiness is checked when the configuration is built.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(SecretString::new(secret.into()))
    }

    /// The secret itself, for code that has to send it somewhere.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }
}

impl From<String> for ClientSecret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for ClientSecret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = ClientSecret::new("hunter2-canary");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        assert_eq!(
            format!("{:?}", SecretString::new("x-canary".into())),
            "[redacted]"
        );
        assert_eq!(s.expose_secret(), "hunter2-canary");
    }

    #[test]
    fn equality_compares_whole_values() {
        let s = |v: &str| SecretString::new(v.to_owned());
        assert_eq!(s("abc"), s("abc"));
        assert_ne!(s("abc"), s("abd"));
        assert_ne!(s("abc"), s("xbc"));
        assert_ne!(s("abc"), s("abcd"));
        assert_eq!(s(""), s(""));
    }
}
