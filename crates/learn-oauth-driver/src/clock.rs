//! Where a provider reads the time and how it sleeps: the one place the driver layer
//! touches a clock (and draws the jitter seed).

use std::fmt;
use std::time::Instant;

/// Where a provider reads the time. Every flavour's clock has this; how it *sleeps* is
/// the flavour's own ([`BlockingClock`], `AsyncClock`).
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> Instant;
}

/// A clock a blocking provider reads and sleeps on (a backoff, a `Retry-After`). Inject
/// a virtual one in tests to jump over waits instead of sleeping through them.
pub trait BlockingClock: Clock {
    /// Blocks the calling thread until [`now`](Clock::now) has reached `deadline`.
    fn sleep_until(&self, deadline: Instant);
}

/// The system's monotonic clock and `std::thread::sleep`: the blocking flavour's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl BlockingClock for SystemClock {
    fn sleep_until(&self, deadline: Instant) {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    }
}

#[cfg(feature = "async")]
pub use self::tokio_clock::{AsyncClock, TokioClock};

#[cfg(feature = "async")]
mod tokio_clock {
    use std::future::Future;
    use std::pin::Pin;
    use std::time::Instant;

    use super::Clock;

    /// A clock an async provider reads and sleeps on (a backoff, a `Retry-After`, the
    /// wait for a request in flight).
    ///
    /// The default, [`TokioClock`], follows Tokio's clock, so `tokio::time::pause` (with
    /// Tokio's `test-util` feature) runs a provider on virtual time: with a transport that
    /// does no real I/O, every wait is skipped deterministically.
    pub trait AsyncClock: Clock {
        /// Completes once [`now`](Clock::now) has reached `deadline`.
        fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
    }

    /// Tokio's clock: `tokio::time::Instant::now()` and `tokio::time::sleep_until`. The
    /// async flavour's default.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TokioClock;

    impl Clock for TokioClock {
        #[inline]
        fn now(&self) -> Instant {
            tokio::time::Instant::now().into_std()
        }
    }

    impl AsyncClock for TokioClock {
        fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
            Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
        }
    }
}

/// A per-process random jitter seed, from the standard library's hash keys (the core
/// never draws random numbers).
pub(crate) fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(0x6c65_6172_6e5f_6f61_u64)
}
