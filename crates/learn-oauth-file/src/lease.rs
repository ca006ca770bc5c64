//! The lease: an exclusive `flock` on a lease file, held by the process that fetches for
//! as long as it fetches, with its owner and end written inside.
//!
//! - A holder that dies (even by SIGKILL) loses the lock with its last descriptor: the
//!   kernel releases it, and the next process takes the lease at once.
//! - A holder alive but stuck past its lease's end cannot block the others beyond it: a
//!   lease file held but past its end is replaced by a new one (written, locked, renamed
//!   over it), which the stuck holder does not hold.
//! - Taking a lease (and replacing one) happens under the lease's guard, a second
//!   `flock`ed file held only for those few system calls, so two processes never both
//!   take one lease. A guard is waited for by polling, never longer than the operation's
//!   timeout.
//! - Whether a lease is held (for `read`) is asked without the guard: a shared lock tried
//!   without blocking (it fails while a holder has the file), then the file's end.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt as _;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rustix::fs::{FlockOperation, flock};
use rustix::io::Errno;

use crate::dir::Directory;
use crate::error::FileStoreError;
use crate::names;
use crate::record::{MAX_LEASE_FILE, decode_lease, encode_lease};

/// The first pause between tries of a guard; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_micros(50);
const MAX_PAUSE: Duration = Duration::from_millis(2);

/// The leases this process holds, by lease file name.
#[derive(Debug, Default)]
pub(crate) struct Leases {
    held: Mutex<HashMap<String, Held>>,
}

/// One lease held: its lease file, open and locked (closing it releases the lease).
#[derive(Debug)]
struct Held {
    owner: String,
    /// The end of the lease, Unix ms.
    until: u64,
    file: File,
}

impl Leases {
    fn held(&self) -> MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the lease `key` for `owner` until `until` (Unix ms; `now` is the host's
    /// clock) if nobody holds it, or if its holder is past its end; whether it was taken.
    /// True as well when `owner` holds it already.
    pub(crate) fn try_take(
        &self,
        dir: &Directory,
        key: &str,
        owner: &str,
        now: u64,
        until: u64,
        deadline: Instant,
    ) -> Result<bool, FileStoreError> {
        let name = names::lease(key);
        {
            let mut held = self.held();
            match held.get(&name) {
                Some(lease) if lease.owner == owner && lease.until > now => return Ok(true),
                Some(lease) if lease.until > now => return Ok(false),
                // Past its end: let it go (closing the file releases the lock).
                _ => drop(held.remove(&name)),
            }
        }
        let _guard =
            lock(dir, &names::guard(key), Some(deadline))?.ok_or_else(|| FileStoreError::Timeout {
                path: dir.join(&names::guard(key)),
            })?;
        let file = dir.open_rw(&name)?;
        let file = match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) if dir.is_named(&file, &name) => {
                write_lease(&file, owner, until).map_err(|e| dir.write_error(&name, e))?;
                file
            }
            // Deleted by `clear` since it was opened: the next try opens the new one.
            Ok(()) => return Ok(false),
            Err(Errno::WOULDBLOCK | Errno::INTR) => {
                let held_until = decode_lease(&read_lease(&file)).map(|(_, end)| end);
                if held_until.is_some_and(|end| end > now) {
                    return Ok(false);
                }
                // Held past its end (or only probed by a reader): a new lease file in its
                // place, locked before anyone can open it.
                let (temp, file) = dir.create_temp(&name, &encode_lease(owner, until))?;
                if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    let _ = dir.remove(&temp);
                    return Err(dir.write_error(&name, e.into()));
                }
                dir.rename(&temp, &name)?;
                file
            }
            Err(e) => return Err(dir.write_error(&name, e.into())),
        };
        let owner = owner.to_owned();
        self.held().insert(name, Held { owner, until, file });
        Ok(true)
    }

    /// Releases the lease `key` if `owner` holds it: its file emptied and closed.
    pub(crate) fn release(&self, key: &str, owner: &str) {
        let name = names::lease(key);
        let mut held = self.held();
        if held.get(&name).is_some_and(|lease| lease.owner == owner)
            && let Some(lease) = held.remove(&name)
        {
            drop(held);
            let _ = lease.file.set_len(0);
        }
    }

    /// Whether some process holds the lease `key` at `now` (Unix ms): its file is locked
    /// and its end not passed.
    pub(crate) fn is_held(dir: &Directory, key: &str, now: u64) -> bool {
        let Ok(Some(file)) = dir.open_existing(&names::lease(key)) else {
            return false;
        };
        match flock(&file, FlockOperation::NonBlockingLockShared) {
            Ok(()) => false,
            Err(_) => decode_lease(&read_lease(&file)).is_some_and(|(_, end)| end > now),
        }
    }
}

/// The file `name` of `dir`, opened (created if need be) and locked exclusively, waiting
/// until `deadline` (`None`: not at all); `None` when it is still held then.
pub(crate) fn lock(
    dir: &Directory,
    name: &str,
    deadline: Option<Instant>,
) -> Result<Option<File>, FileStoreError> {
    let mut pause = FIRST_PAUSE;
    let mut file = dir.open_rw(name)?;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            // Locked, and still the file of that name (`clear` deletes unheld ones).
            Ok(()) if dir.is_named(&file, name) => return Ok(Some(file)),
            Ok(()) => file = dir.open_rw(name)?,
            Err(Errno::WOULDBLOCK | Errno::INTR) => {}
            Err(e) => return Err(dir.write_error(name, e.into())),
        }
        let left = deadline.map_or(Duration::ZERO, |d| d.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// The existing file `name` of `dir`, locked exclusively if nobody holds it; `None`
/// when it is held or gone (deleted meanwhile).
pub(crate) fn lock_existing(dir: &Directory, name: &str) -> Result<Option<File>, FileStoreError> {
    let Some(file) = dir.open_existing(name)? else {
        return Ok(None);
    };
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) if dir.is_named(&file, name) => Ok(Some(file)),
        Ok(()) | Err(Errno::WOULDBLOCK | Errno::INTR) => Ok(None),
        Err(e) => Err(dir.write_error(name, e.into())),
    }
}

/// Writes the lease of `owner` until `until` over the file's contents.
fn write_lease(file: &File, owner: &str, until: u64) -> io::Result<()> {
    file.set_len(0)?;
    file.write_all_at(&encode_lease(owner, until), 0)
}

/// The first bytes of a lease file.
fn read_lease(file: &File) -> Vec<u8> {
    let mut bytes = vec![0; MAX_LEASE_FILE];
    let read = file.read_at(&mut bytes, 0).unwrap_or(0);
    bytes.truncate(read);
    bytes
}
