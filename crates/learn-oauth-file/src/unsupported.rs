//! The file store on systems without Unix permissions and `flock`: there is none.
//! [`FileStore::open`] always fails, so no [`FileStore`] ever exists.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use learn_oauth_driver::store::{
    BlockingStore, SealingKey, StoreError, StoreKeyNames, StoreRecord, StoreTime,
};

use crate::error::FileStoreError;

/// A shared store in a directory of this host; it cannot exist on this system (see the
/// Unix documentation).
#[derive(Debug, Clone)]
pub struct FileStore(Infallible);

impl FileStore {
    /// Always [`FileStoreError::Unsupported`].
    ///
    /// # Errors
    ///
    /// Always.
    pub fn open(_dir: impl Into<PathBuf>) -> Result<Self, FileStoreError> {
        Err(FileStoreError::Unsupported)
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self.0 {}
    }

    /// Deletes the store's files.
    ///
    /// # Errors
    ///
    /// Never: no store exists.
    pub fn clear(&self) -> Result<usize, FileStoreError> {
        match self.0 {}
    }

    /// Every value file and when it expires.
    ///
    /// # Errors
    ///
    /// Never: no store exists.
    #[allow(clippy::type_complexity)]
    pub fn values(
        &self,
    ) -> Result<Vec<(PathBuf, Result<Option<SystemTime>, FileStoreError>)>, FileStoreError> {
        match self.0 {}
    }

    /// A sealing key for this store and `context`.
    ///
    /// # Errors
    ///
    /// Never: no store exists.
    pub fn sealing_key(&self, _context: &[u8]) -> Result<SealingKey, FileStoreError> {
        match self.0 {}
    }
}

impl BlockingStore for FileStore {
    fn read(&self, _: &StoreKeyNames, _: Duration) -> Result<StoreRecord, StoreError> {
        match self.0 {}
    }

    fn try_lease(&self, _: &StoreKeyNames, _: &str, _: Duration, _: Duration) -> Result<bool, StoreError> {
        match self.0 {}
    }

    fn publish(
        &self,
        _: &StoreKeyNames,
        _: &[u8],
        _: StoreTime,
        _: &str,
        _: Duration,
    ) -> Result<(), StoreError> {
        match self.0 {}
    }

    fn cool_down(
        &self,
        _: &StoreKeyNames,
        _: &[u8],
        _: StoreTime,
        _: &str,
        _: Duration,
    ) -> Result<(), StoreError> {
        match self.0 {}
    }

    fn release(&self, _: &StoreKeyNames, _: &str, _: Duration) -> Result<(), StoreError> {
        match self.0 {}
    }
}
