//! The blocking flavour's loop: callers are threads.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use learn_oauth_proto::{AccessToken, DriverStep, Error, FetchId};

use crate::clock::BlockingClock;
use crate::flavor::Blocking;
use crate::provider::{Provider, ProviderBuilder};
use crate::report::FetchReport;
use crate::transport::{SendBlocking, exchange_blocking};

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
        let now = self.shared.now();
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
        let shared = &*self.shared;
        // The lock is held from asking until waiting, so no report slips in between; it
        // is released for I/O and sleeps.
        let mut lifecycle = shared.lifecycle.lock();
        loop {
            let (step, fetch_deadline) = lifecycle.poll_driver(shared.now(), since);
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
                    let report = FetchReport::new(Arc::clone(&self.shared), fetch, fetch_deadline, false);
                    if inline {
                        fetch_and_report(report);
                    } else {
                        spawn_or_run(report);
                    }
                    lifecycle = shared.lifecycle.lock();
                }
                DriverStep::Sleep(deadline) => {
                    drop(lifecycle);
                    shared.clock.sleep_until(deadline);
                    lifecycle = shared.lifecycle.lock();
                }
                // A request is in flight: wait for its report, but not past the core's
                // next deadline (at the latest the request's timeout, after which it
                // counts as timed out, or the end of this call's wait), so a request that
                // never reports cannot strand its waiters. `deadline` is after the `now` just passed, so this never
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
    fn spawn_fetch(&self, fetch: FetchId, deadline: Option<Instant>) {
        spawn_fetch(FetchReport::new(Arc::clone(&self.shared), fetch, deadline, true));
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
/// reports it as failed, when the report is dropped).
fn fetch_and_report<T: SendBlocking>(report: FetchReport<Blocking<T>>) {
    let shared = report.shared();
    let result = match &shared.store {
        Some(store) => store.fetch(shared, report.deadline()),
        None => exchange_blocking(
            &shared.transport,
            shared.lifecycle.config(),
            report.timeout(),
            || shared.now(),
        ),
    };
    report.send(result);
}

impl<T: SendBlocking> ProviderBuilder<Blocking<T>> {
    /// The clock to read and sleep on. Default: [`SystemClock`](crate::SystemClock).
    pub fn clock(mut self, clock: impl BlockingClock) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}
