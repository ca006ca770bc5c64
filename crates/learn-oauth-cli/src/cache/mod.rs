//! The token cache shared by invocations: one file per (token URL, client id, scopes)
//! in `$XDG_CACHE_HOME/learn-oauth/` (else `~/.cache/learn-oauth/`).
//!
//! - The file name is a hash of the key; neither the name nor the file holds a secret
//!   (the file holds the access token, its key, when it arrived and its lifetime).
//! - Files are 0600 in a 0700 directory, written to a temporary file and renamed into
//!   place. A file (or directory) that group or others may access, or that another user
//!   owns, is refused and not read; a corrupt or truncated file is a miss and replaced.
//! - A token is reused until its refresh point under the lifecycle's
//!   [`RefreshPolicy`](learn_oauth::RefreshPolicy) (`refresh_after`, without jitter).
//! - Invocations that miss at once share one fetch through an advisory lock (`flock`)
//!   on a lock file beside the entry; the holder's crash releases it, and a waiter gives
//!   up waiting after the policy's `max_wait` and fetches itself.
//!
//! Unix only: elsewhere every invocation fetches its own token.

mod entry;
mod key;
#[cfg(unix)]
mod store;
#[cfg(not(unix))]
#[path = "unsupported.rs"]
mod store;

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::PathBuf;

pub(crate) use entry::{Entry, Freshness};
pub(crate) use key::CacheKey;
pub(crate) use store::Cache;

/// The cache directory: `$XDG_CACHE_HOME/learn-oauth`, else `$HOME/.cache/learn-oauth`.
#[must_use]
pub(crate) fn cache_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    crate::paths::xdg_dir(env, "XDG_CACHE_HOME", ".cache").map(|dir| dir.join("learn-oauth"))
}

/// What reading one entry found.
#[derive(Debug)]
pub(crate) enum Load {
    /// A well-formed entry for the key (fresh or not: see [`Entry::freshness`]).
    Found(Entry),
    /// No entry.
    Missing,
    /// An entry that does not parse, is cut short, or belongs to another key.
    Corrupt,
    /// An entry that was not read (unsafe permissions, say).
    Refused(CacheError),
}

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
