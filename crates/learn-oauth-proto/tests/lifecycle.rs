//! The token lifecycle, behaviour by behaviour, on a virtual clock.
#![allow(clippy::disallowed_methods)]

#[path = "support/lifecycle_scenario.rs"]
mod scenario;

use std::time::Duration;

use learn_oauth_proto::{
    DriverStep, Error, MAX_TOKEN_LIFETIME, RefreshPolicy, ResponseOutcome, ResponseProblem, TokenLifecycle,
    TokenPoll, TransportErrorKind,
};
use scenario::*;

const HOUR: Duration = Duration::from_secs(3600);

/// With the default policy and no jitter, an hour-long token is usable until 3590 s and
/// refreshed from 3300 s.
const USABLE_UNTIL: Duration = Duration::from_secs(3590);
const REFRESH_AT: Duration = Duration::from_secs(3300);

fn status(error: &Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}

// ---------------------------------------------------------------------------------------
// Cold start and single flight

#[test]
fn a_cold_machine_never_fetches_without_demand() {
    let mut s = Scenario::new();
    s.expect_no_fetch();
    assert_eq!(s.machine.poll_timeout(), None);
    s.advance(HOUR);
    s.expect_no_fetch();
    assert!(s.machine.snapshot().is_none());
    assert!(s.machine.current_token(s.now).is_none());
}

#[test]
fn the_first_caller_registers_demand_and_one_request_starts() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    assert_eq!(s.machine.in_flight(), Some(fetch));
    s.advance(millis(80));
    let token = s.respond_token(fetch, HOUR);
    assert!(s.expect_ready().same_as(&token));
    assert_eq!(s.machine.in_flight(), None);
}

#[test]
fn concurrent_callers_during_a_request_share_it() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    for _ in 0..100 {
        s.expect_pending();
        s.expect_no_fetch();
        s.advance(millis(10));
    }
    let token = s.respond_token(fetch, HOUR);
    for _ in 0..100 {
        assert!(s.expect_ready().same_as(&token));
        s.expect_no_fetch();
    }
}

// ---------------------------------------------------------------------------------------
// Refresh ahead of expiry

#[test]
fn a_fresh_token_is_served_without_requests_until_the_refresh_point() {
    let (mut s, token) = Scenario::warm(HOUR);
    assert_eq!(s.next_deadline(), Some(REFRESH_AT));
    let snapshot = s.machine.snapshot().expect("snapshot");
    assert!(snapshot.token().same_as(&token));
    assert_eq!(snapshot.fresh_until(), s.at(REFRESH_AT));
    s.advance(REFRESH_AT - millis(1));
    assert!(s.expect_ready().same_as(&token));
    s.expect_no_fetch();
}

#[test]
fn in_the_refresh_window_the_old_token_is_served_and_one_refresh_starts() {
    let (mut s, old) = Scenario::warm(HOUR);
    assert_eq!(s.jump(), REFRESH_AT);
    assert!(
        s.machine.snapshot().unwrap().token_if_fresh(s.now).is_none(),
        "the fast path must ask"
    );
    assert!(s.expect_ready().same_as(&old));
    let refresh = s.expect_fetch();
    // While it is in flight, callers keep the old token and no second request starts.
    assert_eq!(
        s.machine.snapshot().unwrap().fresh_until(),
        s.at(REFRESH_AT + policy().request_timeout),
        "until the refresh's request timeout"
    );
    for _ in 0..10 {
        s.advance(millis(100));
        assert!(s.expect_ready().same_as(&old));
        s.expect_no_fetch();
    }
    let new = s.respond_token(refresh, HOUR);
    assert!(s.expect_ready().same_as(&new));
    assert_eq!(s.next_deadline(), Some(s.elapsed() + REFRESH_AT));
}

/// Review finding: a `refresh_ahead` shorter than `safety_margin` put the refresh point
/// after the end of the token's usable time, so no refresh ever ran ahead and every
/// expiry left callers waiting. The refresh now starts at least one margin before.
#[test]
fn a_refresh_ahead_shorter_than_the_margin_still_refreshes_while_the_token_is_served() {
    let mut policy = policy();
    policy.safety_margin = secs(60);
    policy.refresh_ahead = secs(30);
    policy.refresh_jitter = 0.0;
    let mut s = Scenario::with_policy(policy);
    let old = s.cold_start(HOUR);
    // Usable until 59:00; the refresh point is 2 x 60 s before expiry, at 58:00.
    assert_eq!(s.jump(), HOUR - secs(120));
    assert!(s.expect_ready().same_as(&old), "still served during the refresh");
    let refresh = s.expect_fetch();
    let new = s.respond_token(refresh, HOUR);
    assert!(s.expect_ready().same_as(&new));
}

#[test]
fn the_refresh_point_is_jittered_earlier_within_the_window() {
    let mut policy = RefreshPolicy::default();
    policy.refresh_jitter = 0.2;
    let mut points = Vec::new();
    for seed in 0..50 {
        let mut s = Scenario::seeded(policy.clone(), seed);
        s.cold_start(HOUR);
        let point = s.next_deadline().unwrap();
        assert!(point <= REFRESH_AT && point >= REFRESH_AT - secs(60), "{point:?}");
        points.push(point);
    }
    points.sort();
    points.dedup();
    assert!(points.len() > 40, "seeds spread the refresh points");
}

#[test]
fn margins_of_short_lived_tokens_are_capped_by_their_lifetime() {
    let (mut s, token) = Scenario::warm(secs(20));
    // refresh-ahead capped at 10 s (half), safety margin at 5 s (a quarter)
    assert_eq!(s.jump(), secs(10));
    assert!(s.expect_ready().same_as(&token));
    let _refresh = s.expect_fetch();
    assert_eq!(s.next_deadline(), Some(secs(15)));
    s.advance_to(secs(15) - Duration::from_nanos(1));
    assert!(s.expect_ready().same_as(&token));
    s.advance_to(secs(15));
    s.expect_pending();
}

// ---------------------------------------------------------------------------------------
// Failures while a usable token exists

#[test]
fn a_failed_refresh_keeps_serving_the_old_token_and_retries_with_growing_backoff() {
    let (mut s, old) = Scenario::warm(HOUR);
    s.jump();
    let mut delays = Vec::new();
    for _ in 0..9 {
        let fetch = s.expect_fetch();
        s.respond_error(fetch, unavailable());
        assert!(s.expect_ready().same_as(&old), "stale while revalidate");
        s.expect_no_fetch();
        let before = s.elapsed();
        delays.push(s.jump() - before);
    }
    let ms = millis;
    assert_eq!(
        delays,
        [
            ms(250),
            ms(500),
            ms(1000),
            ms(2000),
            ms(4000),
            ms(8000),
            ms(16000),
            ms(30000),
            ms(30000)
        ]
    );
    // A success resets the backoff.
    let fetch = s.expect_fetch();
    s.respond_token(fetch, HOUR);
    let refresh_at = s.elapsed() + REFRESH_AT;
    s.advance_to(refresh_at);
    let fetch = s.expect_fetch();
    s.respond_error(fetch, connection_refused());
    assert_eq!(s.next_deadline(), Some(refresh_at + millis(250)));
}

#[test]
fn a_non_retryable_refresh_failure_holds_off_and_keeps_serving_the_old_token() {
    let (mut s, old) = Scenario::warm(HOUR);
    s.jump();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, unauthorized());
    assert!(s.expect_ready().same_as(&old));
    s.expect_no_fetch();
    assert_eq!(s.next_deadline(), Some(REFRESH_AT + secs(10)));
    s.advance(secs(10) - millis(1));
    s.expect_no_fetch();
    s.jump();
    let fetch = s.expect_fetch();
    let new = s.respond_token(fetch, HOUR);
    assert!(s.expect_ready().same_as(&new));
}

#[test]
fn during_an_outage_the_token_stops_being_served_exactly_at_its_usable_time() {
    let (mut s, old) = Scenario::warm(HOUR);
    s.jump();
    // Every request fails until the token's usable time.
    let mut requests = 0;
    loop {
        if let Some(fetch) = s.fetch() {
            requests += 1;
            s.respond_error(fetch, unavailable());
        }
        assert!(s.expect_ready().same_as(&old));
        match s.next_deadline() {
            Some(next) if next < USABLE_UNTIL => {
                s.jump();
            }
            _ => break,
        }
    }
    assert!(requests >= 10, "kept retrying in the background ({requests})");
    s.advance_to(USABLE_UNTIL - Duration::from_nanos(1));
    assert!(s.expect_ready().same_as(&old));
    assert!(s.machine.snapshot().is_some());
    s.advance_to(USABLE_UNTIL);
    assert!(s.machine.current_token(s.now).is_none());
    assert!(s.machine.snapshot().is_none());
    // Callers now wait for the scheduled retry, and get the error once the round ends.
    s.expect_pending();
    let error = loop {
        match s.ask() {
            TokenPoll::Ready(_) => panic!("served after its usable time"),
            TokenPoll::Failed(error) => break error,
            _ => {}
        }
        if let Some(fetch) = s.fetch() {
            s.respond_error(fetch, unavailable());
        } else {
            s.jump();
        }
    };
    assert_eq!(status(&error), Some(503));
    assert!(
        s.elapsed() <= USABLE_UNTIL + secs(30),
        "the round is bounded by max_wait"
    );
}

// ---------------------------------------------------------------------------------------
// Failures with callers waiting

#[test]
fn retry_after_is_honoured_no_request_before_it() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, too_many_requests(20));
    s.expect_pending();
    assert_eq!(s.next_deadline(), Some(secs(20)));
    s.advance_to(secs(20) - millis(1));
    s.expect_pending();
    s.expect_no_fetch();
    assert_eq!(s.jump(), secs(20));
    let fetch = s.expect_fetch();
    let token = s.respond_token(fetch, HOUR);
    assert!(s.expect_ready().same_as(&token));
}

#[test]
fn retry_after_is_capped_by_max_retry_after() {
    let mut policy = policy();
    policy.max_retry_after = secs(60);
    let mut s = Scenario::with_policy(policy);
    s.cold_start(HOUR);
    s.jump();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, too_many_requests(3600));
    assert_eq!(s.next_deadline(), Some(REFRESH_AT + secs(60)));
}

#[test]
fn retry_after_beyond_the_round_budget_fails_waiting_callers_at_once() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, too_many_requests(120));
    for _ in 0..5 {
        let error = s.expect_failed();
        assert_eq!(status(&error), Some(429));
        assert_eq!(error.retry_after(), Some(secs(120)));
        s.expect_no_fetch();
    }
    assert_eq!(s.next_deadline(), Some(secs(120)));
    s.jump();
    s.expect_pending();
    s.expect_fetch();
}

#[test]
fn a_round_gives_up_after_max_attempts_then_a_new_demand_starts_a_new_round() {
    let mut s = Scenario::new();
    s.expect_pending();
    let mut starts = Vec::new();
    for _ in 0..3 {
        starts.push(s.elapsed());
        let fetch = s.expect_fetch();
        s.respond_error(fetch, unavailable());
        s.expect_pending();
        s.expect_no_fetch();
        s.jump();
    }
    starts.push(s.elapsed());
    let fetch = s.expect_fetch();
    s.respond_error(fetch, unavailable());
    assert_eq!(starts, [millis(0), millis(250), millis(750), millis(1750)]);
    // The fourth failure ends the round: every caller gets the error until the next
    // attempt time (backoff after four failures: 2 s).
    for _ in 0..3 {
        assert_eq!(status(&s.expect_failed()), Some(503));
        s.expect_no_fetch();
    }
    assert_eq!(s.jump(), millis(3750));
    s.expect_pending();
    let fetch = s.expect_fetch();
    let token = s.respond_token(fetch, HOUR);
    assert!(s.expect_ready().same_as(&token));
}

#[test]
fn a_round_gives_up_when_its_next_attempt_would_start_after_max_wait() {
    let mut policy = policy();
    policy.max_wait = secs(1);
    policy.max_attempts = 100;
    let mut s = Scenario::with_policy(policy);
    s.expect_pending();
    for _ in 0..2 {
        let fetch = s.expect_fetch();
        s.respond_error(fetch, connection_refused());
        s.expect_pending();
        s.jump();
    }
    // Third failure at 0.75 s: the next attempt (1.75 s) is past the 1 s budget.
    let fetch = s.expect_fetch();
    s.respond_error(fetch, connection_refused());
    assert!(matches!(s.expect_failed(), Error::Transport(_)));
}

#[test]
fn a_non_retryable_error_fails_everyone_at_once_and_holds_off() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, unauthorized());
    let error = s.expect_failed();
    assert_eq!(status(&error), Some(401));
    assert!(!error.is_retryable());
    assert_eq!(s.next_deadline(), Some(secs(10)));
    // Callers hammering for a minute cause one request per hold-off, no more.
    let mut requests = 1;
    while s.elapsed() < secs(60) {
        match s.ask() {
            TokenPoll::Failed(error) => assert_eq!(status(&error), Some(401)),
            TokenPoll::Pending => {}
            TokenPoll::Ready(_) => panic!("no token was ever issued"),
            _ => unreachable!(),
        }
        if let Some(fetch) = s.fetch() {
            requests += 1;
            s.respond_error(fetch, unauthorized());
        }
        s.advance(millis(100));
    }
    assert_eq!(requests, 6);
}

// ---------------------------------------------------------------------------------------
// Invalidation

#[test]
fn invalidating_the_current_token_drops_it_once_and_causes_one_request() {
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance(secs(60));
    assert!(s.machine.handle_invalidate(s.now, &token));
    assert!(!s.machine.handle_invalidate(s.now, &token), "already dropped");
    assert!(s.machine.snapshot().is_none());
    s.expect_pending();
    let fetch = s.expect_fetch();
    assert!(!s.machine.handle_invalidate(s.now, &token));
    s.expect_pending();
    s.expect_no_fetch();
    let new = s.respond_token(fetch, HOUR);
    assert!(
        !s.machine.handle_invalidate(s.now, &token),
        "an old token is not the current one"
    );
    assert!(s.expect_ready().same_as(&new));
}

#[test]
fn invalidating_during_a_refresh_waits_for_that_refresh() {
    let (mut s, token) = Scenario::warm(HOUR);
    s.jump();
    let refresh = s.expect_fetch();
    assert!(s.machine.handle_invalidate(s.now, &token));
    s.expect_pending();
    s.expect_no_fetch();
    let new = s.respond_token(refresh, HOUR);
    assert!(s.expect_ready().same_as(&new));
}

// ---------------------------------------------------------------------------------------
// Odd lifetimes, lost and stale requests, time

#[test]
fn huge_lifetimes_do_not_overflow() {
    for lifetime in [Duration::MAX, Duration::from_secs(u64::MAX), Duration::MAX / 3] {
        let (mut s, token) = Scenario::warm(lifetime);
        s.advance(secs(10 * 365 * 24 * 3600));
        assert!(s.expect_ready().same_as(&token));
        s.expect_no_fetch();
        assert!(s.machine.snapshot().unwrap().token_if_fresh(s.now).is_some());
    }
    let (s, _) = Scenario::warm(MAX_TOKEN_LIFETIME);
    assert_eq!(s.next_deadline(), Some(MAX_TOKEN_LIFETIME - secs(300)));
}

#[test]
fn a_token_with_no_usable_time_is_a_non_retryable_failure_not_a_loop() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    s.respond_token(fetch, Duration::ZERO);
    let error = s.expect_failed();
    assert!(matches!(&error, Error::Response(e) if *e.problem() == ResponseProblem::ExpiredOnArrival));
    s.expect_no_fetch();
    assert_eq!(s.next_deadline(), Some(secs(10)));

    // Expired on arrival: received an hour ago with an hour's lifetime.
    s.jump();
    s.expect_pending();
    let fetch = s.expect_fetch();
    let token = learn_oauth_proto::AccessToken::new(
        "stale".into(),
        learn_oauth_proto::Scopes::new(),
        s.now - HOUR,
        HOUR,
    )
    .unwrap();
    s.machine.handle_response(s.now, fetch, Ok(token));
    assert!(matches!(s.expect_failed(), Error::Response(_)));
    s.expect_no_fetch();
}

#[test]
fn a_lost_request_times_out_and_its_late_answer_is_ignored() {
    let mut s = Scenario::new();
    s.expect_pending();
    let lost = s.expect_fetch();
    // The request timeout is 30 s.
    assert_eq!(s.next_deadline(), Some(secs(30)));
    s.jump();
    assert_eq!(s.machine.in_flight(), None);
    // The request counts as timed out, and the round's budget is spent: callers get it.
    let error = s.expect_failed();
    assert!(matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout));
    s.respond_token(lost, HOUR);
    assert!(
        s.machine.current_token(s.now).is_none(),
        "the late answer is ignored"
    );
    s.jump();
    s.expect_pending();
    let next = s.expect_fetch();
    assert_ne!(next, lost);
}

#[test]
fn an_answer_for_a_stale_request_id_is_ignored() {
    let mut s = Scenario::new();
    s.expect_pending();
    let first = s.expect_fetch();
    let old = s.respond_token(first, HOUR);
    s.jump();
    let refresh = s.expect_fetch();
    s.respond_error(first, unauthorized());
    s.respond_token(first, HOUR);
    assert_eq!(s.machine.in_flight(), Some(refresh));
    assert!(s.expect_ready().same_as(&old));
    s.expect_no_fetch();
    let new = s.respond_token(refresh, HOUR);
    assert!(s.expect_ready().same_as(&new));
}

#[test]
fn time_going_backwards_is_treated_as_the_latest_time_seen() {
    let (mut s, token) = Scenario::warm(HOUR);
    s.advance_to(USABLE_UNTIL);
    let earlier = s.at(secs(100));
    assert!(s.machine.current_token(earlier).is_none());
    assert!(!matches!(
        s.machine.poll_token(earlier, earlier),
        TokenPoll::Ready(_)
    ));
    let fetch = s.machine.poll_fetch(earlier).expect("demand registered");
    // A token "received" in the past (a driver with a different clock) still counts from
    // the latest now seen.
    s.machine.handle_response(earlier, fetch, Ok(token));
    assert!(
        s.machine.current_token(s.now).is_none(),
        "its usable time is over"
    );
    if let Some(next) = s.machine.poll_timeout() {
        assert!(next > s.now);
    }
}

// ---------------------------------------------------------------------------------------
// Drivers

#[test]
fn poll_driver_says_what_a_caller_should_do_next() {
    let mut s = Scenario::new();
    let DriverStep::Fetch(fetch) = s.machine.poll_driver(s.now, s.now) else {
        panic!("expected fetch")
    };
    let DriverStep::AwaitFetch(until) = s.machine.poll_driver(s.now, s.now) else {
        panic!("expected await")
    };
    assert_eq!(
        until,
        s.at(RefreshPolicy::default().max_wait),
        "waits at most until the fetch times out: the round's max_wait, shorter than request_timeout"
    );
    s.respond_error(fetch, unavailable());
    let DriverStep::Sleep(until) = s.machine.poll_driver(s.now, s.now) else {
        panic!("expected sleep")
    };
    assert_eq!(until, s.at(millis(250)));
    s.now = until;
    let DriverStep::Fetch(fetch) = s.machine.poll_driver(s.now, s.now) else {
        panic!("expected fetch")
    };
    let token = s.respond_token(fetch, HOUR);
    let DriverStep::Ready {
        token: got,
        refresh: None,
    } = s.machine.poll_driver(s.now, s.now)
    else {
        panic!("expected ready")
    };
    assert!(got.same_as(&token));
    s.advance(REFRESH_AT);
    let DriverStep::Ready {
        refresh: Some(refresh),
        ..
    } = s.machine.poll_driver(s.now, s.now)
    else {
        panic!("expected ready with a refresh")
    };
    assert!(matches!(
        s.machine.poll_driver(s.now, s.now),
        DriverStep::Ready { refresh: None, .. }
    ));
    s.respond_error(refresh, unauthorized());
    assert!(s.machine.handle_invalidate(s.now, &token));
    let DriverStep::Failed(error) = s.machine.poll_driver(s.now, s.now) else {
        panic!("expected failed")
    };
    assert_eq!(status(&error), Some(401));
}

#[test]
fn debug_never_shows_the_token() {
    let (s, token) = Scenario::warm(HOUR);
    let debug = format!("{:?} {:?}", s.machine, s.machine.snapshot());
    assert!(!debug.contains(token.expose_secret()), "{debug}");
    assert!(debug.contains("redacted"));
}

#[test]
fn odd_policies_are_made_sane() {
    let mut policy = RefreshPolicy::default();
    policy.refresh_jitter = f64::NAN;
    policy.backoff_jitter = -3.0;
    policy.max_attempts = 0;
    policy.initial_backoff = Duration::ZERO;
    policy.failure_hold_off = Duration::ZERO;
    policy.request_timeout = Duration::ZERO;
    let mut s = Scenario::with_policy(policy);
    s.expect_pending();
    let fetch = s.expect_fetch();
    assert_eq!(
        s.next_deadline(),
        Some(millis(1)),
        "a zero request timeout is one millisecond"
    );
    s.respond_error(fetch, unavailable());
    s.expect_failed();
    assert_eq!(
        s.next_deadline(),
        Some(millis(1)),
        "a zero backoff is one millisecond"
    );
    s.jump();
    s.expect_pending();
    let fetch = s.expect_fetch();
    s.respond_error(fetch, unauthorized());
    s.expect_failed();
    assert_eq!(
        s.next_deadline(),
        Some(millis(2)),
        "a zero hold-off is one millisecond"
    );
    assert!(
        s.machine.policy().refresh_jitter.is_nan(),
        "the policy is kept as given"
    );
}

#[test]
fn after_handle_timeout_the_next_deadline_is_later() {
    let (mut s, _) = Scenario::warm(secs(40));
    let mut lifecycle_steps = 0;
    while let Some(next) = s.machine.poll_timeout() {
        s.now = next;
        s.machine.handle_timeout(next);
        assert!(s.machine.poll_timeout().is_none_or(|after| after > next));
        if let Some(fetch) = s.fetch() {
            s.respond_error(fetch, unavailable());
        }
        let _ = s.ask();
        lifecycle_steps += 1;
        if lifecycle_steps > 1000 {
            break;
        }
    }
    let _: &TokenLifecycle = &s.machine;
}

// ---------------------------------------------------------------------------------------
// What the machine tells a driver to count and trace

#[test]
fn handle_response_says_what_it_decided() {
    let mut s = Scenario::new();
    s.expect_pending();
    let fetch = s.expect_fetch();
    let outcome = s
        .machine
        .handle_response(s.now, fetch, Err(too_many_requests(20)));
    assert_eq!(
        outcome,
        ResponseOutcome::RetryScheduled {
            at: Some(s.at(secs(20))),
            failures: 1,
            retry_after_honoured: true
        }
    );
    s.jump();
    let fetch = s.expect_fetch();
    let outcome = s.machine.handle_response(s.now, fetch, Err(unavailable()));
    let ResponseOutcome::RetryScheduled {
        failures: 2,
        retry_after_honoured: false,
        ..
    } = outcome
    else {
        panic!("a backoff retry, not {outcome:?}")
    };
    s.jump();
    let fetch = s.expect_fetch();
    let token = s.token(HOUR);
    assert_eq!(
        s.machine.handle_response(s.now, fetch, Ok(token)),
        ResponseOutcome::Accepted { lifetime: HOUR }
    );
    // The same id again changes nothing.
    assert_eq!(
        s.machine.handle_response(s.now, fetch, Err(unavailable())),
        ResponseOutcome::Ignored
    );
    // A non-retryable failure holds off.
    let current = s.expect_ready();
    assert!(s.machine.handle_invalidate(s.now, &current));
    s.advance(secs(60));
    s.expect_pending();
    let fetch = s.expect_fetch();
    assert_eq!(
        s.machine.handle_response(s.now, fetch, Err(unauthorized())),
        ResponseOutcome::HeldOff {
            until: Some(s.now + secs(10)),
            gave_up: false
        }
    );
}

#[test]
fn a_round_that_runs_out_reports_that_it_gave_up() {
    let mut policy = policy();
    policy.max_attempts = 1;
    let mut s = Scenario::with_policy(policy);
    s.expect_pending();
    let fetch = s.expect_fetch();
    let outcome = s.machine.handle_response(s.now, fetch, Err(unavailable()));
    assert!(
        matches!(
            outcome,
            ResponseOutcome::HeldOff {
                gave_up: true,
                until: Some(_)
            }
        ),
        "{outcome:?}"
    );
}

#[test]
fn the_token_is_stale_only_after_a_failed_refresh_until_a_new_one_arrives() {
    let (mut s, old) = Scenario::warm(HOUR);
    assert!(!s.machine.serving_stale());
    assert!(!s.machine.snapshot().unwrap().is_stale());
    s.jump(); // the refresh point
    let fetch = s.expect_fetch();
    assert!(!s.machine.serving_stale(), "refreshing, not yet stale");
    s.respond_error(fetch, unavailable());
    assert!(s.expect_ready().same_as(&old));
    assert!(s.machine.serving_stale(), "served while the endpoint is out");
    assert!(s.machine.snapshot().unwrap().is_stale());
    s.jump();
    let fetch = s.expect_fetch();
    s.respond_token(fetch, HOUR);
    assert!(!s.machine.serving_stale());
    assert!(!s.machine.snapshot().unwrap().is_stale());
}
