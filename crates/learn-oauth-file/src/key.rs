//! [`FileStore::sealing_key`]: a sealing key derived from a random key kept in the store
//! directory, for the processes of one user on one host.
//!
//! The store key is 32 random bytes in a 0600 file of the directory ([`KEY_FILE`]), made
//! on first use and published whole or not at all (written to a new file, then linked in
//! place unless another process did first; renamed over a corrupt one). The sealing key
//! is `HMAC-SHA256(store key, LABEL || context)`: processes that pass the same context
//! get the same key; a value sealed under another context does not open.

use std::io;

use learn_oauth_driver::store::SealingKey;
use ring::hmac;
use ring::rand::{SecureRandom as _, SystemRandom};
use zeroize::Zeroizing;

use crate::dir::Found;
use crate::error::FileStoreError;
use crate::store::FileStore;

/// The file holding the store's random key.
pub(crate) const KEY_FILE: &str = "sealing.key";

/// The length of the store's key, in bytes.
const KEY_LEN: usize = 32;

/// Domain separation: the sealing key is the MAC of this label followed by the context.
const LABEL: &[u8] = b"learn-oauth file store sealing key v1\0";

/// What reading the key file found.
enum KeyFile {
    Key(Zeroizing<Vec<u8>>),
    Missing,
    /// Not [`KEY_LEN`] bytes long.
    Corrupt,
}

impl FileStore {
    /// A sealing key (id 1) for the values of this store, derived (HMAC-SHA-256) from a
    /// random key kept in the store directory (32 bytes, 0600, made on first use) and
    /// `context`. Processes of this user on this host passing the same `context` get the
    /// same key: give it what a value must be bound to (the `learn-oauth` CLI passes the
    /// client secret, so a token fetched with one secret never opens for another, and is
    /// fetched anew). The key file never leaves the directory; a value copied elsewhere
    /// does not open without it.
    ///
    /// # Errors
    ///
    /// [`FileStoreError::UnsafeFile`] when the key file is not a private regular file of
    /// this user, [`FileStoreError::Read`] or [`FileStoreError::Write`] when it cannot be
    /// read or made.
    pub fn sealing_key(&self, context: &[u8]) -> Result<SealingKey, FileStoreError> {
        for _ in 0..3 {
            match self.read_key()? {
                KeyFile::Key(key) => {
                    let mut message = Zeroizing::new(Vec::with_capacity(LABEL.len() + context.len()));
                    message.extend_from_slice(LABEL);
                    message.extend_from_slice(context);
                    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), &message);
                    return SealingKey::new(1, tag.as_ref())
                        .map_err(|e| self.dir().write_error(KEY_FILE, io::Error::other(e)));
                }
                KeyFile::Missing => self.make_key(false)?,
                KeyFile::Corrupt => self.make_key(true)?,
            }
        }
        Err(self
            .dir()
            .write_error(KEY_FILE, io::Error::other("the key file keeps changing")))
    }

    fn read_key(&self) -> Result<KeyFile, FileStoreError> {
        match self.dir().read(KEY_FILE, KEY_LEN + 1) {
            Found::Bytes(bytes) if bytes.len() == KEY_LEN => Ok(KeyFile::Key(Zeroizing::new(bytes))),
            Found::Bytes(mut bytes) => {
                zeroize::Zeroize::zeroize(&mut bytes);
                Ok(KeyFile::Corrupt)
            }
            Found::Missing => Ok(KeyFile::Missing),
            Found::Refused(e) => Err(e),
        }
    }

    /// Writes a new key to a temporary file, then publishes it: linked in place unless
    /// another process did first, or renamed over a corrupt one (`replace`).
    fn make_key(&self, replace: bool) -> Result<(), FileStoreError> {
        let mut key = Zeroizing::new([0; KEY_LEN]);
        SystemRandom::new().fill(&mut key[..]).map_err(|_| {
            self.dir()
                .write_error(KEY_FILE, io::Error::other("no random bytes from the system"))
        })?;
        let (temp, _file) = self.dir().create_temp(KEY_FILE, &key[..])?;
        if replace {
            self.dir().rename(&temp, KEY_FILE)
        } else {
            let linked = self.dir().link_new(&temp, KEY_FILE);
            let _ = self.dir().remove(&temp);
            linked
        }
    }
}
