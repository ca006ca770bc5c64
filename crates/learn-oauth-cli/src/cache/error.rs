//! What can go wrong with the cache: [`CacheError`], the store's errors in the CLI's words
//! (with how to fix them).

use std::io;
use std::path::PathBuf;

use learn_oauth::file::{FileStoreError, Untrusted};

/// A cache problem. On the way to a token these are warnings (the token is fetched
/// without the cache); for `learn-oauth cache …` they are the error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CacheError {
    /// Neither `XDG_CACHE_HOME` nor `HOME` is set.
    #[error("no cache directory: neither XDG_CACHE_HOME nor HOME is set (or pass --no-cache)")]
    NoDir,
    /// The directory cannot be created or examined.
    #[error("cannot create the cache directory {}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The directory is not private to this user.
    #[error("refusing the cache directory {}: {problem} (fix: chmod 700 it, or delete it)", path.display())]
    UnsafeDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        problem: Untrusted,
    },
    /// The directory that holds the cache directory lets another user replace it.
    #[error(
        "refusing the cache directory {}: its parent {}: {problem} (set XDG_CACHE_HOME to a \
         directory only you can write, or pass --no-cache)",
        path.display(),
        parent.display()
    )]
    UnsafeParent {
        /// The cache directory.
        path: PathBuf,
        /// Its parent.
        parent: PathBuf,
        /// What is wrong with the parent.
        problem: Untrusted,
    },
    /// A cache file is not private to this user; it was not read.
    #[error(
        "refusing the cache file {}: {problem}; it was not read (delete it, or run `learn-oauth cache clear`)",
        path.display()
    )]
    UnsafeFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: Untrusted,
    },
    /// Not on Unix: the cache relies on Unix permissions and `flock`.
    #[error("the token cache is available on Unix systems only")]
    Unsupported,
    /// Another failure of the cache's store (a file that cannot be read or written).
    #[error("the token cache failed")]
    Store(#[source] FileStoreError),
}

impl From<FileStoreError> for CacheError {
    fn from(error: FileStoreError) -> Self {
        match error {
            FileStoreError::CreateDir { path, source } => CacheError::CreateDir { path, source },
            FileStoreError::UnsafeDir { path, problem } => CacheError::UnsafeDir { path, problem },
            FileStoreError::UnsafeParent {
                path,
                parent,
                problem,
            } => CacheError::UnsafeParent {
                path,
                parent,
                problem,
            },
            FileStoreError::UnsafeFile { path, problem } => CacheError::UnsafeFile { path, problem },
            FileStoreError::Unsupported => CacheError::Unsupported,
            other => CacheError::Store(other),
        }
    }
}
