//! The duty to report one request, discharged even when the request is abandoned.

use std::sync::Arc;
use std::time::Instant;

use super::shared::SharedLifecycle;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::lifecycle::FetchId;
use crate::token::AccessToken;

/// What a driver lends a [`FetchReport`]: the time (from its injectable clock) and a way
/// to wake the callers waiting for a report (a Tokio `Notify`, a `Condvar`). The core
/// never reads a clock itself; it asks the driver when a report is made.
pub trait DriverHooks: Send + Sync + 'static {
    /// The current time on the driver's clock.
    fn now(&self) -> Instant;

    /// Wakes every caller waiting for a request to be reported. Called after the
    /// lifecycle has taken the report and published its snapshot.
    fn wake_waiters(&self);
}

/// The duty to report request `fetch` to a [`SharedLifecycle`]: done by
/// [`send`](Self::send), or on drop (the task was cancelled, the runtime shut down, a
/// thread could not start, a panic) with a [`TransportError`] of kind
/// [`Other`](TransportErrorKind::Other), so the lifecycle never waits for a request
/// nobody will finish.
///
/// ```
/// # #![allow(clippy::disallowed_methods)]
/// use std::sync::Arc;
/// use std::time::Instant;
/// use learn_oauth_proto::{ClientConfig, DriverHooks, DriverStep, FetchReport, RefreshPolicy, SharedLifecycle};
///
/// #[derive(Debug)]
/// struct Hooks(Instant);
/// impl DriverHooks for Hooks {
///     fn now(&self) -> Instant { self.0 }
///     fn wake_waiters(&self) {}
/// }
///
/// let config = ClientConfig::builder().tenant_id("eu-west-2_AbcdEfghI").client_secret("s3cret").build()?;
/// let now = Instant::now();
/// let shared = Arc::new(SharedLifecycle::new(config, RefreshPolicy::default(), 7, Hooks(now)));
/// let DriverStep::Fetch(fetch) = shared.poll_driver(now) else { unreachable!() };
///
/// drop(FetchReport::new(Arc::clone(&shared), fetch)); // abandoned: reported as failed
/// assert!(shared.lock().in_flight().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a request's result is reported by .send(); dropping the report fails the request"]
pub struct FetchReport<D: DriverHooks> {
    shared: Arc<SharedLifecycle<D>>,
    fetch: Option<FetchId>,
}

impl<D: DriverHooks> FetchReport<D> {
    /// Takes on the duty to report `fetch`, a request `shared` handed out.
    pub fn new(shared: Arc<SharedLifecycle<D>>, fetch: FetchId) -> Self {
        Self {
            shared,
            fetch: Some(fetch),
        }
    }

    /// The lifecycle the request belongs to (its config, the driver's transport).
    #[must_use]
    pub fn shared(&self) -> &SharedLifecycle<D> {
        &self.shared
    }

    /// Reports the request's result at the driver's current time, then wakes waiting
    /// callers.
    pub fn send(mut self, result: Result<AccessToken, Error>) {
        self.report(result);
    }

    fn report(&mut self, result: Result<AccessToken, Error>) {
        let Some(fetch) = self.fetch.take() else { return };
        let driver = self.shared.driver();
        self.shared.handle_response(driver.now(), fetch, result);
        driver.wake_waiters();
    }
}

impl<D: DriverHooks> Drop for FetchReport<D> {
    fn drop(&mut self) {
        self.report(Err(Error::from(TransportError::new(TransportErrorKind::Other))));
    }
}
