//! The token cache shared by invocations: a `learn_oauth::file::FileStore` in
//! `$XDG_CACHE_HOME/learn-oauth/` (else `~/.cache/learn-oauth/`), through which the
//! blocking provider shares tokens between invocations of this user.
//!
//! - The store's file names are digests of what identifies a token (token URL, tenant,
//!   client id, scopes); its files hold sealed values (ChaCha20-Poly1305), never a secret.
//! - The sealing key is derived from a random key in a 0600 file of the directory and the
//!   client secret (`FileStore::sealing_key`): a token is served only for the secret it
//!   was fetched with; after a secret is rotated or mistyped, the cached value does not
//!   open, and the endpoint is asked.
//! - The directory is opened once, never through a symbolic link, and checked on the open
//!   handle; every file is then reached relative to it. Its parent must be writable by
//!   this user (or root) alone, unless it is sticky like `/tmp`. Files are 0600 in a 0700
//!   directory; one that is not private is refused unread (a warning) and replaced.
//! - A token is taken from the cache while it has more left than the widest refresh
//!   window of the [`RefreshPolicy`](learn_oauth::RefreshPolicy); invocations that miss at
//!   once share one request through the store's lease (an `flock` the kernel releases if
//!   its holder dies; one past its end is taken over).
//!
//! Unix only: elsewhere every invocation fetches its own token.

mod error;

use std::ffi::OsString;
use std::path::PathBuf;

pub(crate) use error::CacheError;
use learn_oauth::file::FileStore;

/// The cache directory: `$XDG_CACHE_HOME/learn-oauth`, else `$HOME/.cache/learn-oauth`.
#[must_use]
pub(crate) fn cache_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    crate::paths::xdg_dir(env, "XDG_CACHE_HOME", ".cache").map(|dir| dir.join("learn-oauth"))
}

/// The cache directory, opened and checked.
///
/// # Errors
///
/// [`CacheError::NoDir`], or what [`FileStore::open`] says.
pub(crate) fn open_cache(env: &dyn Fn(&str) -> Option<OsString>) -> Result<FileStore, CacheError> {
    Ok(FileStore::open(cache_dir(env).ok_or(CacheError::NoDir)?)?)
}
