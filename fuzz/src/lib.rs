//! The fuzz targets' input formats and invariant checks, shared by the `fuzz_targets/`
//! binaries and by this crate's tests (which replay every committed seed on stable).
//!
//! - [`response`]: an arbitrary HTTP response (status, headers, body) through
//!   `ClientConfig::parse_response`.
//! - [`config`]: arbitrary configuration inputs through `ClientConfig::builder` and the
//!   token request.
//! - [`lifecycle`]: arbitrary event sequences through `TokenLifecycle`, checked by the
//!   core's own invariant checker.
//! - [`store_value`]: bytes from the shared store through the value decoder a replica
//!   runs after each read (the driver's `store::fuzzing`, feature `fuzzing`).
//!
//! The CLI's token cache is the file shared store, whose values are the store values
//! [`store_value`] covers.
#![allow(clippy::disallowed_methods)] // the targets need one real `Instant` as an origin

pub mod config;
pub mod lifecycle;
pub mod response;
pub mod store_value;

use std::sync::OnceLock;
use std::time::Instant;

/// One origin for every run: all instants a target uses are offsets from it.
pub fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

/// Whether `text` contains `needle`; for assertion messages that must not print both.
pub fn shows(text: &str, needle: &str) -> bool {
    !needle.is_empty() && text.contains(needle)
}
