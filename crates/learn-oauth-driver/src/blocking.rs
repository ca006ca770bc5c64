//! The blocking flavour's loop: callers are threads.

use std::sync::Arc;

use learn_oauth_proto::{AccessToken, DriverStep, Error, FetchId};

use crate::clock::BlockingClock;
use crate::flavor::Blocking;
use crate::provider::{Provider, ProviderBuilder};
use crate::report::FetchReport;
use crate::transport::{SendBlocking, exchange_blocking};

impl<T: SendBlocking> Provider<Blocking<T>> {
    /// A usable access token: the current one while it is fresh, otherwise the result of
    /// the one request in flight (sent from this thread if none is).
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up.
    #[inline]
    pub fn token(&self) -> Result<AccessToken, Error> {
        match self.fresh_token() {
            Some(token) => Ok(token),
            None => self.token_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn token_slow(&self) -> Result<AccessToken, Error> {
        let shared = &*self.shared;
        // The lock is held from asking until waiting, so no report slips in between; it
        // is released for I/O and sleeps.
        let mut lifecycle = shared.lifecycle.lock();
        loop {
            let (step, fetch_deadline) = lifecycle.poll_driver(shared.now());
            match step {
                DriverStep::Ready { token, refresh } => {
                    drop(lifecycle);
                    if let Some(fetch) = refresh {
                        self.spawn_fetch(fetch, fetch_deadline);
                    }
                    return Ok(token);
                }
                DriverStep::Failed(error) => return Err(error),
                DriverStep::Fetch(fetch) => {
                    drop(lifecycle);
                    fetch_and_report(FetchReport::new(
                        Arc::clone(&self.shared),
                        fetch,
                        fetch_deadline,
                        false,
                    ));
                    lifecycle = shared.lifecycle.lock();
                }
                DriverStep::Sleep(deadline) => {
                    drop(lifecycle);
                    shared.clock.sleep_until(deadline);
                    lifecycle = shared.lifecycle.lock();
                }
                // A request is in flight: wait for its report, but not past the core's
                // next deadline (at the latest the request's fetch timeout, after which
                // it counts as timed out), so a request that never reports cannot strand
                // its waiters. `deadline` is after the `now` just passed, so this never
                // spins. The wait is the clock's span until the deadline; a report ends
                // it early, which is what normally happens.
                DriverStep::AwaitFetch(deadline) => {
                    let wait = deadline.saturating_duration_since(shared.now());
                    lifecycle = lifecycle.wait(&shared.signal, wait);
                }
            }
        }
    }

    /// Runs request `fetch` on a background thread (a refresh ahead of expiry).
    fn spawn_fetch(&self, fetch: FetchId, deadline: Option<std::time::Instant>) {
        let report = FetchReport::new(Arc::clone(&self.shared), fetch, deadline, true);
        // If the thread cannot start, the closure is dropped and with it the report,
        // which abandons the request: the next caller tries again.
        let _detached = std::thread::Builder::new()
            .name("learn-oauth-refresh".into())
            .spawn(move || fetch_and_report(report));
    }
}

/// Sends the request `report` stands for and reports its result (a panic on the way
/// reports it as failed, when the report is dropped).
fn fetch_and_report<T: SendBlocking>(report: FetchReport<Blocking<T>>) {
    let shared = report.shared();
    #[cfg(feature = "store")]
    if let Some(store) = &shared.store {
        let result = store.fetch(shared, report.deadline());
        report.send(result);
        return;
    }
    let result = exchange_blocking(
        &shared.transport,
        shared.lifecycle.config(),
        report.timeout(),
        || shared.now(),
    );
    report.send(result);
}

impl<T: SendBlocking> ProviderBuilder<Blocking<T>> {
    /// The clock to read and sleep on. Default: [`SystemClock`](crate::SystemClock).
    pub fn clock(mut self, clock: impl BlockingClock) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}
