//! One client per side of the end-to-end runs ([`Client`]: our transports' one-shot
//! `fetch_token`, `oauth2` 5 over ureq 2 and reqwest 0.12), shared by
//! `benches/end_to_end.rs` (the mock in the same process), `src/bin/e2e_client.rs` (the
//! mock in another process, so the client can be pinned to a core with it or not, and
//! counted under callgrind alone) and `memory_report loopback`.
//!
//! Every side keeps its one connection alive. The warm hit ([`warm_hit`]) is ours only:
//! the blocking provider's `token()` holding a fresh token. Nothing here prints or
//! returns a token; only counts and times leave.
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::hint::black_box;
use std::time::{Duration, Instant};

use learn_oauth_driver::{SendAsync as _, SendBlocking as _};
use learn_oauth_proto::{AccessToken, ClientConfig};
use oauth2::{Scope, TokenResponse};
use tokio::runtime::Runtime;

use crate::baseline::ONE_SHOT_TIMEOUT;
use crate::fixture::{PeerClient, config_at, peer};
use crate::loopback::{peer_fetch_reqwest, peer_fetch_ureq, peer_reqwest_client, peer_ureq_agent};

/// The Rust sides of the end-to-end runs.
pub const SIDES: [&str; 4] = ["ours-ureq", "ours-reqwest", "oauth2-ureq", "oauth2-reqwest"];

/// How long a run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Exactly this many tokens.
    Count(u64),
    /// As many tokens as fit in this time (checked after every token).
    For(Duration),
}

/// `warmup` untimed calls of `$one`, then calls until `budget` is spent: how many and
/// their wall time. A macro, so that one loop serves the blocking sides and (with
/// `.await`) the async ones.
macro_rules! drive {
    ($warmup:expr, $budget:expr, $one:expr) => {{
        for _ in 0..$warmup {
            black_box($one);
        }
        let (began, mut tokens) = (Instant::now(), 0);
        while match $budget {
            Budget::Count(n) => tokens < n,
            Budget::For(time) => began.elapsed() < time,
        } {
            black_box($one);
            tokens += 1;
        }
        (tokens, began.elapsed())
    }};
}

/// One side's client for the benchmark tenant at one token URL, its connection kept.
#[derive(Debug)]
pub enum Client {
    /// `ours-ureq`.
    OursUreq(ClientConfig, learn_oauth_ureq::Transport),
    /// `ours-reqwest`, with the runtime it runs on.
    OursReqwest(ClientConfig, learn_oauth_reqwest::Transport, Runtime),
    /// `oauth2-ureq`.
    Oauth2Ureq(Box<(PeerClient, Vec<Scope>)>, ureq2::Agent),
    /// `oauth2-reqwest`, with the runtime it runs on.
    Oauth2Reqwest(Box<(PeerClient, Vec<Scope>)>, reqwest012::Client, Runtime),
}

impl Client {
    /// `side`'s client for the token endpoint at `token_url`; `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str, token_url: &str) -> Option<Self> {
        let runtime = || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            runtime.expect("a runtime")
        };
        let config = config_at(token_url);
        let peer = Box::new(peer(token_url));
        Some(match side {
            "ours-ureq" => Self::OursUreq(config, learn_oauth_ureq::Transport::new().expect("a transport")),
            "ours-reqwest" => {
                let transport = learn_oauth_reqwest::Transport::new().expect("a transport");
                Self::OursReqwest(config, transport, runtime())
            }
            "oauth2-ureq" => Self::Oauth2Ureq(peer, peer_ureq_agent(None)),
            "oauth2-reqwest" => Self::Oauth2Reqwest(peer, peer_reqwest_client(None), runtime()),
            _ => return None,
        })
    }

    /// Fetches `warmup` untimed tokens, then tokens until `budget` is spent, one request
    /// per token: the tokens of the timed part and its wall time.
    pub fn fetch(&self, warmup: u64, budget: Budget) -> (u64, Duration) {
        let lifetime = |token: AccessToken| token.lifetime().as_secs().try_into().unwrap_or(usize::MAX);
        match self {
            Self::OursUreq(config, ours) => drive!(
                warmup,
                budget,
                lifetime(ours.fetch_token(config, ONE_SHOT_TIMEOUT).expect("a token"))
            ),
            Self::OursReqwest(config, ours, runtime) => runtime.block_on(async {
                let one = || ours.fetch_token(config, ONE_SHOT_TIMEOUT);
                drive!(warmup, budget, lifetime(one().await.expect("a token")))
            }),
            Self::Oauth2Ureq(peer, agent) => drive!(
                warmup,
                budget,
                peer_fetch_ureq(&peer.0, &peer.1, agent)
                    .access_token()
                    .secret()
                    .len()
            ),
            Self::Oauth2Reqwest(peer, http, runtime) => runtime.block_on(async {
                let one = || peer_fetch_reqwest(&peer.0, &peer.1, http);
                drive!(warmup, budget, one().await.access_token().secret().len())
            }),
        }
    }
}

/// `calls` warm hits of our blocking provider (`learn_oauth_ureq::TokenProvider::token()`)
/// on one thread, after one `token()` that fetches a fresh token from `token_url`; the
/// time the warm hits took.
#[must_use]
pub fn warm_hit(token_url: &str, calls: u64) -> Duration {
    let provider = learn_oauth_ureq::TokenProvider::new(config_at(token_url)).expect("a provider");
    let first = provider.token().expect("the first token");
    let began = Instant::now();
    for _ in 0..calls {
        black_box(provider.token().expect("a warm hit"));
    }
    let elapsed = began.elapsed();
    assert!(
        provider.token().expect("a warm hit").same_as(&first),
        "the warm hits kept the first token"
    );
    elapsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{CLIENT_SECRET, SCOPES, TENANT_ID};
    use crate::loopback::start_mock;

    #[test]
    fn every_side_fetches_the_tokens_it_counts_and_a_timed_run_stops() {
        let server = start_mock(Duration::from_secs(3600));
        let url = server.token_url(TENANT_ID);
        for side in SIDES {
            server.clear_requests();
            let (tokens, _) = Client::new(side, &url).unwrap().fetch(2, Budget::Count(5));
            assert_eq!(tokens, 5, "{side}");
            assert_eq!(server.requests().len(), 7, "{side}: warm-up and counted tokens");
        }
        assert!(Client::new("nope", &url).is_none());
        let timed = Client::new(SIDES[0], &url).unwrap();
        let (tokens, elapsed) = timed.fetch(0, Budget::For(Duration::from_millis(50)));
        assert!(
            tokens > 0 && elapsed >= Duration::from_millis(50),
            "{tokens} in {elapsed:?}"
        );
        server.clear_requests();
        let _ = warm_hit(&url, 1000);
        assert_eq!(server.requests().len(), 1, "warm hits fetch once");
    }

    #[test]
    fn the_peers_and_the_script_ask_as_the_fixture_tenant() {
        let go = include_str!("../peers/go/main.go");
        let python = include_str!("../peers/python/authlib_peer.py");
        let script = include_str!("../../../scripts/bench-peers.sh");
        for (name, source) in [("go", go), ("python", python), ("script", script)] {
            assert!(
                source.contains(TENANT_ID) && source.contains(CLIENT_SECRET),
                "{name}: tenant"
            );
        }
        assert!(go.contains(r#"[]string{"api/read", "api/write"}"#), "go: scopes");
        assert!(
            python.contains(&format!("\"{}\"", SCOPES.join(" "))),
            "python: scopes"
        );
        assert!(go.contains("AuthStyleInHeader"), "go: HTTP Basic, as ours");
        assert!(
            python.contains(r#""client_secret_basic""#),
            "python: HTTP Basic, as ours"
        );
    }
}
