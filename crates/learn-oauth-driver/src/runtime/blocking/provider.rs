//! The blocking flavour's loop: callers are threads.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use std::future::Future;

use learn_oauth_proto::{AccessToken, DriverStep, Error, FetchId};

use super::Blocking;
use super::BlockingClock;
use super::{SendBlocking, exchange};
use crate::provider::{Provider, ProviderBuilder};
use crate::report::FetchReport;
use crate::source::{BlockingTokenSource, TokenSource};

impl<T: SendBlocking> Provider<Blocking<T>> {
    /// A usable access token: the current one while it is fresh, otherwise the result of
    /// the one request in flight (sent from this thread if none is, or from a thread of
    /// its own when it may take longer than this call may still wait).
    ///
    /// Returns within [`RefreshPolicy::max_wait`](learn_oauth_proto::RefreshPolicy::max_wait)
    /// of the call (plus scheduling slack), whatever other callers do meanwhile.
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up or this call's
    /// wait ends (the last failure, or a transport timeout when none failed).
    #[inline]
    pub fn token(&self) -> Result<AccessToken, Error> {
        let now = self.inner.now();
        match self.fresh_token_at(now) {
            Some(token) => Ok(token),
            None => self.token_slow(now),
        }
    }

    /// [`token`](Self::token) for a call that began at `since` (a pool's, which read the
    /// clock already): its wait ends `max_wait` after `since`.
    pub(crate) fn token_since(&self, since: Instant) -> Result<AccessToken, Error> {
        match self.fresh_token() {
            Some(token) => Ok(token),
            None => self.token_slow(since),
        }
    }

    #[cold]
    #[inline(never)]
    fn token_slow(&self, since: Instant) -> Result<AccessToken, Error> {
        let inner = &*self.inner;
        // The lock is held from asking until waiting, so no report slips in between; it
        // is released for I/O and sleeps.
        let mut lifecycle = inner.lifecycle.lock();
        loop {
            let (step, fetch_deadline) = lifecycle.poll_driver(inner.now(), since);
            match step {
                DriverStep::Ready { token, refresh } => {
                    drop(lifecycle);
                    if let Some(fetch) = refresh {
                        self.spawn_fetch(fetch, fetch_deadline);
                    }
                    return Ok(token);
                }
                DriverStep::Failed(error) => return Err(error),
                // Sent from this thread when the request ends before this call's wait
                // does; otherwise from a thread of its own, and this call waits for its
                // report like any other caller (and stops waiting when its wait ends).
                DriverStep::Fetch(fetch) => {
                    let inline = !beyond(fetch_deadline, lifecycle.wait_deadline(since));
                    drop(lifecycle);
                    let report = FetchReport::new(Arc::clone(&self.inner), fetch, fetch_deadline, false);
                    if inline {
                        fetch_and_report(report);
                    } else {
                        spawn_or_run(report);
                    }
                    lifecycle = inner.lifecycle.lock();
                }
                DriverStep::Sleep(deadline) => {
                    drop(lifecycle);
                    inner.clock.sleep_until(deadline);
                    lifecycle = inner.lifecycle.lock();
                }
                // A request is in flight: wait for its report, but not past the core's
                // next deadline (at the latest the request's timeout, after which it
                // counts as timed out, or the end of this call's wait), so a request that
                // never reports cannot strand its waiters. `deadline` is after the `now` just passed, so this never
                // spins. The wait is the clock's span until the deadline; a report ends
                // it early, which is what normally happens.
                DriverStep::AwaitFetch(deadline) => {
                    let wait = deadline.saturating_duration_since(inner.now());
                    lifecycle = lifecycle.wait(&inner.signal, wait);
                }
            }
        }
    }

    /// Runs request `fetch` on a background thread (a refresh ahead of expiry).
    fn spawn_fetch(&self, fetch: FetchId, deadline: Option<Instant>) {
        spawn_fetch(FetchReport::new(Arc::clone(&self.inner), fetch, deadline, true));
    }
}

/// Runs the request `report` stands for on a background thread. If the thread cannot
/// start, the closure is dropped and with it the report, which abandons the request: the
/// next caller tries again.
fn spawn_fetch<T: SendBlocking>(report: FetchReport<Blocking<T>>) {
    let _detached = std::thread::Builder::new()
        .name("learn-oauth-fetch".into())
        .spawn(move || fetch_and_report(report));
}

/// Runs the request `report` stands for on a background thread, or on this one when no
/// thread can start (then this call may wait longer than `max_wait`, rather than fail a
/// request it could send).
fn spawn_or_run<T: SendBlocking>(report: FetchReport<Blocking<T>>) {
    let slot = Arc::new(Mutex::new(Some(report)));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("learn-oauth-fetch".into())
        .spawn(move || {
            if let Some(report) = take(&theirs) {
                fetch_and_report(report);
            }
        });
    if spawned.is_err()
        && let Some(report) = take(&slot)
    {
        fetch_and_report(report);
    }
}

fn take<R>(slot: &Mutex<Option<R>>) -> Option<R> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Whether `a` is later than `b`, where `None` is never.
fn beyond(a: Option<Instant>, b: Option<Instant>) -> bool {
    match (a, b) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a > b,
    }
}

/// Sends the request `report` stands for and reports its result (a panic on the way
/// reports it as failed, when the report is dropped). A pool's entry first takes a slot
/// of the pool's bound, waiting in line until the request's deadline at most.
fn fetch_and_report<T: SendBlocking>(mut report: FetchReport<Blocking<T>>) {
    let _slot = match report.provider().slots.clone() {
        None => None,
        Some(slots) => match slots.acquire(|| report.provider().now(), report.deadline()) {
            Some(slot) => {
                report.admitted();
                Some(slot)
            }
            None => return report.expired_in_line(),
        },
    };
    let inner = report.provider();
    #[cfg(feature = "store")]
    if let Some(store) = &inner.store {
        let result = store.fetch(inner, report.deadline());
        report.send(result);
        return;
    }
    let result = exchange(
        &inner.transport,
        inner.lifecycle.config(),
        report.timeout(),
        || inner.now(),
    );
    report.send(result);
}

impl<T: SendBlocking> ProviderBuilder<Blocking<T>> {
    /// The clock to read and sleep on. Default: [`SystemClock`](super::SystemClock).
    pub fn clock(mut self, clock: impl BlockingClock) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}

/// A blocking provider used from async code: the warm path answers on the first poll; a
/// caller that must wait for a request waits on Tokio's blocking pool
/// (`spawn_blocking`) when it runs inside a Tokio runtime (feature `async`), so it never
/// stalls the runtime's workers. Outside one, or without the `async` feature, it waits on
/// the polling thread, as [`Provider::token`] does.
impl<T: SendBlocking> TokenSource for Provider<Blocking<T>> {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        let warm = self.fresh_token();
        async move {
            match warm {
                Some(token) => Ok(token),
                None => self.token_off_the_runtime().await,
            }
        }
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}

impl<T: SendBlocking> Provider<Blocking<T>> {
    async fn token_off_the_runtime(&self) -> Result<AccessToken, Error> {
        #[cfg(feature = "async")]
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let provider = self.clone();
            return match runtime.spawn_blocking(move || provider.token()).await {
                Ok(result) => result,
                Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
                // The runtime is shutting down: no answer is coming.
                Err(_) => Err(Error::from(learn_oauth_proto::TransportError::new(
                    learn_oauth_proto::TransportErrorKind::Other,
                ))),
            };
        }
        self.token()
    }
}

impl<T: SendBlocking> BlockingTokenSource for Provider<Blocking<T>> {
    fn token(&self) -> Result<AccessToken, Error> {
        Provider::<Blocking<T>>::token(self)
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}
