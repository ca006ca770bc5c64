//! The shared blocking token provider against the loopback mock, on a virtual clock.

use std::time::Duration;

use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_proto::{AccessToken, Error, RefreshPolicy, TransportErrorKind};
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures::{self, JITTER_SEED, config, policy, server_with_lifetime};
use learn_oauth_ureq::{Clock, TokenProvider, Transport};

#[derive(Debug, Clone)]
struct Virtual(VirtualClock);

impl Clock for Virtual {
    fn now(&self) -> std::time::Instant {
        self.0.now()
    }

    fn sleep_until(&self, deadline: std::time::Instant) {
        self.0.jump_to(deadline);
    }
}

fn provider_for(server: &MockServer, clock: &VirtualClock, policy: RefreshPolicy) -> TokenProvider {
    TokenProvider::builder(config(server))
        .transport(Transport::with_options(&fixtures::provider_transport()).unwrap())
        .policy(policy)
        .clock(Virtual(clock.clone()))
        .jitter_seed(JITTER_SEED)
        .build()
        .unwrap()
}

/// Calls `token()` until it hands out something other than `old` (a refresh finished).
fn next_token(provider: &TokenProvider, old: &AccessToken) -> AccessToken {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let token = provider.token().unwrap();
        if !token.same_as(old) {
            return token;
        }
        assert!(std::time::Instant::now() < deadline, "no refresh happened");
        std::thread::yield_now();
    }
}

#[test]
fn a_warm_provider_hands_out_the_same_token_without_a_request() {
    let server = fixtures::server();
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let first = provider.token().unwrap();
    let second = provider.token().unwrap();
    assert!(first.same_as(&second));
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(provider.config().tenant_id(), fixtures::TENANT);
}

#[test]
fn a_cold_start_storm_of_64_threads_sends_one_request() {
    let server = fixtures::server();
    server.enqueue(Fault::Delay(Duration::from_millis(50)));
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let barrier = std::sync::Barrier::new(64);
    let tokens: Vec<AccessToken> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..64)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    provider.token().unwrap()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn near_expiry_callers_keep_the_old_token_while_one_refresh_runs() {
    let server = server_with_lifetime(Duration::from_secs(300));
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let old = provider.token().unwrap();
    server.enqueue(Fault::Delay(Duration::from_millis(200)));
    clock.advance(Duration::from_secs(300 - 30));
    for _ in 0..100 {
        let token = provider.token().unwrap();
        assert!(token.same_as(&old), "the old token is served during the refresh");
    }
    let new = next_token(&provider, &old);
    assert_eq!(server.token_request_count(), 2, "exactly one refresh");
    assert!(provider.token().unwrap().same_as(&new));
}

#[test]
fn server_errors_are_retried_with_backoff_then_succeed() {
    let server = fixtures::server();
    server.enqueue_n(2, Fault::status(500));
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    provider.token().unwrap();
    assert_eq!(server.token_request_count(), 3);
    assert!(
        clock.elapsed() >= policy().initial_backoff,
        "waited {:?}",
        clock.elapsed()
    );
}

#[test]
fn a_429_retry_after_is_honoured() {
    let server = fixtures::server();
    server.enqueue(Fault::retry_after(429, 7));
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    provider.token().unwrap();
    assert_eq!(server.token_request_count(), 2);
    assert!(
        clock.elapsed() >= Duration::from_secs(7),
        "waited {:?}",
        clock.elapsed()
    );
}

#[test]
fn unauthorized_is_returned_at_once_and_not_retried() {
    let server = fixtures::server_with_other_secret();
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let error = provider.token().unwrap_err();
    assert!(
        error.server_error().is_some_and(|e| e.is_unauthorized()),
        "{error:?}"
    );
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(clock.elapsed(), Duration::ZERO);
}

#[test]
fn broken_connections_are_retried() {
    let server = fixtures::server();
    server.enqueue(Fault::DropConnection);
    server.enqueue(Fault::TruncatedBody);
    server.enqueue(Fault::ProxyHtml);
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    provider.token().unwrap();
    assert_eq!(server.token_request_count(), 4);
}

#[test]
fn a_slow_server_ends_in_a_timeout_error_not_a_hang() {
    let server = fixtures::server();
    server.enqueue_n(100, Fault::Delay(Duration::from_secs(5)));
    let clock = VirtualClock::new();
    let mut policy = policy();
    policy.max_attempts = 2;
    let provider = provider_for(&server, &clock, policy);
    let started = std::time::Instant::now();
    let error = provider.token().unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_outage_serves_the_usable_token_until_it_ends_then_the_error() {
    let server = server_with_lifetime(Duration::from_secs(300));
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let token = provider.token().unwrap();
    server.enqueue_n(1000, Fault::status(503));
    // Inside the refresh window, before the safety margin: the old token, every time.
    for step in 0..5 {
        clock.jump_to(token.received_at() + Duration::from_secs(250 + step * 5));
        assert!(provider.token().unwrap().same_as(&token));
    }
    // Past its usable time: the outage shows.
    clock.jump_to(token.expires_at());
    let error = provider.token().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
}

#[test]
fn an_invalidated_token_is_replaced_by_a_fresh_one() {
    let server = fixtures::server();
    let clock = VirtualClock::new();
    let provider = provider_for(&server, &clock, policy());
    let first = provider.token().unwrap();
    assert!(provider.invalidate(&first));
    let second = provider.token().unwrap();
    assert!(!second.same_as(&first));
    assert_eq!(server.token_request_count(), 2);
}
