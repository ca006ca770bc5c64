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
    /// When it was sent (or handed out, until then), on the provider's clock.
    started: Instant,
    /// When the lifecycle gives up on it (`None`: never): the policy's `request_timeout`
    /// after it was handed out. The transport gets the time left until then, and a
    /// request waiting for a pool's slot waits no longer.
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
        inner.fetch_started(refresh_ahead);
        Self {
            inner,
            fetch: Some(fetch),
            started,
            deadline,
        }
    }

    /// How long the transport may take for this request: what is left until its
    /// deadline, from when it was sent.
    pub(crate) fn timeout(&self) -> Duration {
        self.deadline
            .map_or(Duration::MAX, |d| d.saturating_duration_since(self.started))
    }

    /// When the lifecycle gives up on this request (`None`: never).
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The request got its pool's slot (at once, or after waiting in line): it is sent
    /// now, with what is left until its deadline.
    pub(crate) fn admitted(&mut self) {
        self.started = self.inner.now();
    }

    /// The request's deadline passed while it waited for its pool's slot: it is reported
    /// as timed out, as the lifecycle counts a request nobody answered by then.
    pub(crate) fn expired_in_line(self) {
        self.send(Err(Error::from(TransportError::new(TransportErrorKind::Timeout))));
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
            .field("deadline", &self.deadline)
            .finish()
    }
}
