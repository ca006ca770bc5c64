//! The blocking flavour: callers are threads. Its marker, clock and transport trait are
//! here; its provider, pool and shared-store loops in `blocking/`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, ClientConfig, Error, RequestBody, TransportError};

use super::flavor::{Flavor, imp};
use crate::clock::Clock;
use crate::options::TransportOptions;
use crate::pool::error::ResolveError;
use crate::transport::{BuildError, body_limit, bounded};

mod pool;
mod provider;
mod slots;
#[cfg(feature = "store")]
mod store;

/// The blocking flavour over transport `T`: callers are threads, a request runs on the
/// calling thread (a refresh ahead on a thread of its own), waiting callers sleep on a
/// condition variable. Never constructed; only named in `Provider<Blocking<T>>`.
pub struct Blocking<T>(PhantomData<fn() -> T>);

impl<T: SendBlocking> Flavor for Blocking<T> {
    type Transport = T;
    type Clock = dyn BlockingClock;
    #[cfg(feature = "store")]
    type Store = dyn crate::store::BlockingStore;
}

impl<T: SendBlocking> imp::FlavorImpl for Blocking<T> {
    type Signal = std::sync::Condvar;
    type Slots = slots::FetchSlots;

    fn slots(max: usize) -> Self::Slots {
        slots::FetchSlots::new(max)
    }

    fn default_transport(options: &TransportOptions) -> Result<<Self as Flavor>::Transport, BuildError> {
        T::from_options(options)
    }

    fn default_clock() -> Arc<<Self as Flavor>::Clock> {
        Arc::new(SystemClock)
    }

    fn wake(signal: &Self::Signal) {
        signal.notify_all();
    }

    type Once<V: Send + Sync + 'static> = std::sync::OnceLock<V>;

    type Resolver<K: 'static> = Arc<dyn Fn(&K) -> Result<ClientConfig, ResolveError> + Send + Sync>;

    fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V> {
        std::sync::OnceLock::new()
    }

    fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V> {
        once.get()
    }
}

/// A clock a blocking provider reads and sleeps on (a backoff, a `Retry-After`). Inject
/// a virtual one in tests to jump over waits instead of sleeping through them.
pub trait BlockingClock: Clock {
    /// Blocks the calling thread until [`now`](Clock::now) has reached `deadline`.
    fn sleep_until(&self, deadline: Instant);
}

/// The system's monotonic clock and `std::thread::sleep`: the blocking flavour's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl BlockingClock for SystemClock {
    fn sleep_until(&self, deadline: Instant) {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    }
}

/// A blocking transport: sends one token request and returns the answer, whatever its
/// status. Implement [`send`](Self::send) to get the whole blocking provider — single
/// flight, refresh ahead on a background thread, backoff, `Retry-After` — for your HTTP
/// client.
///
/// The rules, which the bundled transports follow:
///
/// - Send `request` as it is, to its URI; never follow a redirect (a 3xx is an answer).
/// - Hand back every status, 4xx and 5xx included, with its headers: the core decides
///   what an answer means.
/// - Read at most `body_limit` bytes of the body and stop there (the core refuses a body
///   that reaches the limit as too large; reading it all would let a server exhaust
///   memory).
/// - Give up after `timeout` (the whole exchange, body included) with a
///   [`TransportErrorKind::Timeout`](learn_oauth_proto::TransportErrorKind::Timeout).
///   It is the provider's
///   [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout)
///   (what is left of it), between a millisecond and 24 h: apply it as it is, not a
///   timeout of your own.
/// - Report what went wrong as a [`TransportError`] of the right kind, with your client's
///   error as its source. Never put the request's headers or body in it.
pub trait SendBlocking: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` and returns the answer with at most `body_limit` bytes of its body,
    /// within `timeout`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no complete answer arrived.
    fn send(
        &self,
        request: http::Request<RequestBody>,
        body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;

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
    fn fetch_token(&self, config: &ClientConfig, timeout: Duration) -> Result<AccessToken, Error>
    where
        Self: Sized,
    {
        exchange(self, config, timeout, Instant::now)
    }
}

/// One token exchange over a blocking transport: the core builds the request and judges
/// the answer, read at `now()`.
pub(crate) fn exchange<T: SendBlocking>(
    transport: &T,
    config: &ClientConfig,
    timeout: Duration,
    now: impl Fn() -> Instant,
) -> Result<AccessToken, Error> {
    let response = transport.send(config.token_request(), body_limit(config), bounded(timeout))?;
    config.parse_response(&response, now())
}
