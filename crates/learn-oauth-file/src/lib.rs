//! # learn-oauth-file
//!
//! A [shared store](learn_oauth_driver::store) in a directory, for `learn-oauth` on one
//! host without Redis: preforked workers, cron jobs and shell scripts on one machine make
//! about one token request per refresh period between them instead of one each, with a
//! host-wide cool-down when the token endpoint answers 429, and each process falling back
//! to its own request, within a bounded time, when another one hangs or dies.
//!
//! ```no_run
//! use learn_oauth_driver::store::{Sealing, SealingKey, SharedStore};
//! use learn_oauth_file::FileStore;
//! # fn key_from_your_secret_manager() -> String { String::new() }
//!
//! let files = FileStore::open("/var/cache/my-service/tokens")?; // created 0700 if need be
//! let key = SealingKey::from_base64(1, &key_from_your_secret_manager())?;
//! let store = SharedStore::blocking(files, Sealing::new(key));
//! // ProviderBuilder::shared_store(store) or PoolBuilder::shared_store(store)
//! # let _ = store;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What the directory holds, per token (`<hash>` is a digest of the store key name, which
//! is itself a digest of token URL, tenant, client id and scopes: no secret is in any
//! file name or file):
//!
//! | file | holds | expires |
//! |---|---|---|
//! | `<hash>.value` (the token's key) | the token, sealed with your key, with its expiry and issue time inside | with the token (this host's clock, written in the file) |
//! | `<hash>.value` (the cool-down's key) | a sealed marker with its end inside | the endpoint's `Retry-After` |
//! | `<hash>.lock` | the lease: `flock`ed by its holder, its owner and end inside | the request deadline + 1 s |
//! | `<hash>.guard` | nothing: `flock`ed while a lease is taken | — |
//!
//! **Who can do what.** Files are 0600 in a 0700 directory of the user, never reached
//! through a symbolic link: another local user can do nothing to the store, and a file
//! that is not private is never read (it is passed on as an unusable value, which the
//! provider refuses and counts). The user's own processes share the store; without your
//! sealing key, even they cannot make a provider adopt a token they wrote.
//!
//! **A holder that dies or hangs.** The kernel releases a dead holder's `flock` at once;
//! a holder alive but stuck past its lease's end has its lease file replaced. Every wait
//! for another process's lock is polled and bounded by the store policy's `op_timeout`.
//!
//! **Blocking only.** [`FileStore`] implements
//! [`BlockingStore`](learn_oauth_driver::store::BlockingStore); there is no async
//! adapter (the driver has no bridge from a blocking store to `AsyncStore`). **Unix
//! only**: elsewhere [`FileStore::open`] fails with [`FileStoreError::Unsupported`].
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(unix)]
mod checks;
#[cfg(unix)]
mod dir;
mod error;
#[cfg(unix)]
mod key;
#[cfg(unix)]
mod lease;
#[cfg(unix)]
mod names;
#[cfg(unix)]
mod record;
#[cfg(unix)]
mod store;
#[cfg(not(unix))]
#[path = "unsupported.rs"]
mod store;

pub use error::{FileStoreError, Untrusted};
pub use store::FileStore;
