//! What bounds the lifecycle's waits and requests: one call waits at most `max_wait`
//! from its own start, whatever happens meanwhile,
//! invalidated tokens are replaced at most once per cool-down, and an abandoned request
//! costs nothing. On a virtual clock.
#![allow(clippy::disallowed_methods)]

#[path = "support/lifecycle_scenario.rs"]
mod scenario;

use std::time::{Duration, Instant};

use learn_oauth_proto::{DriverStep, Error, FetchId, TransportErrorKind};
use scenario::*;

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn a_caller_gets_the_last_failure_when_its_wait_ends_and_the_request_runs_on() {
    // With max_wait 3 s and a server answering 503 after 2.5 s, the caller is answered at
    // 3 s with that 503, while the second attempt keeps its whole request timeout.
    let mut policy = policy();
    policy.max_wait = secs(3);
    let mut s = Scenario::with_policy(policy);
    let since = s.now;
    let DriverStep::Fetch(first) = s.machine.poll_driver(s.now, since) else {
        panic!("expected a request");
    };
    assert_eq!(s.machine.fetch_deadline(first), Some(s.at(secs(30))));
    s.advance(millis(2500));
    s.respond_error(first, unavailable());
    s.jump(); // the 250 ms backoff
    assert_eq!(s.elapsed(), millis(2750));
    let DriverStep::Fetch(second) = s.machine.poll_driver(s.now, since) else {
        panic!("expected the retry");
    };
    assert_eq!(
        s.machine.fetch_deadline(second),
        Some(s.at(millis(2750) + secs(30))),
        "not cut by the callers' waits"
    );
    let DriverStep::AwaitFetch(until) = s.machine.poll_driver(s.now, since) else {
        panic!("expected to wait for the retry");
    };
    assert_eq!(until, s.at(secs(3)), "no longer than the caller's own wait");
    s.now = until;
    let DriverStep::Failed(error) = s.machine.poll_driver(s.now, since) else {
        panic!("expected the caller's wait to end");
    };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    // A caller arriving now starts its own wait, and gets the retry's token.
    assert!(matches!(
        s.machine.poll_driver(s.now, s.now),
        DriverStep::AwaitFetch(_)
    ));
    let token = s.respond_token(second, HOUR);
    assert!(s.expect_ready().same_as(&token));
}

#[test]
fn a_caller_that_waited_out_a_slow_request_gets_a_timeout() {
    let mut slow = policy();
    slow.request_timeout = secs(60);
    let mut s = Scenario::with_policy(slow);
    let since = s.now;
    let DriverStep::Fetch(fetch) = s.machine.poll_driver(s.now, since) else {
        panic!("expected a request");
    };
    s.advance(secs(10));
    // A second caller joins the same request later; its wait is its own.
    let joined = s.now;
    assert!(matches!(
        s.machine.poll_driver(s.now, joined),
        DriverStep::AwaitFetch(_)
    ));
    s.advance_to(policy().max_wait);
    let DriverStep::Failed(error) = s.machine.poll_driver(s.now, since) else {
        panic!("expected the first caller's wait to end");
    };
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
    let DriverStep::AwaitFetch(until) = s.machine.poll_driver(s.now, joined) else {
        panic!("the second caller still waits");
    };
    assert_eq!(until, joined + policy().max_wait);
    s.advance(secs(1));
    let token = s.respond_token(fetch, HOUR);
    let DriverStep::Ready { token: got, .. } = s.machine.poll_driver(s.now, joined) else {
        panic!("expected the token");
    };
    assert!(got.same_as(&token));
}

/// Twelve callers, each invalidating every token it gets (a resource that refuses every
/// token): each new token is dropped by the first caller to get it, and the others wait
/// for the next cool-down. Every call must still be answered within `max_wait` of its
/// own start.
#[test]
fn under_invalidation_churn_every_call_is_answered_within_its_wait() {
    const CALLERS: u64 = 12;
    let max_wait = secs(3);
    let latency = millis(200);
    let mut policy = policy();
    policy.max_wait = max_wait;
    let mut s = Scenario::with_policy(policy);

    /// One caller's current call: when it began, and when it asks next.
    struct Caller {
        since: Instant,
        wake: Instant,
    }
    let mut callers: Vec<Caller> = (0..CALLERS)
        .map(|i| Caller {
            since: s.now + millis(i),
            wake: s.now + millis(i),
        })
        .collect();
    // The request in flight and when its answer arrives.
    let mut in_flight: Option<(FetchId, Instant)> = None;
    let (mut tokens, mut failures) = (0, 0);

    while s.elapsed() < secs(60) {
        let next_wake = callers.iter().map(|c| c.wake).min().expect("callers");
        let next = in_flight.map_or(next_wake, |(_, at)| at.min(next_wake));
        assert!(next >= s.now, "the simulation goes backwards");
        s.now = next;
        if let Some((fetch, at)) = in_flight
            && at <= s.now
        {
            s.respond_token(fetch, HOUR);
            in_flight = None;
            // A report wakes every waiting caller.
            for caller in &mut callers {
                caller.wake = caller.wake.min(s.now);
            }
        }
        for caller in &mut callers {
            if caller.wake > s.now {
                continue;
            }
            let step = s.machine.poll_driver(s.now, caller.since);
            let waited = s.now - caller.since;
            match step {
                DriverStep::Ready { token, refresh } => {
                    assert!(refresh.is_none(), "no refresh within a minute of a fresh token");
                    s.machine.handle_invalidate(s.now, &token);
                    tokens += 1;
                }
                DriverStep::Failed(error) => {
                    assert!(error.is_retryable(), "{error:?}");
                    failures += 1;
                }
                DriverStep::Fetch(fetch) => {
                    in_flight = Some((fetch, s.now + latency));
                    caller.wake = s.now + latency;
                    continue;
                }
                DriverStep::AwaitFetch(until) | DriverStep::Sleep(until) => {
                    assert!(until > s.now, "told to wait until the past");
                    caller.wake = until;
                    continue;
                }
            }
            assert!(waited <= max_wait, "a call answered after {waited:?}");
            // Answered: the caller starts its next call at once.
            caller.since = s.now;
            caller.wake = s.now;
        }
    }
    for caller in &callers {
        let waited = s.now - caller.since;
        assert!(waited <= max_wait, "a call still unanswered after {waited:?}");
    }
    assert!(tokens >= 60 / 5, "{tokens} tokens handed out in a minute");
    assert!(failures > 0, "no caller waited out a cool-down");
}

#[test]
fn a_background_refresh_keeps_the_whole_request_timeout() {
    let (mut s, _token) = Scenario::warm(HOUR);
    s.advance_to(secs(3300));
    let DriverStep::Ready {
        refresh: Some(refresh),
        ..
    } = s.machine.poll_driver(s.now, s.now)
    else {
        panic!("expected a refresh");
    };
    assert_eq!(
        s.machine.fetch_deadline(refresh),
        Some(s.now + policy().request_timeout),
        "the whole request timeout"
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
        match s.machine.poll_driver(s.now, s.now) {
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
    // A refresh spawned on a runtime that is dropped used to count as
    // a failed request, so the backoff grew and refreshes stopped landing.
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance_to(secs(3300));
    for _ in 0..5 {
        let DriverStep::Ready {
            token: served,
            refresh: Some(refresh),
        } = s.machine.poll_driver(s.now, s.now)
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
    } = s.machine.poll_driver(s.now, s.now)
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
