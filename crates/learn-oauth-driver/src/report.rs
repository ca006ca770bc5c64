//! The duty to report one request, discharged even when the request is abandoned.

use std::fmt;
use std::sync::Arc;

use learn_oauth_proto::{AccessToken, Error, FetchId, TransportError, TransportErrorKind};

use crate::flavor::Flavor;
use crate::provider::Shared;

/// The duty to report request `fetch` to a provider's lifecycle: done by
/// [`send`](Self::send), or on drop (the task was cancelled, the runtime shut down, a
/// thread could not start, a panic) as a failed request, so the lifecycle never waits for
/// a request nobody will finish. Either way, waiting callers are woken.
#[must_use = "a request's result is reported by .send(); dropping the report fails the request"]
pub(crate) struct FetchReport<F: Flavor> {
    shared: Arc<Shared<F>>,
    fetch: Option<FetchId>,
}

impl<F: Flavor> FetchReport<F> {
    /// Takes on the duty to report `fetch`, a request `shared` handed out.
    pub(crate) fn new(shared: Arc<Shared<F>>, fetch: FetchId) -> Self {
        Self {
            shared,
            fetch: Some(fetch),
        }
    }

    /// The provider the request belongs to.
    pub(crate) fn shared(&self) -> &Shared<F> {
        &self.shared
    }

    /// Reports the request's result at the provider's current time, then wakes waiting
    /// callers.
    pub(crate) fn send(mut self, result: Result<AccessToken, Error>) {
        self.report(result);
    }

    fn report(&mut self, result: Result<AccessToken, Error>) {
        let Some(fetch) = self.fetch.take() else { return };
        self.shared.report(fetch, result);
    }
}

impl<F: Flavor> Drop for FetchReport<F> {
    fn drop(&mut self) {
        self.report(Err(Error::from(TransportError::new(TransportErrorKind::Other))));
    }
}

impl<F: Flavor> fmt::Debug for FetchReport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchReport").field("fetch", &self.fetch).finish()
    }
}
