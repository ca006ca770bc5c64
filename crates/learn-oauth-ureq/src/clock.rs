//! The provider's clock: the one place this crate reads the time (and draws the jitter
//! seed).

use std::fmt;
use std::time::Instant;

/// Where a [`TokenProvider`](crate::TokenProvider) reads the time and how it sleeps until
/// a deadline (a backoff, a `Retry-After`). Inject a virtual clock in tests to jump over
/// waits instead of sleeping through them.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> Instant;

    /// Blocks the calling thread until [`now`](Clock::now) has reached `deadline`.
    fn sleep_until(&self, deadline: Instant);
}

/// The system's monotonic clock and `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        system_now()
    }

    fn sleep_until(&self, deadline: Instant) {
        std::thread::sleep(deadline.saturating_duration_since(system_now()));
    }
}

/// The time on the system's monotonic clock.
pub(crate) fn system_now() -> Instant {
    Instant::now()
}

/// A per-process random jitter seed, from the standard library's hash keys (the core
/// never draws random numbers).
pub(crate) fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(0x6c65_6172_6e5f_6f61_u64)
}
