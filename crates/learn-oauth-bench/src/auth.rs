//! One authorized request on the warm path — a provider holding a fresh token, an
//! in-memory service that answers 200 at once — through the tower layer ([`AuthService`],
//! with [`CloneBody`] or [`NoReplay`]), by hand, and the inner call alone, for instruction
//! counting (`count auth` under callgrind; section 2b). The difference between a side and
//! `inner` is what attaching the token costs per request.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use http::header::AUTHORIZATION;
use learn_oauth_driver::tower::{AuthLayer, AuthService, CloneBody, NoReplay};
use learn_oauth_driver::{Async, Provider};
use tower_layer::Layer;
use tower_service::Service;

use crate::fixture::{self, Canned};
use crate::warm::poll_once;

/// The sides, in report order.
pub const SIDES: [&str; 4] = ["layer", "layer-no-replay", "by-hand", "inner"];

/// The resource: answers 200 at once, as a service over a warm connection would at best.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ok200;

impl Service<http::Request<()>> for Ok200 {
    type Response = http::Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<()>) -> Self::Future {
        let status = if request.headers().contains_key(AUTHORIZATION) {
            200
        } else {
            401
        };
        ready(Ok(http::Response::builder()
            .status(status)
            .body(())
            .unwrap_or_default()))
    }
}

type AsyncProvider = Provider<Async<Canned>>;

/// One side, warmed up: its provider holds a fresh token.
#[derive(Debug)]
pub struct Auth {
    side: usize,
    provider: AsyncProvider,
    layer: AuthService<Ok200, AsyncProvider, CloneBody>,
    no_replay: AuthService<Ok200, AsyncProvider, NoReplay>,
    _runtime: tokio::runtime::Runtime,
}

impl Auth {
    /// Builds `side` and gets its provider a token; `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str) -> Option<Self> {
        let side = SIDES.iter().position(|s| *s == side)?;
        let (provider, runtime) = fixture::warm_async();
        Some(Self {
            side,
            layer: AuthLayer::new(provider.clone()).layer(Ok200),
            no_replay: AuthLayer::new(provider.clone()).without_retry().layer(Ok200),
            provider,
            _runtime: runtime,
        })
    }

    /// One request; its status if it completed on the first poll.
    pub fn run(&mut self) -> Option<u16> {
        let mut request = http::Request::get("https://api.example/v1/ping")
            .body(())
            .unwrap_or_default();
        let response = match self.side {
            0 => poll_once(self.layer.call(request)).and_then(Result::ok),
            1 => poll_once(self.no_replay.call(request)).and_then(Result::ok),
            2 => {
                let token = poll_once(self.provider.token())?.ok()?;
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, token.authorization_header());
                poll_once(Ok200.call(request)).and_then(Result::ok)
            }
            _ => {
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, http::HeaderValue::from_static("Bearer x"));
                poll_once(Ok200.call(request)).and_then(Result::ok)
            }
        };
        response.map(|r| r.status().as_u16())
    }
}
