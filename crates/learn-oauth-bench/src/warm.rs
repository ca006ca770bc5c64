//! One warm `token()` — a provider holding a fresh token — for each side of section 2's
//! instruction counts ([`SIDES`]; `count warm` under callgrind), over the canned exchange.
//! `async` is polled once (a warm `.await` completes on its first poll); `polled-blocking`
//! is the blocking `token()` in `std::future::ready`, polled the same way (the harness's
//! share of `async`); `blocking-store` has a [`MemoryStore`] its warm path never touches.

use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use learn_oauth_driver::{Async, Blocking, Provider};
use learn_oauth_proto::AccessToken;

use crate::baseline::MutexCache;
use crate::fixture::{self, Canned};
use crate::store::MemoryStore;

/// The sides, in report order.
pub const SIDES: [&str; 6] = [
    "blocking",
    "blocking-store",
    "async",
    "polled-blocking",
    "mutex",
    "floor",
];

/// One side, warmed up: it holds a fresh token.
#[derive(Debug)]
pub struct Warm(Side);

#[derive(Debug)]
enum Side {
    Blocking(Provider<Blocking<Canned>>),
    /// Our async provider, with the runtime it was warmed on (kept alive beside it).
    Async(
        Provider<Async<Canned>>,
        #[allow(dead_code)] tokio::runtime::Runtime,
    ),
    PolledBlocking(Provider<Blocking<Canned>>),
    Mutex(MutexCache),
    /// The token and the instant it is fresh until, behind an `ArcSwap`.
    Floor(ArcSwap<(AccessToken, Instant)>),
}

impl Warm {
    /// Builds `side` and gets it its first token; `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str) -> Option<Self> {
        let blocking = fixture::warm_blocking(fixture::config());
        let token = blocking.token().expect("a warm token");
        Some(Self(match side {
            "blocking" => Side::Blocking(blocking),
            "blocking-store" => {
                let provider = Provider::<Blocking<Canned>>::builder(fixture::config()).transport(Canned);
                let provider = provider.shared_store(MemoryStore::default().shared());
                Side::Blocking(provider.build().expect("a provider"))
            }
            "polled-blocking" => Side::PolledBlocking(blocking),
            "async" => {
                let (provider, runtime) = fixture::warm_async();
                Side::Async(provider, runtime)
            }
            "mutex" => Side::Mutex(MutexCache::new(token)),
            "floor" => {
                let until = token.expires_at() - Duration::from_secs(10);
                Side::Floor(ArcSwap::from_pointee((token, until)))
            }
            _ => return None,
        }))
    }

    /// One warm hit; `None` would mean the side had no fresh token (or, for async, that
    /// the future did not complete on its first poll).
    #[inline]
    pub fn run(&self) -> Option<AccessToken> {
        match &self.0 {
            Side::Blocking(p) => p.token().ok(),
            Side::Async(p, _) => poll_once(p.token()).and_then(Result::ok),
            Side::PolledBlocking(p) => poll_once(std::future::ready(p.token())).and_then(Result::ok),
            Side::Mutex(m) => m.token(),
            Side::Floor(current) => {
                #[allow(clippy::disallowed_methods)]
                let now = Instant::now();
                let current = current.load();
                (now < current.1).then(|| current.0.clone())
            }
        }
    }
}

/// Polls `future` once with a no-op waker: its output if it is ready.
#[inline]
pub fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_hits_warm() {
        for side in SIDES {
            let token = Warm::new(side)
                .unwrap()
                .run()
                .unwrap_or_else(|| panic!("{side}: no warm token"));
            assert_eq!(token.expose_secret(), fixture::ACCESS_TOKEN, "{side}");
        }
        assert!(Warm::new("nope").is_none());
    }

    #[test]
    fn the_warm_path_never_touches_the_store() {
        let store = MemoryStore::default();
        let provider = Provider::<Blocking<Canned>>::builder(fixture::config()).transport(Canned);
        let provider = provider.shared_store(store.shared()).build().unwrap();
        provider.token().unwrap();
        let calls = store.calls();
        for _ in 0..1000 {
            provider.token().unwrap();
        }
        assert_eq!(store.calls(), calls);
    }
}
