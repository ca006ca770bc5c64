//! The async flavour's loop: callers are Tokio tasks.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use learn_oauth_proto::{AccessToken, DriverStep, Error, FetchId};

use super::Async;
use super::AsyncClock;
use super::{SendAsync, exchange};
use crate::provider::{Provider, ProviderBuilder};
use crate::report::FetchReport;
use crate::source::TokenSource;

/// The slow path's future, boxed so the warm path's future stays small.
type SlowPath<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

impl<T: SendAsync> Provider<Async<T>> {
    /// A usable access token: the current one while it is fresh, otherwise the result of
    /// the one request in flight (started by this call if none is).
    ///
    /// The warm path completes on the first poll without allocating; only a caller that
    /// must wait builds the waiting state. Poll it inside a Tokio runtime: requests run
    /// as Tokio tasks, so a caller that is cancelled mid-wait never cancels a request
    /// others wait for.
    ///
    /// Completes within [`RefreshPolicy::max_wait`](learn_oauth_proto::RefreshPolicy::max_wait)
    /// of its first poll (plus scheduling slack), whatever other callers do meanwhile.
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up or this call's
    /// wait ends (the last failure, or a transport timeout when none failed).
    #[inline]
    pub fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send + '_ {
        TokenFuture {
            provider: self,
            since: None,
            slow: None,
        }
    }

    /// [`token`](Self::token) for a call that began at `since` (a pool's, which read the
    /// clock already): its wait ends `max_wait` after `since`.
    pub(crate) fn token_since(
        &self,
        since: Instant,
    ) -> impl Future<Output = Result<AccessToken, Error>> + Send + '_ {
        TokenFuture {
            provider: self,
            since: Some(since),
            slow: None,
        }
    }

    #[cold]
    #[inline(never)]
    fn token_slow(&self, since: Instant) -> SlowPath<'_> {
        Box::pin(async move {
            let inner = &*self.inner;
            loop {
                // Registered before asking, so a report between the answer and the wait
                // still wakes this caller.
                let mut reported = pin!(inner.signal.notified());
                reported.as_mut().enable();
                let (step, fetch_deadline) = inner.lifecycle.lock().poll_driver(inner.now(), since);
                match step {
                    DriverStep::Ready { token, refresh } => {
                        if let Some(fetch) = refresh {
                            self.spawn_fetch(fetch, fetch_deadline, true);
                        }
                        return Ok(token);
                    }
                    DriverStep::Failed(error) => return Err(error),
                    DriverStep::Fetch(fetch) => self.spawn_fetch(fetch, fetch_deadline, false),
                    // A retry is scheduled, or a request is in flight: wait for a report,
                    // but not past the core's next deadline (for a request in flight, at
                    // the latest its timeout, after which it counts as timed out; never
                    // past the end of this call's wait), on the injected clock.
                    DriverStep::Sleep(deadline) | DriverStep::AwaitFetch(deadline) => {
                        let mut deadline = inner.clock.sleep_until(deadline);
                        std::future::poll_fn(|cx| {
                            if reported.as_mut().poll(cx).is_ready() || deadline.as_mut().poll(cx).is_ready()
                            {
                                Poll::Ready(())
                            } else {
                                Poll::Pending
                            }
                        })
                        .await;
                    }
                }
            }
        })
    }

    /// Runs request `fetch` in its own task. The report goes with the task: if the task
    /// is cancelled (its runtime shuts down), dropping it abandons the request, and the
    /// next caller, on whatever runtime, starts a new one at once. A pool's entry first
    /// takes a slot of the pool's bound, waiting in line until the request's deadline at
    /// most.
    fn spawn_fetch(&self, fetch: FetchId, deadline: Option<Instant>, refresh_ahead: bool) {
        let mut report = FetchReport::new(Arc::clone(&self.inner), fetch, deadline, refresh_ahead);
        tokio::spawn(async move {
            let _slot = match report.provider().slots.clone() {
                None => None,
                Some(slots) => {
                    let expired = report.deadline().map(|d| report.provider().clock.sleep_until(d));
                    match slots.acquire(expired).await {
                        Some(slot) => {
                            report.admitted();
                            Some(slot)
                        }
                        None => return report.expired_in_line(),
                    }
                }
            };
            let inner = report.provider();
            #[cfg(feature = "store")]
            if let Some(store) = &inner.store {
                let result = store.fetch(inner, report.deadline()).await;
                report.send(result);
                return;
            }
            let result = exchange(
                &inner.transport,
                inner.lifecycle.config(),
                report.timeout(),
                || inner.now(),
            )
            .await;
            report.send(result);
        });
    }
}

/// What [`Provider::token`] returns: the warm path on the first poll, else the boxed
/// slow path, whose wait ends `max_wait` after `since` (the first poll, by default).
struct TokenFuture<'a, T: SendAsync> {
    provider: &'a Provider<Async<T>>,
    since: Option<Instant>,
    slow: Option<SlowPath<'a>>,
}

impl<T: SendAsync> Future for TokenFuture<'_, T> {
    type Output = Result<AccessToken, Error>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(slow) = &mut this.slow {
            return slow.as_mut().poll(cx);
        }
        let now = this.provider.inner.now();
        if let Some(token) = this.provider.fresh_token_at(now) {
            return Poll::Ready(Ok(token));
        }
        let since = this.since.unwrap_or(now);
        this.slow
            .insert(this.provider.token_slow(since))
            .as_mut()
            .poll(cx)
    }
}

impl<T: SendAsync> ProviderBuilder<Async<T>> {
    /// The clock to read and sleep on. Default: [`TokioClock`](super::TokioClock).
    pub fn clock(mut self, clock: impl AsyncClock) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}

impl<T: SendAsync> TokenSource for Provider<Async<T>> {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        self.token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}
