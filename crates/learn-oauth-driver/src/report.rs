//! The duty to report one request, discharged even when the request is abandoned.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, Error, FetchId, TransportError, TransportErrorKind};

use crate::provider::Inner;
use crate::runtime::Flavor;

/// The duty to report request `fetch` to a provider's lifecycle: done by
/// [`send`](Self::send), or on drop, so the lifecycle never waits for a request nobody
/// will finish. Dropped while a panic unwinds (a transport with a bug), the request
/// counts as failed, and the lifecycle backs off; dropped otherwise (its task was
/// cancelled, its runtime shut down), it was abandoned, which costs no backoff, and the
/// next caller may start a new one at once. Either way, waiting callers are woken.
#[must_use = "a request's result is reported by .send(); dropping the report fails the request"]
pub(crate) struct FetchReport<F: Flavor> {
    inner: Arc<Inner<F>>,
    fetch: Option<FetchId>,
    /// How long the transport may take: until the lifecycle's deadline for the request
    /// (the policy's `request_timeout` after it started).
    timeout: Duration,
    /// When it started, on the provider's clock.
    started: Instant,
    /// When the lifecycle gives up on it (`None`: never); a request through a shared
    /// store keeps to it.
    #[cfg(feature = "store")]
    deadline: Option<Instant>,
}

impl<F: Flavor> FetchReport<F> {
    /// Takes on the duty to report `fetch`, a request `inner`'s lifecycle handed out (a refresh
    /// ahead of expiry if `refresh_ahead`), and counts it as started.
    /// `deadline` is when the lifecycle gives up on the request (`None`: never).
    pub(crate) fn new(
        inner: Arc<Inner<F>>,
        fetch: FetchId,
        deadline: Option<Instant>,
        refresh_ahead: bool,
    ) -> Self {
        let started = inner.now();
        let timeout = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(started));
        inner.fetch_started(refresh_ahead);
        Self {
            inner,
            fetch: Some(fetch),
            timeout,
            started,
            #[cfg(feature = "store")]
            deadline,
        }
    }

    /// How long the transport may take for this request.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// When the lifecycle gives up on this request (`None`: never).
    #[cfg(feature = "store")]
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The provider the request belongs to.
    pub(crate) fn provider(&self) -> &Inner<F> {
        &self.inner
    }

    /// Reports the request's result at the provider's current time, then wakes waiting
    /// callers.
    pub(crate) fn send(mut self, result: Result<AccessToken, Error>) {
        self.report(result);
    }

    fn report(&mut self, result: Result<AccessToken, Error>) {
        let Some(fetch) = self.fetch.take() else { return };
        self.inner.report(fetch, result, self.started);
    }
}

impl<F: Flavor> Drop for FetchReport<F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.report(Err(Error::from(TransportError::new(TransportErrorKind::Other))));
        } else if let Some(fetch) = self.fetch.take() {
            self.inner.abandon(fetch);
        }
    }
}

impl<F: Flavor> fmt::Debug for FetchReport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchReport")
            .field("fetch", &self.fetch)
            .field("timeout", &self.timeout)
            .finish()
    }
}
