//! A clock that moves only when told to.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A virtual clock: it starts at the real `now` and moves only when a test advances it
/// or when a provider sleeps on it, which jumps straight to the deadline. Clones share
/// the same time.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: Instant,
    offset: Arc<Mutex<Duration>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtualClock {
    /// A clock reading the real time now, until it is moved.
    #[must_use]
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            offset: Arc::default(),
        }
    }

    /// The virtual time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    /// How far virtual time has moved since the clock was made.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }

    /// Moves to `deadline` if it is later than now (what a provider's sleep does).
    pub fn jump_to(&self, deadline: Instant) {
        let mut offset = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
        *offset = (*offset).max(deadline.saturating_duration_since(self.start));
    }
}

impl learn_oauth_driver::Clock for VirtualClock {
    fn now(&self) -> Instant {
        VirtualClock::now(self)
    }
}

/// Sleeping jumps straight to the deadline: the sleeper is the one moving time.
impl learn_oauth_driver::BlockingClock for VirtualClock {
    fn sleep_until(&self, deadline: Instant) {
        self.jump_to(deadline);
    }
}

/// A sleep first lets every other ready task run once (so a request that is about to
/// be reported is, and ends the wait), then jumps to the deadline: for async providers
/// driven from many short-lived runtimes, where Tokio's paused clock (one per runtime)
/// cannot follow.
impl learn_oauth_driver::AsyncClock for VirtualClock {
    fn sleep_until(&self, deadline: Instant) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        let clock = self.clone();
        let mut yielded = false;
        Box::pin(std::future::poll_fn(move |cx| {
            if yielded {
                clock.jump_to(deadline);
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }))
    }
}
