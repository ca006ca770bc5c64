//! Whether an open file or directory may be trusted, from its `fstat`: owner, type and
//! permission bits.

use rustix::fs::{FileType, Stat};

use crate::error::Untrusted;

/// Permission bits that group or others would need to be refused for.
const GROUP_OTHER: u32 = 0o077;
/// Write permission for group or others.
const GROUP_OTHER_WRITE: u32 = 0o022;
/// The sticky bit: only a file's owner (or the directory's) may rename or delete it.
const STICKY: u32 = 0o1000;

/// The permission bits of `stat` (the field's type differs across targets).
#[allow(clippy::unnecessary_cast)]
fn mode_of(stat: &Stat) -> u32 {
    stat.st_mode as u32 & 0o7777
}

/// The owner of `stat` (the field's type differs across targets).
#[allow(clippy::unnecessary_cast)]
fn owner_of(stat: &Stat) -> u32 {
    stat.st_uid as u32
}

/// What is wrong with an open file or directory, if anything: not of type `want`, owned
/// by another user, or open to group or others.
pub(crate) fn check(stat: &Stat, uid: u32, want: FileType) -> Option<Untrusted> {
    let mode = mode_of(stat);
    if FileType::from_raw_mode(stat.st_mode) != want {
        Some(if want == FileType::Directory {
            Untrusted::NotDir
        } else {
            Untrusted::NotFile
        })
    } else if owner_of(stat) != uid {
        Some(Untrusted::Owner { uid: owner_of(stat) })
    } else if mode & GROUP_OTHER != 0 {
        let want = if want == FileType::Directory { 0o700 } else { 0o600 };
        Some(Untrusted::Mode { mode, want })
    } else {
        None
    }
}

/// What is wrong with the store directory's parent, if anything: owned by a user other
/// than this one and root, or writable by group or others without the sticky bit (then
/// another user could rename the store directory away and put a link in its place).
pub(crate) fn check_parent(stat: &Stat, uid: u32) -> Option<Untrusted> {
    let mode = mode_of(stat);
    let owner = owner_of(stat);
    if owner != uid && owner != 0 {
        Some(Untrusted::Owner { uid: owner })
    } else if mode & GROUP_OTHER_WRITE != 0 && mode & STICKY == 0 {
        Some(Untrusted::Replaceable { mode })
    } else {
        None
    }
}
