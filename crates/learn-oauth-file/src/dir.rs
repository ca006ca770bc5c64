//! The store directory on Unix: opened once, checked on the open handle, and every file
//! reached relative to that handle (`openat`, `renameat`, `unlinkat`), so nothing another
//! user plants or swaps on the path is ever followed.

use std::fs::File;
use std::io::{self, Read as _, Write as _};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{
    AtFlags, FileType, Mode, OFlags, fstat, linkat, mkdirat, open, openat, renameat, statat, unlinkat,
};
use rustix::io::Errno;

use crate::checks::{check, check_parent};
use crate::error::{FileStoreError, Untrusted};
use crate::names;

/// The store directory, open, checked to be this user's alone.
#[derive(Debug)]
pub(crate) struct Directory {
    /// Its path, for messages only: nothing is opened through it again.
    path: PathBuf,
    fd: OwnedFd,
    uid: u32,
}

/// What reading one file found.
#[derive(Debug)]
pub(crate) enum Found {
    /// Its first bytes, up to the limit asked for.
    Bytes(Vec<u8>),
    /// No such file.
    Missing,
    /// A file that was not read: not a private regular file of this user, or unreadable.
    Refused(FileStoreError),
}

impl Directory {
    /// Opens the directory `path`, creating it (0700) if needed, and checks it: its
    /// parent must be owned by this user or root and writable by nobody else unless it is
    /// sticky (like `/tmp`); `path` itself must be a directory, not a symbolic link (never
    /// followed), owned by this user, with no group or other access.
    pub(crate) fn open(path: PathBuf) -> Result<Self, FileStoreError> {
        let uid = rustix::process::geteuid().as_raw();
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            let source = io::Error::from(io::ErrorKind::InvalidInput);
            return Err(FileStoreError::CreateDir { path, source });
        };
        let create = |source: io::Error| FileStoreError::CreateDir {
            path: path.clone(),
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
            return Err(FileStoreError::UnsafeParent {
                path: path.clone(),
                parent: parent.to_owned(),
                problem,
            });
        }
        match mkdirat(&parent_fd, name, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(create(e.into())),
        }
        let unsafe_dir = |problem| FileStoreError::UnsafeDir {
            path: path.clone(),
            problem,
        };
        let fd = match openat(&parent_fd, name, flags | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::LOOP) => return Err(unsafe_dir(Untrusted::SymbolicLink)),
            Err(Errno::NOTDIR) => {
                let is_link = statat(&parent_fd, name, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Symlink);
                let problem = if is_link {
                    Untrusted::SymbolicLink
                } else {
                    Untrusted::NotDir
                };
                return Err(unsafe_dir(problem));
            }
            Err(e) => return Err(create(e.into())),
        };
        let stat = fstat(&fd).map_err(|e| create(e.into()))?;
        match check(&stat, uid, FileType::Directory) {
            Some(problem) => Err(unsafe_dir(problem)),
            None => Ok(Directory { path, fd, uid }),
        }
    }

    /// The directory's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The path of the file `name`, for messages.
    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Reads at most `limit` bytes of the file `name`. Refused unless it is a private
    /// regular file of this user (checked on the open file, never following a link).
    pub(crate) fn read(&self, name: &str, limit: usize) -> Found {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Found::Missing,
            Err(Errno::LOOP) => return Found::Refused(self.untrusted(name, Untrusted::NotFile)),
            Err(e) => return Found::Refused(self.read_error(name, e.into())),
        };
        if let Err(e) = self.check_file(&fd, name) {
            return Found::Refused(e);
        }
        let mut bytes = Vec::with_capacity(limit.min(64 * 1024));
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        match File::from(fd).take(limit).read_to_end(&mut bytes) {
            Ok(_) => Found::Bytes(bytes),
            Err(e) => Found::Refused(self.read_error(name, e)),
        }
    }

    /// Opens the file `name` for reading and writing, creating it (0600) if need be;
    /// refused unless it is a private regular file of this user.
    pub(crate) fn open_rw(&self, name: &str) -> Result<File, FileStoreError> {
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = openat(&self.fd, name, flags, Mode::from_raw_mode(0o600)).map_err(|e| match e {
            Errno::LOOP => self.untrusted(name, Untrusted::NotFile),
            e => self.write_error(name, e.into()),
        })?;
        self.check_file(&fd, name)?;
        Ok(File::from(fd))
    }

    /// Opens the existing file `name` for reading; `None` when there is none. Refused
    /// unless it is a private regular file of this user.
    pub(crate) fn open_existing(&self, name: &str) -> Result<Option<File>, FileStoreError> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        match openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => {
                self.check_file(&fd, name)?;
                Ok(Some(File::from(fd)))
            }
            Err(Errno::NOENT) => Ok(None),
            Err(Errno::LOOP) => Err(self.untrusted(name, Untrusted::NotFile)),
            Err(e) => Err(self.read_error(name, e.into())),
        }
    }

    /// Whether `file` is the file named `name` now (not one renamed over it or deleted
    /// since it was opened).
    pub(crate) fn is_named(&self, file: &impl AsFd, name: &str) -> bool {
        let (Ok(open), Ok(named)) = (fstat(file), statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)) else {
            return false;
        };
        open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Refuses an open file unless it is a regular file this user owns, private.
    fn check_file(&self, fd: &impl AsFd, name: &str) -> Result<(), FileStoreError> {
        let stat = fstat(fd).map_err(|e| self.read_error(name, e.into()))?;
        match check(&stat, self.uid, FileType::RegularFile) {
            Some(problem) => Err(self.untrusted(name, problem)),
            None => Ok(()),
        }
    }

    fn untrusted(&self, name: &str, problem: Untrusted) -> FileStoreError {
        FileStoreError::UnsafeFile {
            path: self.join(name),
            problem,
        }
    }

    pub(crate) fn read_error(&self, name: &str, source: io::Error) -> FileStoreError {
        FileStoreError::Read {
            path: self.join(name),
            source,
        }
    }

    pub(crate) fn write_error(&self, name: &str, source: io::Error) -> FileStoreError {
        FileStoreError::Write {
            path: self.join(name),
            source,
        }
    }

    /// A new file for `target`, to be renamed over it: 0600, created exclusively under a
    /// name of its own, holding `bytes`. Returns its name and the open file.
    pub(crate) fn create_temp(&self, target: &str, bytes: &[u8]) -> Result<(String, File), FileStoreError> {
        let temp = names::temp(target, std::process::id(), subsec_nanos());
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let written = openat(&self.fd, &temp, flags, Mode::from_raw_mode(0o600))
            .map_err(io::Error::from)
            .map(File::from)
            .and_then(|mut file| file.write_all(bytes).map(|()| file));
        match written {
            Ok(file) => Ok((temp, file)),
            Err(source) => {
                let _ = unlinkat(&self.fd, &temp, AtFlags::empty());
                Err(self.write_error(target, source))
            }
        }
    }

    /// Renames the file `from` over `to`, atomically; `from` is removed if that fails.
    pub(crate) fn rename(&self, from: &str, to: &str) -> Result<(), FileStoreError> {
        renameat(&self.fd, from, &self.fd, to).map_err(|e| {
            let _ = unlinkat(&self.fd, from, AtFlags::empty());
            self.write_error(to, e.into())
        })
    }

    /// Writes `bytes` as the file `name`: a new 0600 file beside it, renamed over it, so
    /// a reader finds the old contents or the new, never a part.
    pub(crate) fn replace(&self, name: &str, bytes: &[u8]) -> Result<(), FileStoreError> {
        let (temp, _file) = self.create_temp(name, bytes)?;
        self.rename(&temp, name)
    }

    /// Links the file `from` as `to` unless something is there already (then `Ok`).
    pub(crate) fn link_new(&self, from: &str, to: &str) -> Result<(), FileStoreError> {
        match linkat(&self.fd, from, &self.fd, to, AtFlags::empty()) {
            Ok(()) | Err(Errno::EXIST) => Ok(()),
            Err(e) => Err(self.write_error(to, e.into())),
        }
    }

    /// Removes the file `name`, if it is there.
    pub(crate) fn remove(&self, name: &str) -> Result<(), FileStoreError> {
        match unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(self.write_error(name, e.into())),
        }
    }

    /// The names in the directory (read through the open handle).
    pub(crate) fn names(&self) -> Result<Vec<String>, FileStoreError> {
        let read_error = |e: Errno| FileStoreError::Read {
            path: self.path.clone(),
            source: e.into(),
        };
        let mut found = Vec::new();
        for item in rustix::fs::Dir::read_from(&self.fd).map_err(read_error)? {
            let item = item.map_err(read_error)?;
            if let Ok(name) = item.file_name().to_str()
                && name != "."
                && name != ".."
            {
                found.push(name.to_owned());
            }
        }
        found.sort();
        Ok(found)
    }
}

/// The sub-second nanoseconds of the wall clock plus a count of the calls: with the
/// process id, a temporary file name unique enough (the file is created exclusively
/// anyway).
fn subsec_nanos() -> u32 {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos.wrapping_add(CALLS.fetch_add(1, Ordering::Relaxed))
}
