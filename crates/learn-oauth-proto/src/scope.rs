//! Scopes: the four the Learn platform defines, and any RFC 6749 §3.3 scope token.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::error::ScopeProblem;
use crate::preset::ApiKind;

/// The longest scope token accepted.
pub const MAX_SCOPE_LEN: usize = 256;

/// One scope token, validated against RFC 6749 §3.3 (`%x21 / %x23-5B / %x5D-7E`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(Cow<'static, str>);

impl Scope {
    /// `api/all`: full read and write access (public API); full access including
    /// webhooks (webhooks hosts).
    pub const ALL: Scope = Scope(Cow::Borrowed("api/all"));
    /// `api/read`: read-only access (public API hosts only).
    pub const READ: Scope = Scope(Cow::Borrowed("api/read"));
    /// `api/write`: write access (public API hosts only).
    pub const WRITE: Scope = Scope(Cow::Borrowed("api/write"));
    /// `api/webhooks`: webhook functionality (webhooks hosts only).
    pub const WEBHOOKS: Scope = Scope(Cow::Borrowed("api/webhooks"));

    /// Validates a scope token.
    ///
    /// # Errors
    ///
    /// [`ScopeProblem`] when it is empty, too long, or holds a character RFC 6749 §3.3
    /// does not allow (space, `"`, `\`, control characters, non-ASCII).
    pub fn new(scope: impl Into<String>) -> Result<Self, ScopeProblem> {
        let scope = scope.into();
        validate(&scope)?;
        Ok(match scope.as_str() {
            "api/all" => Self::ALL,
            "api/read" => Self::READ,
            "api/write" => Self::WRITE,
            "api/webhooks" => Self::WEBHOOKS,
            _ => Self(Cow::Owned(scope)),
        })
    }

    /// The scope as sent on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the preset endpoints of `api` offer this scope. Custom scopes are offered
    /// by neither.
    #[must_use]
    pub fn is_offered_by(&self, api: ApiKind) -> bool {
        match api {
            ApiKind::PublicApi => [Self::ALL, Self::READ, Self::WRITE].contains(self),
            ApiKind::Webhooks => [Self::ALL, Self::WEBHOOKS].contains(self),
        }
    }
}

fn validate(scope: &str) -> Result<(), ScopeProblem> {
    if scope.is_empty() {
        return Err(ScopeProblem::Empty);
    }
    if scope.len() > MAX_SCOPE_LEN {
        return Err(ScopeProblem::TooLong {
            len: scope.len(),
            max: MAX_SCOPE_LEN,
        });
    }
    match scope.bytes().position(|b| !is_scope_byte(b)) {
        Some(position) => Err(ScopeProblem::InvalidCharacter { position }),
        None => Ok(()),
    }
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
fn is_scope_byte(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl TryFrom<&str> for Scope {
    type Error = ScopeProblem;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

/// An ordered set of scopes: insertion order kept, duplicates dropped.
///
/// Cheap to clone (one reference count): every token parsed with a configuration's
/// requested scopes shares them.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(Arc<Vec<Scope>>);

impl Scopes {
    /// No scopes.
    #[must_use]
    pub fn new() -> Self {
        Self(Arc::new(Vec::new()))
    }

    /// Adds a scope unless it is already present. Returns whether it was added.
    pub fn insert(&mut self, scope: Scope) -> bool {
        if self.0.contains(&scope) {
            return false;
        }
        Arc::make_mut(&mut self.0).push(scope);
        true
    }

    /// Whether `scope` is in the set.
    #[must_use]
    pub fn contains(&self, scope: &Scope) -> bool {
        self.0.contains(scope)
    }

    /// The scopes in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Scope> {
        self.0.iter()
    }

    /// How many scopes there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The space-delimited form used on the wire (`api/read api/write`).
    #[must_use]
    pub fn to_space_delimited(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(s.as_str());
        }
        out
    }

    /// Parses a space-delimited scope string, strictly.
    ///
    /// # Errors
    ///
    /// The first invalid scope token, with its position in the list.
    pub fn parse(text: &str) -> Result<Self, (usize, ScopeProblem)> {
        let mut out = Self::new();
        for (i, token) in text.split(' ').filter(|t| !t.is_empty()).enumerate() {
            out.insert(Scope::new(token).map_err(|e| (i, e))?);
        }
        Ok(out)
    }

    /// Parses the `scope` a server granted, leniently: splits on any ASCII whitespace
    /// and skips tokens that are not valid scopes rather than failing the whole token.
    #[must_use]
    pub fn parse_granted(text: &str) -> Self {
        let mut out = Self::new();
        for token in text.split_ascii_whitespace() {
            if let Ok(s) = Scope::new(token) {
                out.insert(s);
            }
        }
        out
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_space_delimited())
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut out = Self::new();
        for s in iter {
            out.insert(s);
        }
        out
    }
}

impl Extend<Scope> for Scopes {
    fn extend<I: IntoIterator<Item = Scope>>(&mut self, iter: I) {
        for s in iter {
            self.insert(s);
        }
    }
}

impl<'a> IntoIterator for &'a Scopes {
    type Item = &'a Scope;
    type IntoIter = std::slice::Iter<'a, Scope>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_shares_until_one_side_changes() {
        let mut original = Scopes::new();
        original.insert(Scope::READ);
        let mut copy = original.clone();
        assert!(copy.insert(Scope::WRITE));
        assert_eq!(original.iter().collect::<Vec<_>>(), [&Scope::READ]);
        assert_eq!(copy.iter().collect::<Vec<_>>(), [&Scope::READ, &Scope::WRITE]);
        assert_ne!(original, copy);
    }
}
