//! One warm `token()` — a provider holding a fresh token — for each side measured, over
//! an in-memory transport (the canned exchange), for instruction counting
//! (`src/bin/warm_count.rs` under callgrind).
//!
//! | side | what one warm hit does |
//! |---|---|
//! | `blocking` | `Provider<Blocking<_>>::token()` |
//! | `blocking-store` | the same with a shared store configured (the warm path never touches it) |
//! | `async` | `Provider<Async<_>>::token()`, polled once (a warm `.await` completes on its first poll) |
//! | `polled-blocking` | the blocking `token()` inside `std::future::ready`, polled the same way: the harness's share of `async` |
//! | `mutex` | [`MutexCache::token`](crate::baseline::MutexCache::token): lock, clock read, expiry check, clone |
//! | `floor` | [`Floor::token`]: a clock read, an `ArcSwap` load, one compare, an `Arc` clone |

use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use learn_oauth_driver::{Async, Blocking, Provider, SendAsync, SendBlocking};
use learn_oauth_proto::{AccessToken, RequestBody, TransportError};

use crate::baseline::MutexCache;
use crate::fixture;

crate::sides! {
    /// The sides of the warm-hit count.
    pub enum WarmSide {
        /// Our blocking provider.
        Blocking => "blocking",
        /// Our blocking provider with a shared store.
        BlockingStore => "blocking-store",
        /// Our async provider.
        Async => "async",
        /// Our blocking provider's answer in a ready future, polled like `Async`.
        PolledBlocking => "polled-blocking",
        /// `Mutex<Option<AccessToken>>`.
        Mutex => "mutex",
        /// The practical floor.
        Floor => "floor",
    }
}

/// A transport answering every request with the canned response, for both flavours.
#[derive(Debug, Clone, Copy, Default)]
pub struct Canned;

impl SendBlocking for Canned {
    fn send(
        &self,
        _request: http::Request<RequestBody>,
        _body_limit: usize,
        _timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        Ok(fixture::canned_response())
    }
}

impl SendAsync for Canned {
    async fn send(
        &self,
        _request: http::Request<RequestBody>,
        _body_limit: usize,
        _timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        Ok(fixture::canned_response())
    }
}

/// A store that is empty and free for the first fetch, then counts any further use: the
/// warm path must never reach it.
#[derive(Debug, Default)]
pub struct StoreOnce {
    calls: std::sync::atomic::AtomicUsize,
}

impl StoreOnce {
    fn called(&self) -> Result<(), learn_oauth_driver::store::StoreError> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.calls.fetch_add(1, Relaxed) > 8 {
            panic!("the warm path touched the shared store");
        }
        Ok(())
    }
}

impl learn_oauth_driver::store::BlockingStore for StoreOnce {
    fn read(
        &self,
        _keys: &learn_oauth_driver::store::StoreKeyNames,
        _timeout: Duration,
    ) -> Result<learn_oauth_driver::store::StoreRecord, learn_oauth_driver::store::StoreError> {
        self.called()
            .map(|()| learn_oauth_driver::store::StoreRecord::default())
    }
    fn try_lease(
        &self,
        _keys: &learn_oauth_driver::store::StoreKeyNames,
        _owner: &str,
        _ttl: Duration,
        _timeout: Duration,
    ) -> Result<bool, learn_oauth_driver::store::StoreError> {
        self.called().map(|()| true)
    }
    fn publish(
        &self,
        _keys: &learn_oauth_driver::store::StoreKeyNames,
        _value: &[u8],
        _expire_at: learn_oauth_driver::store::StoreTime,
        _owner: &str,
        _timeout: Duration,
    ) -> Result<(), learn_oauth_driver::store::StoreError> {
        self.called()
    }
    fn cool_down(
        &self,
        _keys: &learn_oauth_driver::store::StoreKeyNames,
        _value: &[u8],
        _until: learn_oauth_driver::store::StoreTime,
        _owner: &str,
        _timeout: Duration,
    ) -> Result<(), learn_oauth_driver::store::StoreError> {
        self.called()
    }
    fn release(
        &self,
        _keys: &learn_oauth_driver::store::StoreKeyNames,
        _owner: &str,
        _timeout: Duration,
    ) -> Result<(), learn_oauth_driver::store::StoreError> {
        self.called()
    }
}

/// The floor of a lock-free warm path: the token and the instant it is fresh until,
/// behind an `ArcSwap`.
#[derive(Debug)]
pub struct Floor {
    current: ArcSwap<(AccessToken, Instant)>,
}

impl Floor {
    /// A floor holding `token`, fresh until 10 s before it expires.
    #[must_use]
    pub fn new(token: AccessToken) -> Self {
        let until = token.expires_at() - Duration::from_secs(10);
        Self {
            current: ArcSwap::from_pointee((token, until)),
        }
    }

    /// The token, if fresh.
    #[inline]
    #[must_use]
    pub fn token(&self) -> Option<AccessToken> {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        let current = self.current.load();
        (now < current.1).then(|| current.0.clone())
    }
}

/// One side, warmed up: it holds a fresh token.
#[derive(Debug)]
pub enum WarmPrepared {
    /// Our blocking provider.
    Blocking(Provider<Blocking<Canned>>),
    /// Our blocking provider with a shared store.
    BlockingStore(Provider<Blocking<Canned>>),
    /// Our async provider, with the runtime it was warmed on.
    Async(Provider<Async<Canned>>, tokio::runtime::Runtime),
    /// Our blocking provider, its answer polled as a future.
    PolledBlocking(Provider<Blocking<Canned>>),
    /// The mutex baseline.
    Mutex(MutexCache),
    /// The floor.
    Floor(Floor),
}

impl WarmPrepared {
    /// Builds `side` and gets it its first token.
    ///
    /// # Panics
    ///
    /// If the canned exchange does not yield a token (a broken fixture).
    #[must_use]
    pub fn new(side: WarmSide) -> Self {
        let blocking = Provider::<Blocking<Canned>>::builder(fixture::config())
            .transport(Canned)
            .build()
            .expect("a provider with a transport");
        let token = blocking.token().expect("the canned exchange yields a token");
        match side {
            WarmSide::Blocking => WarmPrepared::Blocking(blocking),
            WarmSide::BlockingStore => {
                let key = learn_oauth_driver::store::SealingKey::new(1, &[7; 32]).expect("32 bytes");
                let sealing = learn_oauth_driver::store::Sealing::new(key);
                let store = learn_oauth_driver::store::SharedStore::blocking(StoreOnce::default(), sealing);
                let provider = Provider::<Blocking<Canned>>::builder(fixture::config())
                    .transport(Canned)
                    .shared_store(store)
                    .build()
                    .expect("a provider");
                WarmPrepared::BlockingStore(provider)
            }
            WarmSide::PolledBlocking => WarmPrepared::PolledBlocking(blocking),
            WarmSide::Async => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .expect("a runtime");
                let provider = Provider::<Async<Canned>>::builder(fixture::config())
                    .transport(Canned)
                    .build()
                    .expect("a provider with a transport");
                runtime
                    .block_on(provider.token())
                    .expect("the canned exchange yields a token");
                WarmPrepared::Async(provider, runtime)
            }
            WarmSide::Mutex => WarmPrepared::Mutex(MutexCache::new(token)),
            WarmSide::Floor => WarmPrepared::Floor(Floor::new(token)),
        }
    }

    /// One warm hit; `None` would mean the side had no fresh token (or, for async, that
    /// the future did not complete on its first poll).
    #[inline]
    pub fn run(&self) -> Option<AccessToken> {
        match self {
            WarmPrepared::Blocking(p) | WarmPrepared::BlockingStore(p) => p.token().ok(),
            WarmPrepared::Async(p, _) => poll_once(p.token()),
            WarmPrepared::PolledBlocking(p) => poll_once(std::future::ready(p.token())),
            WarmPrepared::Mutex(m) => m.token(),
            WarmPrepared::Floor(f) => f.token(),
        }
    }
}

/// Polls `future` once with a no-op waker: its token if it is ready with one.
#[inline]
fn poll_once(
    future: impl Future<Output = Result<AccessToken, learn_oauth_proto::Error>>,
) -> Option<AccessToken> {
    let mut cx = Context::from_waker(Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        Poll::Ready(result) => result.ok(),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_hits_warm() {
        for side in WarmSide::ALL {
            let prepared = WarmPrepared::new(side);
            let token = prepared.run().unwrap_or_else(|| panic!("{side}: no warm token"));
            assert_eq!(token.expose_secret(), fixture::ACCESS_TOKEN, "{side}");
            assert_eq!(side.name().parse::<WarmSide>(), Ok(side));
        }
    }
}
