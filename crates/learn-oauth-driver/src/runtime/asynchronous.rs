//! The async flavour: callers are Tokio tasks. Its marker, clock and transport trait are
//! here; its provider, pool and shared-store loops in `asynchronous/`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Error, RequestBody, TransportError};

use super::flavor::{Flavor, imp};
use crate::clock::Clock;
use crate::options::TransportOptions;
use crate::pool::error::ResolveFuture;
use crate::transport::{BuildError, body_limit, bounded};

mod pool;
mod provider;
mod slots;
#[cfg(feature = "store")]
mod store;

/// The async flavour over transport `T`: callers are Tokio tasks, every request runs
/// as a task of its own, waiting callers wait on a Tokio `Notify`. Never constructed;
/// only named in `Provider<Async<T>>`.
pub struct Async<T>(PhantomData<fn() -> T>);

impl<T: SendAsync> Flavor for Async<T> {
    type Transport = T;
    type Clock = dyn AsyncClock;
    #[cfg(feature = "store")]
    type Store = dyn crate::store::AsyncStore;
}

impl<T: SendAsync> imp::FlavorImpl for Async<T> {
    type Signal = tokio::sync::Notify;
    type Slots = slots::FetchSlots;

    fn slots(max: usize) -> Self::Slots {
        slots::FetchSlots::new(max)
    }

    fn default_transport(options: &TransportOptions) -> Result<<Self as Flavor>::Transport, BuildError> {
        T::from_options(options)
    }

    fn default_clock() -> Arc<<Self as Flavor>::Clock> {
        Arc::new(TokioClock)
    }

    fn wake(signal: &Self::Signal) {
        signal.notify_waiters();
    }

    type Once<V: Send + Sync + 'static> = tokio::sync::OnceCell<V>;

    type Resolver<K: 'static> = Arc<dyn Fn(&K) -> ResolveFuture + Send + Sync>;

    fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V> {
        tokio::sync::OnceCell::new()
    }

    fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V> {
        once.get()
    }
}

/// A clock an async provider reads and sleeps on (a backoff, a `Retry-After`, the wait
/// for a request in flight).
///
/// The default, [`TokioClock`], follows Tokio's clock, so `tokio::time::pause` (with
/// Tokio's `test-util` feature) runs a provider on virtual time: with a transport that
/// does no real I/O, every wait is skipped deterministically.
pub trait AsyncClock: Clock {
    /// Completes once [`now`](Clock::now) has reached `deadline`.
    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// Tokio's clock: `tokio::time::Instant::now()` and `tokio::time::sleep_until`. The async
/// flavour's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    #[inline]
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

impl AsyncClock for TokioClock {
    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
    }
}

/// An async transport: sends one token request and returns the answer, whatever its
/// status. The async twin of [`SendBlocking`](super::SendBlocking), with the same rules;
/// implement [`send`](Self::send) to get the whole async provider for your HTTP client.
///
/// The future runs as its own Tokio task, so a caller that stops waiting never cancels a
/// request other callers wait for.
pub trait SendAsync: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` and returns the answer with at most `body_limit` bytes of its
    /// body, within `timeout`.
    fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send;

    /// The transport a provider uses when none is given, built with `options`. The
    /// default answers [`BuildError::NoDefaultTransport`].
    ///
    /// # Errors
    ///
    /// Whatever stops the transport from being built.
    fn from_options(options: &TransportOptions) -> Result<Self, BuildError>
    where
        Self: Sized,
    {
        let _ = options;
        Err(BuildError::NoDefaultTransport)
    }

    /// Sends one token request for `config`, given up after `timeout`, and returns the
    /// core's verdict: no cache, no retries (a provider adds those). The one-shot fetch,
    /// for code that manages tokens itself.
    ///
    /// # Errors
    ///
    /// What the core makes of the answer, or the transport's error.
    fn fetch_token(
        &self,
        config: &ClientConfig,
        timeout: Duration,
    ) -> impl Future<Output = Result<AccessToken, Error>> + Send
    where
        Self: Sized,
    {
        exchange(self, config, timeout, || tokio::time::Instant::now().into_std())
    }
}

/// One token exchange over an async transport: the core builds the request and judges
/// the answer, read at `now()`.
pub(crate) async fn exchange<T: SendAsync>(
    transport: &T,
    config: &ClientConfig,
    timeout: Duration,
    now: impl Fn() -> Instant,
) -> Result<AccessToken, Error> {
    let response = transport
        .send(config.token_request(), body_limit(config), bounded(timeout))
        .await?;
    config.parse_response(&response, now())
}
