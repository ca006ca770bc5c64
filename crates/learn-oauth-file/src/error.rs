//! What can go wrong with a file store: [`FileStoreError`], and [`Untrusted`], why a file
//! or directory is not trusted.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a file or directory is not trusted (and so never read or written through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Untrusted {
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
    /// A symbolic link where the store directory should be (it is never followed).
    SymbolicLink,
    /// Other users may replace what is in it: group or others may write, and it is not
    /// sticky.
    Replaceable {
        /// The permission bits found.
        mode: u32,
    },
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Untrusted::Mode { mode, want } => {
                write!(f, "mode {mode:04o} lets group or others in (want {want:04o})")
            }
            Untrusted::Owner { uid } => write!(f, "owned by uid {uid}, not by you"),
            Untrusted::NotFile => f.write_str("not a regular file"),
            Untrusted::NotDir => f.write_str("not a directory"),
            Untrusted::SymbolicLink => f.write_str("a symbolic link (never followed)"),
            Untrusted::Replaceable { mode } => write!(
                f,
                "mode {mode:04o} lets other users replace what is in it (no sticky bit)"
            ),
        }
    }
}

/// A file store could not be opened, or one of its other operations
/// ([`clear`](crate::FileStore::clear), [`values`](crate::FileStore::values),
/// [`sealing_key`](crate::FileStore::sealing_key)) failed. The
/// store's own operations report failures to the provider as
/// [`StoreError`](learn_oauth_driver::store::StoreError)s instead (with this as their
/// source). Paths are named; nothing stored is ever carried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileStoreError {
    /// The directory cannot be created or examined.
    #[error("cannot create the store directory {}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The directory is not private to this user.
    #[error("refusing the store directory {}: {problem}", path.display())]
    UnsafeDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        problem: Untrusted,
    },
    /// The directory that holds the store directory lets another user replace it.
    #[error(
        "refusing the store directory {}: its parent {}: {problem}",
        path.display(),
        parent.display()
    )]
    UnsafeParent {
        /// The store directory.
        path: PathBuf,
        /// Its parent.
        parent: PathBuf,
        /// What is wrong with the parent.
        problem: Untrusted,
    },
    /// A file in the store is not private to this user; it was not read.
    #[error("refusing the store file {}: {problem}; it was not read", path.display())]
    UnsafeFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: Untrusted,
    },
    /// A file or the directory cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file cannot be written, locked or removed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A lock of the store was held by another process for longer than the operation's
    /// timeout.
    #[error("timed out waiting for {}", path.display())]
    Timeout {
        /// The lock file.
        path: PathBuf,
    },
    /// Not on Unix: the store relies on Unix permissions and `flock`.
    #[error("the file store is available on Unix systems only")]
    Unsupported,
}
