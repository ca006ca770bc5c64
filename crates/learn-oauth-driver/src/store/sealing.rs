//! [`Sealing`] and its keys: what every shared store's values are sealed with.

use std::fmt;

use ring::aead::{CHACHA20_POLY1305, LessSafeKey, UnboundKey};
use zeroize::Zeroize;

/// A 256-bit key for the values a store holds (ChaCha20-Poly1305), with the one-byte id
/// written beside each value it seals, so keys can be rotated. `Debug` shows the id only.
pub struct SealingKey {
    pub(super) id: u8,
    pub(super) key: LessSafeKey,
}

/// Why a [`SealingKey`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealingKeyError {
    /// The key is not 32 bytes long (`got` is how long it is).
    #[error("a sealing key is 32 bytes, got {got}")]
    Length {
        /// Its length in bytes.
        got: usize,
    },
    /// The text is not standard base64.
    #[error("a sealing key must be standard base64")]
    Base64,
    /// Another key of the same [`Sealing`] has this id.
    #[error("two sealing keys have the id {id}")]
    DuplicateId {
        /// The id both keys have.
        id: u8,
    },
}

impl SealingKey {
    /// A key with id `id` from 32 bytes (e.g. `openssl rand -base64 32`, decoded).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::Length`] when `bytes` is not 32 bytes long.
    pub fn new(id: u8, bytes: &[u8]) -> Result<Self, SealingKeyError> {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
            .map_err(|_| SealingKeyError::Length { got: bytes.len() })?;
        Ok(Self {
            id,
            key: LessSafeKey::new(unbound),
        })
    }

    /// A key with id `id` from standard base64 text (surrounding whitespace ignored).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::Base64`] for text that is not base64, [`SealingKeyError::Length`]
    /// when it does not decode to 32 bytes.
    pub fn from_base64(id: u8, text: &str) -> Result<Self, SealingKeyError> {
        use base64::Engine as _;
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| SealingKeyError::Base64)?;
        let key = Self::new(id, &bytes);
        bytes.zeroize();
        key
    }

    /// The id written beside the values this key seals.
    #[must_use]
    pub fn id(&self) -> u8 {
        self.id
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// How a store's values are sealed (ChaCha20-Poly1305: encrypted and authenticated,
/// bound to their key name), which every [`SharedStore`](super::SharedStore) needs: a
/// value is adopted only if it opens with one of these keys, so only the holders of a key
/// choose the fleet's tokens and cool-downs. Values are sealed with the current key and
/// opened with it or any previous one (by id), so a key is rotated by deploying the new
/// key as current with the old one as previous, then dropping the old one once its
/// values have expired. A value that does not open (plaintext, another key, tampered with,
/// moved from another key name) is refused: a miss, counted, never served.
#[derive(Debug)]
pub struct Sealing {
    pub(super) current: SealingKey,
    previous: Vec<SealingKey>,
}

impl Sealing {
    /// Seals with `current`.
    #[must_use]
    pub fn new(current: SealingKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// Also opens values sealed with `key` (a key being rotated out).
    ///
    /// # Errors
    ///
    /// [`SealingKeyError::DuplicateId`] when a key with `key`'s id is already there: values
    /// name their key by id, so two keys with one id could not both open theirs.
    pub fn with_previous(mut self, key: SealingKey) -> Result<Self, SealingKeyError> {
        if self.opener(key.id).is_some() {
            return Err(SealingKeyError::DuplicateId { id: key.id });
        }
        self.previous.push(key);
        Ok(self)
    }

    /// The key with id `id`, current or previous.
    pub(super) fn opener(&self, id: u8) -> Option<&SealingKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }
}
