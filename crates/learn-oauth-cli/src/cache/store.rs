//! The cache directory on Unix: opened once, checked on the open handle, and every file
//! reached relative to that handle (`openat`, `renameat`, `linkat`, `unlinkat`), so
//! nothing another user plants or swaps on the path is ever followed.

use std::fs::File;
use std::io::{self, Read as _, Write as _};
use std::os::fd::OwnedFd;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{
    AtFlags, Dir, FileType, FlockOperation, Mode, OFlags, flock, fstat, mkdirat, open, openat, renameat,
    unlinkat,
};
use rustix::io::Errno;
use zeroize::Zeroizing;

use self::checks::{check, check_parent};
use super::binding::SecretBinding;
use super::entry::{Entry, Load, MAX_ENTRY_BYTES};
use super::error::{CacheError, Unsafe};
use super::key::CacheKey;
use super::names::{self, Name};

/// How long a waiter first pauses between tries of the lock; it doubles to
/// [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(2);
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// The cache directory, open, checked to be this user's alone.
#[derive(Debug)]
pub(crate) struct Cache {
    /// Its path, for messages only: nothing is opened through it again.
    dir: PathBuf,
    fd: OwnedFd,
    uid: u32,
}

/// The lock of one key, held until dropped (closing the file releases it; so does the
/// holder's death).
#[derive(Debug)]
pub(crate) struct LockGuard {
    _file: File,
}

impl Cache {
    /// Opens the cache directory `dir`, creating it (0700) if needed, and checks it: its
    /// parent must be owned by this user or root and writable by nobody else unless it is
    /// sticky (like `/tmp`); `dir` itself must be a directory, not a symbolic link (never
    /// followed), owned by this user, with no group or other access.
    ///
    /// # Errors
    ///
    /// [`CacheError::CreateDir`], [`CacheError::UnsafeParent`] or
    /// [`CacheError::UnsafeDir`].
    pub(crate) fn open(dir: PathBuf) -> Result<Self, CacheError> {
        let uid = rustix::process::geteuid().as_raw();
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            let source = io::Error::from(io::ErrorKind::InvalidInput);
            return Err(CacheError::CreateDir { path: dir, source });
        };
        let create = |source: io::Error| CacheError::CreateDir {
            path: dir.clone(),
            source,
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(create)?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let parent_fd = open(parent, flags, Mode::empty()).map_err(|e| create(e.into()))?;
        let parent_stat = fstat(&parent_fd).map_err(|e| create(e.into()))?;
        if let Some(problem) = check_parent(&parent_stat, uid) {
            return Err(CacheError::UnsafeParent {
                path: dir.clone(),
                parent: parent.to_owned(),
                problem,
            });
        }
        match mkdirat(&parent_fd, name, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(create(e.into())),
        }
        let unsafe_dir = |problem| CacheError::UnsafeDir {
            path: dir.clone(),
            problem,
        };
        let fd = match openat(&parent_fd, name, flags | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::LOOP) => return Err(unsafe_dir(Unsafe::SymbolicLink)),
            Err(Errno::NOTDIR) => {
                let is_link = rustix::fs::statat(&parent_fd, name, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Symlink);
                let problem = if is_link {
                    Unsafe::SymbolicLink
                } else {
                    Unsafe::NotDir
                };
                return Err(unsafe_dir(problem));
            }
            Err(e) => return Err(create(e.into())),
        };
        let stat = fstat(&fd).map_err(|e| create(e.into()))?;
        match check(&stat, uid, FileType::Directory) {
            Some(problem) => Err(unsafe_dir(problem)),
            None => Ok(Cache { dir, fd, uid }),
        }
    }

    /// The directory.
    #[must_use]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads the entry for `key`: found only when it is for `key` and its token was
    /// fetched with the secret `binding` binds.
    #[must_use]
    pub(crate) fn load(&self, key: &CacheKey, binding: &SecretBinding) -> Load {
        self.read(&names::entry(&key.file_stem())).for_key(key, binding)
    }

    /// Reads one entry file, whatever its key: refused unless it is a regular file this
    /// user owns with no group or other access (checked on the open file, never
    /// following a symbolic link).
    fn read(&self, name: &str) -> Load {
        let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_ENTRY_BYTES + 1));
        match self.read_file(name, MAX_ENTRY_BYTES + 1, &mut bytes) {
            Ok(true) => {}
            Ok(false) => return Load::Missing,
            Err(e) => return Load::Refused(e),
        }
        Load::from_bytes(&bytes)
    }

    /// Reads at most `limit` bytes of the file `name` into `bytes` (allocated by the
    /// caller, so that it never grows and leaves a copy behind); `false` when there is
    /// no such file. Refused unless it is a private regular file of this user.
    fn read_file(&self, name: &str, limit: usize, bytes: &mut Vec<u8>) -> Result<bool, CacheError> {
        let path = || self.dir.join(name);
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(false),
            Err(Errno::LOOP) => return Err(self.unsafe_file(name, Unsafe::NotFile)),
            Err(e) => {
                let source = e.into();
                return Err(CacheError::Read { path: path(), source });
            }
        };
        self.check_file(&fd, name)?;
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        File::from(fd)
            .take(limit)
            .read_to_end(bytes)
            .map_err(|source| CacheError::Read { path: path(), source })?;
        Ok(true)
    }

    /// Refuses an open file unless it is a regular file this user owns, private.
    fn check_file(&self, fd: &OwnedFd, name: &str) -> Result<(), CacheError> {
        let stat = fstat(fd).map_err(|e| CacheError::Read {
            path: self.dir.join(name),
            source: e.into(),
        })?;
        match check(&stat, self.uid, FileType::RegularFile) {
            Some(problem) => Err(self.unsafe_file(name, problem)),
            None => Ok(()),
        }
    }

    fn unsafe_file(&self, name: &str, problem: Unsafe) -> CacheError {
        CacheError::UnsafeFile {
            path: self.dir.join(name),
            problem,
        }
    }

    /// Creates the file `name` (0600, failing if anything is there), writes `bytes` and
    /// syncs it.
    fn write_new(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut file = File::from(openat(&self.fd, name, flags, Mode::from_raw_mode(0o600))?);
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// Writes the entry for `key`: a new 0600 file beside it, synced, renamed over it.
    /// The serialized bytes are zeroized.
    ///
    /// # Errors
    ///
    /// [`CacheError::Write`]; the temporary file is removed.
    pub(crate) fn store(&self, key: &CacheKey, entry: &Entry) -> Result<(), CacheError> {
        let stem = key.file_stem();
        let target = names::entry(&stem);
        let temp = names::temp(&stem, std::process::id(), subsec_nanos());
        let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_ENTRY_BYTES));
        let written = serde_json::to_writer(&mut *bytes, entry)
            .map_err(io::Error::other)
            .and_then(|()| self.write_new(&temp, &bytes))
            .and_then(|()| renameat(&self.fd, &temp, &self.fd, &target).map_err(io::Error::from));
        written.map_err(|source| {
            let _ = unlinkat(&self.fd, &temp, AtFlags::empty());
            CacheError::Write {
                path: self.dir.join(&target),
                source,
            }
        })
    }

    /// Removes the entry for `key` if it still holds `token` (another invocation may
    /// have replaced it already).
    ///
    /// # Errors
    ///
    /// [`CacheError::Write`] when the file cannot be removed.
    pub(crate) fn remove_if_holds(&self, key: &CacheKey, token: &str) -> Result<(), CacheError> {
        let name = names::entry(&key.file_stem());
        match self.read(&name) {
            Load::Found(entry) if !entry.holds(token) => Ok(()),
            Load::Missing => Ok(()),
            _ => self.remove(&name),
        }
    }

    fn remove(&self, name: &str) -> Result<(), CacheError> {
        match unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(CacheError::Write {
                path: self.dir.join(name),
                source: e.into(),
            }),
        }
    }

    /// Takes the lock of `key`, waiting at most `wait`; `None` when it is still held
    /// then (a holder that hangs: the caller goes on without it).
    ///
    /// # Errors
    ///
    /// [`CacheError::Lock`] when the lock file cannot be opened or locked, or
    /// [`CacheError::UnsafeFile`] when it is not a private regular file of this user.
    pub(crate) fn lock(&self, key: &CacheKey, wait: Duration) -> Result<Option<LockGuard>, CacheError> {
        let name = names::lock(&key.file_stem());
        let lock_error = |source| CacheError::Lock {
            path: self.dir.join(&name),
            source,
        };
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = openat(&self.fd, &name, flags, Mode::from_raw_mode(0o600)).map_err(|e| match e {
            Errno::LOOP => self.unsafe_file(&name, Unsafe::NotFile),
            e => lock_error(e.into()),
        })?;
        self.check_file(&fd, &name)?;
        let file = File::from(fd);
        let deadline = Instant::now().checked_add(wait);
        let mut pause = FIRST_PAUSE;
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Some(LockGuard { _file: file })),
                Err(Errno::WOULDBLOCK | Errno::INTR) => {}
                Err(e) => return Err(lock_error(e.into())),
            }
            let now = Instant::now();
            let left = deadline.map_or(pause, |d| d.saturating_duration_since(now));
            if left.is_zero() {
                return Ok(None);
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// Every entry file in the directory and what reading it found (its key unchecked).
    ///
    /// # Errors
    ///
    /// [`CacheError::Read`] when the directory cannot be listed.
    pub(crate) fn list(&self) -> Result<Vec<(PathBuf, Load)>, CacheError> {
        let mut found: Vec<(PathBuf, Load)> = self
            .names()?
            .into_iter()
            .filter(|name| names::classify(name) == Name::Entry)
            .map(|name| {
                let load = self.read(&name);
                (self.dir.join(name), load)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Deletes what it can prove is the cache's own, and nothing else: entries (and
    /// temporary files left by a writer that died) whose name is the cache's and whose
    /// contents parse as an entry, read as [`read`](Self::read) does; empty lock files
    /// nobody holds. Returns how many entries were deleted.
    ///
    /// # Errors
    ///
    /// [`CacheError::Read`] or [`CacheError::Write`].
    pub(crate) fn clear(&self) -> Result<usize, CacheError> {
        let mut removed = 0;
        for name in self.names()? {
            let kind = names::classify(&name);
            // A held lock stays: deleting it would let the next invocation lock a new
            // file while the holder still holds the old one. An unheld one is deleted
            // while this process holds it.
            let held;
            let remove = match kind {
                Name::Entry | Name::Temp => matches!(self.read(&name), Load::Found(_)),
                Name::Lock => {
                    held = self.unheld_lock(&name);
                    held.is_some()
                }
                Name::Other => false,
            };
            if remove {
                self.remove(&name)?;
                removed += usize::from(kind == Name::Entry);
            }
        }
        Ok(removed)
    }

    /// The lock file `name`, locked, if it is an empty private regular file of this user
    /// that nobody holds.
    fn unheld_lock(&self, name: &str) -> Option<File> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = openat(&self.fd, name, flags, Mode::empty()).ok()?;
        self.check_file(&fd, name).ok()?;
        if fstat(&fd).ok()?.st_size != 0 {
            return None;
        }
        let file = File::from(fd);
        flock(&file, FlockOperation::NonBlockingLockExclusive).ok()?;
        Some(file)
    }

    /// The names in the directory (read through the open handle).
    fn names(&self) -> Result<Vec<String>, CacheError> {
        let read_error = |e: Errno| CacheError::Read {
            path: self.dir.clone(),
            source: e.into(),
        };
        let mut found = Vec::new();
        for item in Dir::read_from(&self.fd).map_err(read_error)? {
            let item = item.map_err(read_error)?;
            if let Ok(name) = item.file_name().to_str()
                && name != "."
                && name != ".."
            {
                found.push(name.to_owned());
            }
        }
        Ok(found)
    }
}

/// The sub-second nanoseconds of the wall clock: with the process id, a temporary file
/// name unique enough (the file is created exclusively anyway).
fn subsec_nanos() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

mod checks;
mod key_file;
#[cfg(test)]
mod tests;
