//! The token cache shared by invocations: one file per (token URL, client id, scopes)
//! in `$XDG_CACHE_HOME/learn-oauth/` (else `~/.cache/learn-oauth/`).
//!
//! - The file name is a hash of the key; neither the name nor the file holds a secret
//!   (the file holds the access token, its key, when it arrived, its lifetime, and the
//!   [`SecretBinding`] tag of the secret it was fetched with: a token is served only for
//!   that secret).
//! - The directory is opened once, never through a symbolic link, and checked on the open
//!   handle; every file is then reached relative to it. Its parent must be writable by
//!   this user (or root) alone, unless it is sticky like `/tmp`.
//! - Files are 0600 in a 0700 directory, written to a temporary file and renamed into
//!   place. A file (or directory) that group or others may access, or that another user
//!   owns, is refused and not read; a corrupt or truncated file is a miss and replaced.
//!   `cache clear` deletes only files whose name is the cache's and whose contents parse
//!   as an entry (and unheld empty lock files).
//! - A token is reused until its refresh point under the lifecycle's
//!   [`RefreshPolicy`](learn_oauth::RefreshPolicy) (`refresh_after`, without jitter).
//! - Invocations that miss at once share one fetch through an advisory lock (`flock`)
//!   on a lock file beside the entry; the holder's crash releases it, and a waiter gives
//!   up waiting after the policy's `max_wait` and fetches itself.
//!
//! Unix only: elsewhere every invocation fetches its own token.

mod binding;
mod entry;
mod error;
mod key;
mod names;
#[cfg(unix)]
mod store;
#[cfg(not(unix))]
#[path = "unsupported.rs"]
mod store;

use std::ffi::OsString;
use std::path::PathBuf;

pub(crate) use binding::SecretBinding;
pub(crate) use entry::{Entry, Freshness, Load};
pub(crate) use error::CacheError;
pub(crate) use key::CacheKey;
pub(crate) use store::Cache;

/// The cache directory: `$XDG_CACHE_HOME/learn-oauth`, else `$HOME/.cache/learn-oauth`.
#[must_use]
pub(crate) fn cache_dir(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    crate::paths::xdg_dir(env, "XDG_CACHE_HOME", ".cache").map(|dir| dir.join("learn-oauth"))
}
