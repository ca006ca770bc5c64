//! The CLI's cache entry code, compiled here from the CLI's own source files (the CLI is
//! a binary crate, with no library to depend on): the entry format and its parser
//! (`entry.rs`), the secret binding (`binding.rs`), the key (`key.rs`) and the cache's
//! error type (`error.rs`, which `Load` carries). `entry.rs` also reads the CLI's time
//! helpers as `crate::time` (see this crate's root). What the fuzz targets do not call
//! is dead code here.
#![allow(dead_code)]

#[path = "../../../crates/learn-oauth-cli/src/cache/binding.rs"]
pub mod binding;
#[path = "../../../crates/learn-oauth-cli/src/cache/entry.rs"]
pub mod entry;
#[path = "../../../crates/learn-oauth-cli/src/cache/error.rs"]
pub mod error;
#[path = "../../../crates/learn-oauth-cli/src/cache/key.rs"]
pub mod key;
