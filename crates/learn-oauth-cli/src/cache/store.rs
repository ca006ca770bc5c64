//! The cache directory on Unix: permission checks, atomic writes and the `flock` lock.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{FlockOperation, OFlags, flock};
use rustix::io::Errno;

use super::entry::{Entry, Load};
use super::error::{CacheError, Unsafe};
use super::key::CacheKey;

/// The largest cache file read; a longer one is corrupt.
const MAX_ENTRY_BYTES: u64 = 64 * 1024;
/// Permission bits that group or others would need to be refused for.
const GROUP_OTHER: u32 = 0o077;
/// How long a waiter first pauses between tries of the lock; it doubles to
/// [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(2);
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// The cache directory, checked to be this user's alone.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    uid: u32,
}

/// The lock of one key, held until dropped (closing the file releases it; so does the
/// holder's death).
#[derive(Debug)]
pub(crate) struct LockGuard {
    _file: File,
}

impl Cache {
    /// Creates `dir` (0700) if needed and checks that it is a directory this user owns
    /// and nobody else may access.
    ///
    /// # Errors
    ///
    /// [`CacheError::CreateDir`] or [`CacheError::UnsafeDir`].
    pub(crate) fn open(dir: PathBuf) -> Result<Self, CacheError> {
        if let Err(source) = DirBuilder::new().recursive(true).mode(0o700).create(&dir) {
            return Err(CacheError::CreateDir { path: dir, source });
        }
        let meta = match fs::metadata(&dir) {
            Ok(meta) => meta,
            Err(source) => return Err(CacheError::CreateDir { path: dir, source }),
        };
        let uid = rustix::process::geteuid().as_raw();
        let problem = if meta.is_dir() {
            check(&meta, uid)
        } else {
            Some(Unsafe::NotDir)
        };
        match problem {
            Some(problem) => Err(CacheError::UnsafeDir { path: dir, problem }),
            None => Ok(Cache { dir, uid }),
        }
    }

    /// The directory.
    #[must_use]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &CacheKey, extension: &str) -> PathBuf {
        self.dir.join(format!("{}.{extension}", key.file_stem()))
    }

    /// Reads the entry for `key`.
    #[must_use]
    pub(crate) fn load(&self, key: &CacheKey) -> Load {
        match self.read(&self.path(key, "json")) {
            Load::Found(entry) if !entry.is_for(key) => Load::Corrupt,
            other => other,
        }
    }

    /// Reads one entry file, whatever its key: refused unless it is a regular file this
    /// user owns with no group or other access (checked on the open file, never
    /// following a symbolic link).
    fn read(&self, path: &Path) -> Load {
        let file = OpenOptions::new().read(true).custom_flags(no_follow()).open(path);
        let file = match file {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Load::Missing,
            Err(e) if e.raw_os_error() == Some(Errno::LOOP.raw_os_error()) => {
                return Load::Refused(self.unsafe_file(path, Unsafe::NotFile));
            }
            Err(source) => {
                let path = path.to_owned();
                return Load::Refused(CacheError::Read { path, source });
            }
        };
        let meta = match file.metadata() {
            Ok(meta) => meta,
            Err(source) => {
                let path = path.to_owned();
                return Load::Refused(CacheError::Read { path, source });
            }
        };
        let problem = if meta.is_file() {
            check(&meta, self.uid)
        } else {
            Some(Unsafe::NotFile)
        };
        if let Some(problem) = problem {
            return Load::Refused(self.unsafe_file(path, problem));
        }
        let mut bytes = Vec::new();
        if let Err(source) = file.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes) {
            let path = path.to_owned();
            return Load::Refused(CacheError::Read { path, source });
        }
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Load::Corrupt;
        }
        serde_json::from_slice(&bytes).map_or(Load::Corrupt, Load::Found)
    }

    fn unsafe_file(&self, path: &Path, problem: Unsafe) -> CacheError {
        CacheError::UnsafeFile {
            path: path.to_owned(),
            problem,
        }
    }

    /// Writes the entry for `key`: a new 0600 file beside it, synced, renamed over it.
    ///
    /// # Errors
    ///
    /// [`CacheError::Write`]; the temporary file is removed.
    pub(crate) fn store(&self, key: &CacheKey, entry: &Entry) -> Result<(), CacheError> {
        let target = self.path(key, "json");
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temp = self
            .dir
            .join(format!(".{}.{}.{nanos}.tmp", key.file_stem(), std::process::id()));
        let written = (|| {
            let bytes = serde_json::to_vec(entry).map_err(io::Error::other)?;
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(no_follow())
                .open(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &target)
        })();
        written.map_err(|source| {
            let _ = fs::remove_file(&temp);
            CacheError::Write { path: target, source }
        })
    }

    /// Removes the entry for `key` if it still holds `token` (another invocation may
    /// have replaced it already).
    ///
    /// # Errors
    ///
    /// [`CacheError::Write`] when the file cannot be removed.
    pub(crate) fn remove_if_holds(&self, key: &CacheKey, token: &str) -> Result<(), CacheError> {
        let path = self.path(key, "json");
        match self.load(key) {
            Load::Found(entry) if !entry.holds(token) => Ok(()),
            Load::Missing => Ok(()),
            _ => match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(CacheError::Write { path, source: e }),
                _ => Ok(()),
            },
        }
    }

    /// Takes the lock of `key`, waiting at most `wait`; `None` when it is still held
    /// then (a holder that hangs: the caller goes on without it).
    ///
    /// # Errors
    ///
    /// [`CacheError::Lock`] when the lock file cannot be opened or locked.
    pub(crate) fn lock(&self, key: &CacheKey, wait: Duration) -> Result<Option<LockGuard>, CacheError> {
        let path = self.path(key, "lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(no_follow())
            .open(&path)
            .map_err(|source| CacheError::Lock {
                path: path.clone(),
                source,
            })?;
        let deadline = Instant::now().checked_add(wait);
        let mut pause = FIRST_PAUSE;
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Some(LockGuard { _file: file })),
                Err(Errno::WOULDBLOCK | Errno::INTR) => {}
                Err(e) => {
                    return Err(CacheError::Lock {
                        path,
                        source: e.into(),
                    });
                }
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
            .files()?
            .into_iter()
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let load = self.read(&path);
                (path, load)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Deletes every entry and leftover temporary file, and each lock file nobody holds;
    /// how many entries were deleted.
    ///
    /// # Errors
    ///
    /// [`CacheError::Read`] or [`CacheError::Write`].
    pub(crate) fn clear(&self) -> Result<usize, CacheError> {
        let mut removed = 0;
        for path in self.files()? {
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let remove = match extension {
                "json" | "tmp" => true,
                // A lock in use stays: deleting it would let the next invocation lock a
                // new file while the holder still holds the old one.
                "lock" => File::open(&path)
                    .is_ok_and(|file| flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok()),
                _ => false,
            };
            if !remove {
                continue;
            }
            match fs::remove_file(&path) {
                Ok(()) => removed += usize::from(extension == "json"),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(CacheError::Write { path, source }),
            }
        }
        Ok(removed)
    }

    /// The paths of the directory's files.
    fn files(&self) -> Result<Vec<PathBuf>, CacheError> {
        let read_error = |source| CacheError::Read {
            path: self.dir.clone(),
            source,
        };
        let mut paths = Vec::new();
        for item in fs::read_dir(&self.dir).map_err(read_error)? {
            paths.push(item.map_err(read_error)?.path());
        }
        Ok(paths)
    }
}

/// What is wrong with a file or directory's owner and mode, if anything.
fn check(meta: &fs::Metadata, uid: u32) -> Option<Unsafe> {
    let mode = meta.mode() & 0o7777;
    if meta.uid() != uid {
        Some(Unsafe::Owner { uid: meta.uid() })
    } else if mode & GROUP_OTHER != 0 {
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        Some(Unsafe::Mode { mode, want })
    } else {
        None
    }
}

/// `O_NOFOLLOW`: a symbolic link where a cache file should be is refused, not followed.
fn no_follow() -> i32 {
    i32::try_from(OFlags::NOFOLLOW.bits()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn key() -> CacheKey {
        super::super::key::test_key(&[])
    }

    #[test]
    fn the_directory_is_created_private() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::open(base.path().join("a/b/learn-oauth")).unwrap();
        let mode = fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_directory_others_may_enter_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("learn-oauth");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let e = Cache::open(dir).unwrap_err();
        assert!(e.to_string().contains("mode 0755"), "{e}");
    }

    #[test]
    fn a_symbolic_link_in_place_of_an_entry_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::open(base.path().join("c")).unwrap();
        let target = base.path().join("elsewhere");
        fs::write(&target, "{}").unwrap();
        std::os::unix::fs::symlink(&target, cache.path(&key(), "json")).unwrap();
        assert!(matches!(
            cache.load(&key()),
            Load::Refused(CacheError::UnsafeFile {
                problem: Unsafe::NotFile,
                ..
            })
        ));
    }

    #[test]
    fn a_lock_is_exclusive_and_a_waiter_gives_up_after_its_wait() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::open(base.path().join("c")).unwrap();
        let held = cache.lock(&key(), Duration::ZERO).unwrap();
        assert!(held.is_some());
        // flock locks belong to the open file, so a second open in this process waits too.
        assert!(cache.lock(&key(), Duration::from_millis(20)).unwrap().is_none());
        drop(held);
        assert!(cache.lock(&key(), Duration::ZERO).unwrap().is_some());
    }
}
