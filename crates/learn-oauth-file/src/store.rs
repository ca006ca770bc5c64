//! [`FileStore`]: the blocking store over a directory of this host.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use learn_oauth_driver::store::{
    BlockingStore, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord, StoreTime,
};

use crate::dir::{Directory, Found};
use crate::error::FileStoreError;
use crate::lease::{Leases, lock, lock_existing};
use crate::names::{self, Name};
use crate::record::{MAX_VALUE_FILE, decode_lease, decode_value, encode_value};

/// A shared store in a directory of this host, for the processes of one machine
/// (`SharedStore::blocking(store, sealing)`): preforked workers, cron jobs and scripts
/// then make about one token request per refresh period between them, without Redis.
///
/// - **Values** (the sealed token, the cool-down marker): one file per store key, written
///   to a new file and renamed into place, with its expiry (this host's clock) inside.
/// - **The lease**: an `flock` on a lease file, held while the holder fetches. A holder
///   that dies loses it at once (the kernel releases it); one stuck past the lease's end
///   has its lease file replaced, so it blocks the others no longer than that.
/// - **Safety**: the directory is opened once, never through a symbolic link, and checked
///   on the open handle (owned by this user, no group or other access; its parent
///   writable by nobody else unless sticky); every file is reached relative to it,
///   created 0600, and read only if it is a private regular file of this user. A file
///   that is not, or does not parse, or is oversized, is passed on as an unusable value:
///   the provider refuses it (counted in `StoreStats`), never serves it.
/// - **Bounded**: waiting for another process's lock is polled, never longer than the
///   operation's timeout (local file operations themselves are not interruptible: use a
///   local file system, not a network one).
///
/// Cheap to clone; clones share the leases this process holds. Unix only: elsewhere
/// [`open`](Self::open) fails with [`FileStoreError::Unsupported`].
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<Inner>,
}

struct Inner {
    dir: Directory,
    leases: Leases,
}

/// The remaining time to live given to an unusable value file, so that the provider
/// sees a value, refuses it and counts the refusal.
const UNUSABLE_TTL: Duration = Duration::from_millis(1);

impl FileStore {
    /// The store in the directory `dir`, created (0700, with its parents) if need be.
    ///
    /// # Errors
    ///
    /// [`FileStoreError::CreateDir`] when it cannot be created or opened;
    /// [`FileStoreError::UnsafeDir`] when it is not a directory of this user's alone (a
    /// symbolic link, another owner, group or other access);
    /// [`FileStoreError::UnsafeParent`] when its parent lets another user replace it.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, FileStoreError> {
        Ok(Self {
            inner: Arc::new(Inner {
                dir: Directory::open(dir.into())?,
                leases: Leases::default(),
            }),
        })
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.inner.dir.path()
    }

    /// The open directory.
    pub(crate) fn dir(&self) -> &Directory {
        &self.inner.dir
    }

    /// Deletes what it can prove is the store's own, and nothing else: value files (and
    /// ones a writer left half-made) whose name is the store's and whose contents are a
    /// value file's; lease files (and ones a process left half-made) and guards nobody
    /// holds. The sealing key's file stays. Returns how many values were
    /// deleted (tokens and cool-down markers).
    ///
    /// # Errors
    ///
    /// [`FileStoreError::Read`] when the directory cannot be listed,
    /// [`FileStoreError::Write`] when a file cannot be deleted.
    pub fn clear(&self) -> Result<usize, FileStoreError> {
        let dir = &self.inner.dir;
        let mut removed = 0;
        for name in dir.names()? {
            let kind = names::classify(&name);
            let remove = match kind {
                Name::Value => {
                    matches!(dir.read(&name, MAX_VALUE_FILE), Found::Bytes(b) if decode_value(&b).is_some())
                }
                // Left by a writer that died: a value, or a lease file nobody holds (one
                // being put in place is held by its maker).
                Name::Temp => match dir.read(&name, MAX_VALUE_FILE) {
                    Found::Bytes(b) if decode_value(&b).is_some() => true,
                    Found::Bytes(b) if decode_lease(&b).is_some() => {
                        if let Some(_unheld) = lock_existing(dir, &name)? {
                            dir.remove(&name)?;
                        }
                        false
                    }
                    _ => false,
                },
                // Under its guard, so no process is taking it meanwhile; the guard goes
                // with it.
                Name::Lease => {
                    let guard = format!("{}.guard", name.trim_end_matches(".lock"));
                    if let Some(_guard) = lock(dir, &guard, None)? {
                        if let Some(_unheld) = lock_existing(dir, &name)? {
                            dir.remove(&name)?;
                        }
                        dir.remove(&guard)?;
                    }
                    false
                }
                Name::Guard => lock_existing(dir, &name)?.is_some(),
                Name::Other => false,
            };
            if remove {
                dir.remove(&name)?;
                removed += usize::from(kind == Name::Value);
            }
        }
        Ok(removed)
    }

    /// Every value file in the store (a token's or a cool-down marker's; their names are
    /// digests, so which is which is not told) and when it expires by this host's clock:
    /// `Ok(None)` for a file with the store's name that is not a value file (garbled, cut
    /// short), `Err` for one that was not read (not a private regular file of this user).
    /// Sorted by path.
    ///
    /// # Errors
    ///
    /// [`FileStoreError::Read`] when the directory cannot be listed.
    #[allow(clippy::type_complexity)] // one (path, what it holds) pair per file
    pub fn values(
        &self,
    ) -> Result<Vec<(PathBuf, Result<Option<SystemTime>, FileStoreError>)>, FileStoreError> {
        let dir = &self.inner.dir;
        let values = dir
            .names()?
            .into_iter()
            .filter(|name| names::classify(name) == Name::Value)
            .map(|name| {
                let expires = match dir.read(&name, MAX_VALUE_FILE) {
                    Found::Bytes(bytes) => Ok(decode_value(&bytes)
                        .and_then(|(end, _)| UNIX_EPOCH.checked_add(Duration::from_millis(end)))),
                    Found::Missing => Ok(None),
                    Found::Refused(e) => Err(e),
                };
                (dir.join(&name), expires)
            })
            .collect();
        Ok(values)
    }

    /// What the value file of `key` holds at `now`: its bytes and time left; an unusable
    /// file as an empty value (refused by the provider); nothing if it is missing or
    /// expired.
    fn value(&self, key: &str, now: u64) -> Option<(Vec<u8>, Duration)> {
        let bytes = match self.inner.dir.read(&names::value(key), MAX_VALUE_FILE) {
            Found::Missing => return None,
            Found::Refused(_) => return Some((Vec::new(), UNUSABLE_TTL)),
            Found::Bytes(bytes) => bytes,
        };
        match decode_value(&bytes) {
            Some((end, value)) if end > now => Some((value.to_vec(), Duration::from_millis(end - now))),
            Some(_) => None,
            None => Some((Vec::new(), UNUSABLE_TTL)),
        }
    }

    /// Writes `value` under `key` until `until`, then releases `owner`'s lease.
    fn write_then_release(
        &self,
        key: &str,
        value: &[u8],
        until: StoreTime,
        keys: &StoreKeyNames,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        let deadline = deadline(timeout);
        let written = self
            .inner
            .dir
            .replace(&names::value(key), &encode_value(value, until.0));
        self.inner.leases.release(keys.lease(), owner);
        written.map_err(store_error)?;
        within(deadline)
    }
}

impl BlockingStore for FileStore {
    fn read(&self, keys: &StoreKeyNames, timeout: Duration) -> Result<StoreRecord, StoreError> {
        let deadline = deadline(timeout);
        let now = host_now();
        let token = self.value(keys.token(), now);
        let cool_down = self.value(keys.cool_down(), now);
        let lease_held = Leases::is_held(&self.inner.dir, keys.lease(), now);
        within(deadline)?;
        Ok(StoreRecord::new(
            token,
            cool_down,
            lease_held,
            Some(StoreTime(now)),
        ))
    }

    fn try_lease(
        &self,
        keys: &StoreKeyNames,
        owner: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let deadline = deadline(timeout);
        let now = host_now();
        let until = now.saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        self.inner
            .leases
            .try_take(&self.inner.dir, keys.lease(), owner, now, until, deadline)
            .map_err(store_error)
    }

    fn publish(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        expire_at: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.write_then_release(keys.token(), value, expire_at, keys, owner, timeout)
    }

    fn cool_down(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.write_then_release(keys.cool_down(), value, until, keys, owner, timeout)
    }

    fn release(&self, keys: &StoreKeyNames, owner: &str, _timeout: Duration) -> Result<(), StoreError> {
        self.inner.leases.release(keys.lease(), owner);
        Ok(())
    }
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("dir", &self.path())
            .finish_non_exhaustive()
    }
}

/// This host's clock, Unix ms: the store's clock (one host, one clock).
fn host_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `timeout` from now (far away if it cannot be added).
fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

/// A timeout error if `deadline` has passed.
fn within(deadline: Instant) -> Result<(), StoreError> {
    if Instant::now() > deadline {
        return Err(StoreError::new(StoreErrorKind::Timeout));
    }
    Ok(())
}

/// A file store error as a store error (it names a path, never a value).
fn store_error(error: FileStoreError) -> StoreError {
    let kind = match error {
        FileStoreError::Timeout { .. } => StoreErrorKind::Timeout,
        _ => StoreErrorKind::Protocol,
    };
    StoreError::with_source(kind, error)
}

#[cfg(test)]
mod tests;
