//! End to end against a mock running in *another process* (`learn-oauth-mock`), for
//! `src/bin/e2e_client.rs`: one process per side, so the client can be pinned to a core
//! with the mock or not, and counted under callgrind without the mock.
//!
//! | side | one token |
//! |---|---|
//! | `ours-ureq` | `learn_oauth_ureq::Transport::fetch_token` (one-shot, no cache) |
//! | `ours-reqwest` | `learn_oauth_reqwest::Transport::fetch_token`, on a current-thread runtime |
//! | `oauth2-ureq` | `oauth2` 5 `exchange_client_credentials` over a ureq 2 agent |
//! | `oauth2-reqwest` | the same over a reqwest 0.12 client |
//!
//! Every side keeps its one connection alive, as in `benches/end_to_end.rs`. The warm hit
//! ([`warm_hit`]) is ours only: the blocking provider's `token()` holding a fresh token.
//! Nothing here prints or returns a token; only counts and times leave.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::loopback::{
    our_config_for, peer_fetch_reqwest, peer_fetch_ureq, peer_for, peer_reqwest_client, peer_ureq_agent,
};

use learn_oauth_driver::{SendAsync as _, SendBlocking as _};

/// How long a one-shot token request may take.
const ONE_SHOT_TIMEOUT: Duration = Duration::from_secs(30);

crate::sides! {
    /// The Rust sides of the out-of-process end-to-end run.
    pub enum E2eSide {
        /// Our blocking adapter's one-shot fetch.
        OursUreq => "ours-ureq",
        /// Our async adapter's one-shot fetch.
        OursReqwest => "ours-reqwest",
        /// `oauth2` 5 over ureq 2.
        Oauth2Ureq => "oauth2-ureq",
        /// `oauth2` 5 over reqwest 0.12.
        Oauth2Reqwest => "oauth2-reqwest",
    }
}

/// How long a run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Exactly this many tokens (for counting instructions).
    Count(u64),
    /// As many tokens as fit in this time (checked after every token).
    For(Duration),
}

/// What a run fetched, and in how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Tokens fetched in the timed part.
    pub tokens: u64,
    /// The timed part's wall time.
    pub elapsed: Duration,
}

impl Run {
    /// Tokens per second of wall time (0 for an empty run).
    #[must_use]
    pub fn tokens_per_s(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            #[allow(clippy::cast_precision_loss)]
            let tokens = self.tokens as f64;
            tokens / secs
        } else {
            0.0
        }
    }
}

fn done(budget: Budget, tokens: u64, began: Instant) -> bool {
    match budget {
        Budget::Count(n) => tokens >= n,
        Budget::For(time) => began.elapsed() >= time,
    }
}

fn drive(warmup: u64, budget: Budget, mut one: impl FnMut() -> usize) -> Run {
    for _ in 0..warmup {
        black_box(one());
    }
    let began = Instant::now();
    let mut tokens = 0;
    while !done(budget, tokens, began) {
        black_box(one());
        tokens += 1;
    }
    Run {
        tokens,
        elapsed: began.elapsed(),
    }
}

async fn drive_async<F: Future<Output = usize>>(
    warmup: u64,
    budget: Budget,
    mut one: impl FnMut() -> F,
) -> Run {
    for _ in 0..warmup {
        black_box(one().await);
    }
    let began = Instant::now();
    let mut tokens = 0;
    while !done(budget, tokens, began) {
        black_box(one().await);
        tokens += 1;
    }
    Run {
        tokens,
        elapsed: began.elapsed(),
    }
}

/// Fetches `warmup` untimed tokens, then tokens until `budget` is spent, from the token
/// endpoint at `token_url` (the benchmark tenant), one request per token.
///
/// # Panics
///
/// When a client cannot be built or a token request fails (the run would measure
/// nothing).
#[must_use]
pub fn fetch(side: E2eSide, token_url: &str, warmup: u64, budget: Budget) -> Run {
    let config = our_config_for(token_url);
    let (peer, scopes) = peer_for(token_url);
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    match side {
        E2eSide::OursUreq => {
            let ours = learn_oauth_ureq::Transport::new().expect("a transport");
            drive(warmup, budget, || {
                ours.fetch_token(&config, ONE_SHOT_TIMEOUT)
                    .expect("ours over ureq gets a token")
                    .lifetime()
                    .as_secs()
                    .try_into()
                    .unwrap_or(usize::MAX)
            })
        }
        E2eSide::OursReqwest => {
            let ours = learn_oauth_reqwest::Transport::new().expect("a transport");
            let (ours, config) = (&ours, &config);
            runtime().block_on(drive_async(warmup, budget, || async move {
                ours.fetch_token(config, ONE_SHOT_TIMEOUT)
                    .await
                    .expect("ours over reqwest gets a token")
                    .lifetime()
                    .as_secs()
                    .try_into()
                    .unwrap_or(usize::MAX)
            }))
        }
        E2eSide::Oauth2Ureq => {
            let agent = peer_ureq_agent();
            drive(warmup, budget, || peer_fetch_ureq(&peer, &scopes, &agent))
        }
        E2eSide::Oauth2Reqwest => {
            let http = peer_reqwest_client();
            let (peer, scopes, http) = (&peer, &scopes, &http);
            runtime().block_on(drive_async(warmup, budget, || {
                peer_fetch_reqwest(peer, scopes, http)
            }))
        }
    }
}

/// `calls` warm hits of our blocking provider (`learn_oauth_ureq::TokenProvider::token()`)
/// on one thread, after one `token()` that fetches a fresh token from `token_url`; the
/// time the warm hits took.
///
/// # Panics
///
/// When the provider cannot be built or its first token request fails.
#[must_use]
pub fn warm_hit(token_url: &str, calls: u64) -> Duration {
    let provider = learn_oauth_ureq::TokenProvider::new(our_config_for(token_url)).expect("a provider");
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
    fn every_side_fetches_the_tokens_it_counts() {
        let server = start_mock(Duration::from_secs(3600));
        let url = server.token_url(TENANT_ID);
        for side in E2eSide::ALL {
            server.clear_requests();
            let run = fetch(side, &url, 2, Budget::Count(5));
            assert_eq!(run.tokens, 5, "{side}");
            assert_eq!(server.requests().len(), 7, "{side}: warm-up and counted tokens");
        }
    }

    #[test]
    fn the_peers_and_the_script_ask_as_the_fixture_tenant() {
        let go = include_str!("../peers/go/main.go");
        let python = include_str!("../peers/python/authlib_peer.py");
        let script = include_str!("../../../scripts/bench-peers.sh");
        for (name, source) in [("go", go), ("python", python), ("script", script)] {
            assert!(source.contains(TENANT_ID), "{name}: tenant");
            assert!(source.contains(CLIENT_SECRET), "{name}: secret");
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

    #[test]
    fn warm_hits_fetch_once() {
        let server = start_mock(Duration::from_secs(3600));
        let _ = warm_hit(&server.token_url(TENANT_ID), 1000);
        assert_eq!(server.requests().len(), 1);
    }

    #[test]
    fn a_timed_run_stops() {
        let server = start_mock(Duration::from_secs(3600));
        let run = fetch(
            E2eSide::OursUreq,
            &server.token_url(TENANT_ID),
            0,
            Budget::For(Duration::from_millis(50)),
        );
        assert!(
            run.tokens > 0 && run.elapsed >= Duration::from_millis(50),
            "{run:?}"
        );
        assert!(run.tokens_per_s() > 0.0);
    }
}
