//! The cache on systems without Unix permissions and `flock`: there is none.
//! [`Cache::open`] always fails, so no [`Cache`] ever exists.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::binding::SecretBinding;
use super::entry::{Entry, Load};
use super::error::CacheError;
use super::key::CacheKey;

/// An open cache directory; cannot exist here.
#[derive(Debug)]
pub(crate) struct Cache(Infallible);

/// A held lock; cannot exist here.
#[derive(Debug)]
pub(crate) struct LockGuard(Infallible);

impl Cache {
    /// Always [`CacheError::Unsupported`].
    pub(crate) fn open(_dir: PathBuf) -> Result<Self, CacheError> {
        Err(CacheError::Unsupported)
    }

    pub(crate) fn dir(&self) -> &Path {
        match self.0 {}
    }

    pub(crate) fn binding(&self, _secret: &str) -> Result<SecretBinding, CacheError> {
        match self.0 {}
    }

    pub(crate) fn load(&self, _key: &CacheKey, _binding: &SecretBinding) -> Load {
        match self.0 {}
    }

    pub(crate) fn store(&self, _key: &CacheKey, _entry: &Entry) -> Result<(), CacheError> {
        match self.0 {}
    }

    pub(crate) fn remove_if_holds(&self, _key: &CacheKey, _token: &str) -> Result<(), CacheError> {
        match self.0 {}
    }

    pub(crate) fn lock(&self, _key: &CacheKey, _wait: Duration) -> Result<Option<LockGuard>, CacheError> {
        match self.0 {}
    }

    pub(crate) fn list(&self) -> Result<Vec<(PathBuf, Load)>, CacheError> {
        match self.0 {}
    }

    pub(crate) fn clear(&self) -> Result<usize, CacheError> {
        match self.0 {}
    }
}
