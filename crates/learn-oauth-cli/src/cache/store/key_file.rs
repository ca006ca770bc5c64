//! The per-cache key of the [`SecretBinding`]: 32 random bytes in a 0600 file of the
//! cache directory, made on first use and published whole or not at all.

use std::io;

use rustix::fs::{AtFlags, linkat, renameat, unlinkat};
use rustix::io::Errno;
use zeroize::Zeroizing;

use super::super::binding::{KEY_LEN, SecretBinding};
use super::super::error::CacheError;
use super::super::names::KEY_FILE;
use super::{Cache, subsec_nanos};

impl Cache {
    /// The binding of `secret` under this cache's key (made on first use: 32 random bytes
    /// in a 0600 file, published whole or not at all).
    ///
    /// # Errors
    ///
    /// The key file is unsafe, unreadable, or cannot be made.
    pub(crate) fn binding(&self, secret: &str) -> Result<SecretBinding, CacheError> {
        for _ in 0..3 {
            match self.read_key()? {
                KeyFile::Key(key) => return Ok(SecretBinding::new(&key, secret)),
                KeyFile::Missing => self.make_key(false)?,
                KeyFile::Corrupt => self.make_key(true)?,
            }
        }
        Err(CacheError::Write {
            path: self.dir.join(KEY_FILE),
            source: io::Error::other("the key file keeps changing"),
        })
    }

    fn read_key(&self) -> Result<KeyFile, CacheError> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(KEY_LEN + 1));
        match self.read_file(KEY_FILE, KEY_LEN + 1, &mut bytes) {
            Ok(true) => {}
            Ok(false) => return Ok(KeyFile::Missing),
            Err(e) => return Err(e),
        }
        let mut key = Zeroizing::new([0; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Ok(KeyFile::Corrupt);
        }
        key.copy_from_slice(&bytes);
        Ok(KeyFile::Key(key))
    }

    /// Writes a new key to a temporary file, then publishes it: linked in place unless
    /// another invocation did first, or renamed over a corrupt one (`replace`).
    fn make_key(&self, replace: bool) -> Result<(), CacheError> {
        let mut key = Zeroizing::new([0; KEY_LEN]);
        let write_error = |source| CacheError::Write {
            path: self.dir.join(KEY_FILE),
            source,
        };
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key[..])
            .map_err(|_| write_error(io::Error::other("no random bytes from the system")))?;
        let temp = format!(".{KEY_FILE}.{}.{}.tmp", std::process::id(), subsec_nanos());
        let result = self.write_new(&temp, &key[..]).and_then(|()| {
            if replace {
                renameat(&self.fd, &temp, &self.fd, KEY_FILE).map_err(io::Error::from)
            } else {
                match linkat(&self.fd, &temp, &self.fd, KEY_FILE, AtFlags::empty()) {
                    Ok(()) | Err(Errno::EXIST) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
        });
        let _ = unlinkat(&self.fd, &temp, AtFlags::empty());
        result.map_err(write_error)
    }
}

/// What reading the key file found.
enum KeyFile {
    Key(Zeroizing<[u8; KEY_LEN]>),
    Missing,
    /// Not [`KEY_LEN`] bytes long.
    Corrupt,
}
