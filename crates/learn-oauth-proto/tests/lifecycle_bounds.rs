//! What bounds the lifecycle's waits and requests: one call waits at most `max_wait`,
//! invalidated tokens are replaced at most once per cool-down, and an abandoned request
//! costs nothing. On a virtual clock.
#![allow(clippy::disallowed_methods)]

#[path = "support/lifecycle_scenario.rs"]
mod scenario;

use std::time::Duration;

use learn_oauth_proto::{DriverStep, Error, TransportErrorKind};
use scenario::*;

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn the_last_attempt_of_a_round_is_cut_to_end_with_the_round() {
    // Issue 10, item 8: with max_wait 3 s and a server answering 503 after 2.5 s, the
    // second attempt started at 2.75 s and could run a whole fetch timeout.
    let mut policy = policy();
    policy.max_wait = secs(3);
    let mut s = Scenario::with_policy(policy);
    s.expect_pending();
    let first = s.expect_fetch();
    assert_eq!(s.machine.fetch_deadline(first), Some(s.at(secs(3))));
    s.advance(millis(2500));
    s.respond_error(first, unavailable());
    s.jump(); // the 250 ms backoff
    assert_eq!(s.elapsed(), millis(2750));
    s.expect_pending();
    let second = s.expect_fetch();
    assert_eq!(
        s.machine.fetch_deadline(second),
        Some(s.at(secs(3))),
        "cut from 2.75 s + 60 s to the round's end"
    );
    s.jump();
    assert_eq!(s.elapsed(), secs(3));
    let error = s.expect_failed();
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
}

#[test]
fn a_background_refresh_keeps_the_whole_fetch_timeout() {
    let (mut s, _token) = Scenario::warm(HOUR);
    s.advance_to(secs(3300));
    let DriverStep::Ready {
        refresh: Some(refresh),
        ..
    } = s.machine.poll_driver(s.now)
    else {
        panic!("expected a refresh");
    };
    assert_eq!(
        s.machine.fetch_deadline(refresh),
        Some(s.now + policy().fetch_timeout),
        "no caller waits for it, so no round cuts it"
    );
    s.respond_token(refresh, HOUR);
    assert_eq!(s.machine.fetch_deadline(refresh), None, "no longer in flight");
}

#[test]
fn a_token_invalidated_soon_after_it_arrived_is_replaced_after_the_cool_down() {
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance(secs(1));
    assert!(s.machine.handle_invalidate(s.now, &token));
    s.expect_pending();
    s.expect_no_fetch();
    // 5 s after the invalidated token was received, not 5 s after the invalidation.
    assert_eq!(s.next_deadline(), Some(secs(5)));
    s.jump();
    s.expect_pending();
    let fetch = s.expect_fetch();
    let next = s.respond_token(fetch, HOUR);
    assert!(s.expect_ready().same_as(&next));
}

#[test]
fn a_resource_that_refuses_every_token_gets_one_token_request_per_cool_down() {
    let (mut s, mut token) = Scenario::warm(HOUR);
    let mut requests = 1;
    // A minute of callers that each get a token, see a 401 and invalidate it at once.
    while s.elapsed() < secs(60) {
        match s.machine.poll_driver(s.now) {
            DriverStep::Ready { token: t, .. } => {
                token = t;
                s.machine.handle_invalidate(s.now, &token);
            }
            DriverStep::Fetch(fetch) => {
                requests += 1;
                token = s.respond_token(fetch, HOUR);
            }
            DriverStep::Sleep(_) | DriverStep::AwaitFetch(_) => {
                s.jump();
            }
            DriverStep::Failed(error) => panic!("{error:?}"),
        }
        s.advance(millis(10));
    }
    assert!(requests <= 1 + 60 / 5, "{requests} token requests in a minute");
    assert!(requests >= 60 / 5, "{requests} token requests in a minute");
    let _ = token;
}

#[test]
fn a_token_revoked_after_the_cool_down_is_replaced_at_once() {
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance(secs(600));
    assert!(s.machine.handle_invalidate(s.now, &token));
    s.expect_pending();
    s.expect_fetch();
}

#[test]
fn an_abandoned_request_costs_no_backoff_and_can_start_again_at_once() {
    let mut s = Scenario::new();
    s.expect_pending();
    let abandoned = s.expect_fetch();
    s.advance(millis(100));
    s.machine.handle_abandoned(s.now, abandoned);
    assert_eq!(s.machine.in_flight(), None);
    s.expect_pending();
    let again = s.expect_fetch();
    assert_ne!(again, abandoned);
    // A late answer to the abandoned request is ignored.
    s.machine.handle_abandoned(s.now, abandoned);
    assert_eq!(s.machine.in_flight(), Some(again));
    s.respond_token(again, HOUR);
    s.expect_ready();
}

#[test]
fn an_abandoned_refresh_is_started_again_by_the_next_caller() {
    // Issue 10, item 1: a refresh spawned on a runtime that is dropped used to count as
    // a failed request, so the backoff grew and refreshes stopped landing.
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance_to(secs(3300));
    for _ in 0..5 {
        let DriverStep::Ready {
            token: served,
            refresh: Some(refresh),
        } = s.machine.poll_driver(s.now)
        else {
            panic!("expected the token and a refresh");
        };
        assert!(served.same_as(&token));
        s.advance(millis(10));
        s.machine.handle_abandoned(s.now, refresh);
    }
    let DriverStep::Ready {
        refresh: Some(refresh),
        ..
    } = s.machine.poll_driver(s.now)
    else {
        panic!("expected a refresh");
    };
    let fresh = s.respond_token(refresh, HOUR);
    assert!(s.expect_ready().same_as(&fresh));
}

#[test]
fn the_cool_down_is_at_most_half_the_invalidated_tokens_lifetime() {
    // A 3 s token (the long-running example's) is not held back 5 s.
    let mut s = Scenario::new();
    let token = s.cold_start(secs(3));
    assert!(s.machine.handle_invalidate(s.now, &token));
    s.expect_pending();
    assert_eq!(s.next_deadline(), Some(millis(1500)));
}
