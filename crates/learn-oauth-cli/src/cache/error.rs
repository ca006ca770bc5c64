//! What can go wrong with the cache: [`CacheError`], and [`Unsafe`], why a file or
//! directory is not trusted.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a file or directory is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsafe {
    /// Group or others have some access.
    Mode {
        /// The permission bits found.
        mode: u32,
        /// The bits wanted.
        want: u32,
    },
    /// Another user owns it.
    Owner {
        /// The owner.
        uid: u32,
    },
    /// Not a regular file (a directory, a device, a symbolic link).
    NotFile,
    /// Not a directory.
    NotDir,
    /// A symbolic link where the cache directory should be (it is never followed).
    SymbolicLink,
    /// Other users may replace what is in it: group or others may write, and it is not
    /// sticky.
    Replaceable {
        /// The permission bits found.
        mode: u32,
    },
}

impl fmt::Display for Unsafe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsafe::Mode { mode, want } => {
                write!(f, "mode {mode:04o} lets group or others in (want {want:04o})")
            }
            Unsafe::Owner { uid } => write!(f, "owned by uid {uid}, not by you"),
            Unsafe::NotFile => f.write_str("not a regular file"),
            Unsafe::NotDir => f.write_str("not a directory"),
            Unsafe::SymbolicLink => f.write_str("a symbolic link (never followed)"),
            Unsafe::Replaceable { mode } => write!(
                f,
                "mode {mode:04o} lets other users replace what is in it (no sticky bit)"
            ),
        }
    }
}

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
        problem: Unsafe,
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
        problem: Unsafe,
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
        problem: Unsafe,
    },
    /// A cache file or the directory cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A cache file cannot be written or removed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The lock file cannot be opened or locked.
    #[error("cannot lock {}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Not on Unix: the cache relies on Unix permissions and `flock`.
    #[cfg(not(unix))]
    #[error("the token cache is available on Unix systems only")]
    Unsupported,
}
