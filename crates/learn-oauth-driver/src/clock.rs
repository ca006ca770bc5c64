//! Where a provider reads the time and how it sleeps: the one place the driver layer
//! touches a clock (and draws the jitter seed).

use std::fmt;
use std::time::Instant;

/// Where a provider reads the time. Every flavour's clock has this; how it *sleeps* is
/// the flavour's own ([`BlockingClock`](crate::BlockingClock), `AsyncClock`).
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> Instant;
}

/// A per-process random jitter seed, from the standard library's hash keys (the core
/// never draws random numbers).
pub(crate) fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(0x6c65_6172_6e5f_6f61_u64)
}
