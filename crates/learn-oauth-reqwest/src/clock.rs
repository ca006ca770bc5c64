//! The provider's clock: the one place this crate reads the time (and draws the jitter
//! seed).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// Where a [`TokenProvider`](crate::TokenProvider) reads the time and how it sleeps until
/// a deadline (a backoff, a `Retry-After`).
///
/// The default, [`TokioClock`], follows Tokio's clock, so `tokio::time::pause` works for
/// code that does no network I/O. Tests that talk to a real socket want a virtual clock
/// instead: a paused Tokio clock jumps ahead whenever the runtime waits on I/O, which
/// fires HTTP timeouts at once. Implement this trait to inject one.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> Instant;

    /// Completes once [`now`](Clock::now) has reached `deadline`.
    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// Tokio's clock: `tokio::time::Instant::now()` and `tokio::time::sleep_until`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio_now()
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
    }
}

/// The time on Tokio's clock, as a `std` instant.
pub(crate) fn tokio_now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// A per-process random jitter seed, from the standard library's hash keys (the core
/// never draws random numbers).
pub(crate) fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(0x6c65_6172_6e5f_6f61_u64)
}
