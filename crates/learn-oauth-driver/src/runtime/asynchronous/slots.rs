//! The async flavour's bound on a pool's token requests in flight: Tokio's semaphore,
//! which queues tasks first come, first served.

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// At most `max` token requests in flight; the rest wait in line, each until its own
/// deadline.
// `pub`: the sealed `FlavorImpl` names it, and its items must be public; this module is
// private, so users cannot name it.
#[allow(unreachable_pub)]
pub struct FetchSlots {
    max: usize,
    semaphore: Arc<Semaphore>,
}

/// A slot taken: freed when dropped.
pub(crate) type Slot = OwnedSemaphorePermit;

impl FetchSlots {
    /// `max` slots (at least 1, at most what a Tokio semaphore holds).
    pub(crate) fn new(max: usize) -> Self {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            max,
            semaphore: Arc::new(Semaphore::new(max)),
        }
    }

    /// A slot, once the tasks ahead in line have had theirs and one frees. `None` once
    /// `expired` (the clock's sleep until the request's deadline) completes first (`None`:
    /// wait as long as it takes).
    pub(crate) async fn acquire(
        &self,
        expired: Option<Pin<Box<dyn Future<Output = ()> + Send + 'static>>>,
    ) -> Option<Slot> {
        let mut acquire = pin!(Arc::clone(&self.semaphore).acquire_owned());
        let Some(mut expired) = expired else {
            return acquire.await.ok();
        };
        std::future::poll_fn(|cx| {
            if let Poll::Ready(slot) = acquire.as_mut().poll(cx) {
                return Poll::Ready(slot.ok());
            }
            match expired.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}

impl fmt::Debug for FetchSlots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchSlots")
            .field("max", &self.max)
            .field("free", &self.semaphore.available_permits())
            .finish()
    }
}
