//! Longer than 400 lines: the unit tests of one state machine, a scenario for each step it
//! can take; split, they would share every fixture across files.

// Tests need an arbitrary starting instant; time then moves only by what they add.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use http::StatusCode;

use super::*;
use crate::Scopes;
use crate::error::{BodyKind, ErrorDetail, ServerError, UnstructuredBody};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn token(value: &str, received_at: Instant, lifetime: Duration) -> AccessToken {
    AccessToken::new(value.to_owned(), Scopes::new(), received_at, lifetime).unwrap()
}

/// The store's clock at the tests' reads.
const CLOCK: StoreTime = StoreTime(1_000_000_000);

fn start(now: Instant, replacing: Option<AccessToken>, history: &StoreHistory) -> StoreFetch {
    StoreFetch::new(
        StorePolicy::default(),
        RefreshPolicy::default(),
        now,
        Some(now + secs(60)),
        replacing,
        history,
    )
}

fn fresh(now: Instant) -> StoreFetch {
    start(now, None, &StoreHistory::new())
}

/// A read at the store's clock [`CLOCK`].
fn view() -> StoreView {
    StoreView::new(Some(CLOCK))
}

/// A read finding `token`, issued `age` before [`CLOCK`].
fn found(token: AccessToken, age: Duration) -> StoreView {
    view().with_token(token, StoreTime(CLOCK.0 - age.as_millis() as u64))
}

fn rate_limited(retry_after: Duration) -> Error {
    let detail = ErrorDetail::Unstructured(UnstructuredBody::new(BodyKind::Empty));
    Error::from(ServerError::new(StatusCode::TOO_MANY_REQUESTS, detail).with_retry_after(retry_after))
}

fn done(step: StoreStep) -> Result<AccessToken, Error> {
    match step {
        StoreStep::Done(result) => result,
        other => panic!("expected Done, got {other:?}"),
    }
}

#[test]
fn the_lease_winner_fetches_within_its_lease_and_publishes() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    assert!(matches!(fetch.poll(now), StoreStep::Read));
    fetch.handle_read(now, view());
    let StoreStep::TryLease { ttl } = fetch.poll(now) else {
        panic!("lease")
    };
    assert_eq!(ttl, secs(61), "the deadline plus the margin");
    fetch.handle_lease(now, true);
    assert!(fetch.holds_lease());
    let StoreStep::Fetch { timeout } = fetch.poll(now) else {
        panic!("fetch")
    };
    assert_eq!(timeout, secs(60), "cut off before the lease ends");
    let later = now + secs(1);
    let fetched = token("new", later, secs(3600));
    fetch.handle_fetched(later, Ok(fetched.clone()));
    let StoreStep::Publish {
        token: published,
        issued,
        expire_at,
    } = fetch.poll(later)
    else {
        panic!("publish")
    };
    assert!(published.same_as(&fetched));
    assert_eq!(
        issued,
        StoreTime(CLOCK.0 + 1000),
        "the store's clock now, through the read"
    );
    assert_eq!(
        expire_at,
        StoreTime(issued.0 + 3_600_000),
        "expires with the token"
    );
    fetch.handle_written(later);
    assert!(done(fetch.poll(later)).unwrap().same_as(&fetched));
    assert_eq!(fetch.outcome(), StoreOutcome::FetchedWithLease);
    assert!(!fetch.holds_lease());
}

#[test]
fn the_token_being_replaced_or_refused_is_never_adopted() {
    let now = Instant::now();
    let old = token("old", now - secs(60), secs(3600));
    let mut fetch = start(now, Some(old.clone()), &StoreHistory::new());
    fetch.handle_read(now, found(old, secs(60)));
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));
}

#[test]
fn a_refused_token_read_back_from_the_store_is_not_adopted() {
    // Review finding: exclusion compared handles, and a token read from the store is a
    // new handle on the same text, so a token the resource refused came straight back.
    let now = Instant::now();
    let refused = token("revoked", now - secs(60), secs(3600));
    let rebuilt = token("revoked", now - secs(60), secs(3600));
    assert!(!rebuilt.same_as(&refused));
    let mut history = StoreHistory::new();
    history.handle_refused(refused);
    let mut fetch = start(now, None, &history);
    fetch.handle_read(now, found(rebuilt, secs(60)));
    assert!(
        matches!(fetch.poll(now), StoreStep::TryLease { .. }),
        "requested anew"
    );
}

#[test]
fn a_cool_down_is_never_longer_than_the_policy_honours_a_retry_after() {
    let now = Instant::now();
    let cap = RefreshPolicy::default().max_retry_after;
    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(rate_limited(secs(24 * 3600))));
    let StoreStep::CoolDown { until } = fetch.poll(now) else {
        panic!("cool down")
    };
    assert_eq!(until.0 - CLOCK.0, cap.as_millis() as u64, "written capped");
    // A day-long cool-down planted in the store is honoured only up to the cap.
    let mut peer = fresh(now);
    peer.handle_read(now, view().with_cool_down(secs(24 * 3600)));
    assert_eq!(done(peer.poll(now)).unwrap_err().retry_after(), Some(cap));
}

#[test]
fn a_peer_token_inside_any_refresh_window_is_not_adopted() {
    let now = Instant::now();
    let policy = RefreshPolicy::default();
    // An hour-long token: refresh window 300 s, plus up to 20 % jitter: 360 s.
    let widest = policy.widest_refresh_window(secs(3600));
    assert_eq!(widest, secs(360));
    let near = token("near", now - (secs(3600) - widest), secs(3600));
    let mut fetch = fresh(now);
    fetch.handle_read(now, found(near, secs(60)));
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));

    let fine = token("fine", now - (secs(3600) - widest - secs(1)), secs(3600));
    let mut fetch = fresh(now);
    fetch.handle_read(now, found(fine.clone(), secs(60)));
    assert!(done(fetch.poll(now)).unwrap().same_as(&fine));
    assert_eq!(fetch.outcome(), StoreOutcome::Adopted);
}

#[test]
fn a_retryable_failure_hands_out_a_peer_token_due_for_refresh_but_still_usable() {
    let now = Instant::now();
    let widest = RefreshPolicy::default().widest_refresh_window(secs(3600));
    let due = token("due", now - (secs(3600) - widest), secs(3600));
    let down = || Error::from(crate::TransportError::new(crate::TransportErrorKind::Connect));
    let refused = || {
        let detail = ErrorDetail::Unstructured(UnstructuredBody::new(BodyKind::Empty));
        Error::from(ServerError::new(StatusCode::UNAUTHORIZED, detail))
    };
    let after = |mut fetch: StoreFetch, read: StoreView, error: Error| {
        fetch.handle_read(now, read);
        fetch.handle_lease(now, true);
        fetch.handle_fetched(now, Err(error));
        assert!(
            matches!(fetch.poll(now), StoreStep::Release),
            "the lease is released"
        );
        fetch.handle_written(now);
        (done(fetch.poll(now)), fetch.outcome())
    };
    let (result, outcome) = after(fresh(now), found(due.clone(), secs(60)), down());
    assert!(result.unwrap().same_as(&due));
    assert_eq!(outcome, StoreOutcome::Adopted);
    // Not for a failure that is not retryable, nor in place of the token being replaced,
    // nor past its usable time.
    let (result, _) = after(fresh(now), found(due.clone(), secs(60)), refused());
    assert!(!result.unwrap_err().is_retryable());
    let replacing = start(now, Some(due.clone()), &StoreHistory::new());
    assert!(after(replacing, found(due, secs(60)), down()).0.is_err());
    let spent = token("spent", now - secs(3595), secs(3600));
    assert!(after(fresh(now), found(spent, secs(60)), down()).0.is_err());
    // A running cool-down is waited out with it too.
    let due = token("due", now - (secs(3600) - widest), secs(3600));
    let mut fetch = fresh(now);
    fetch.handle_read(now, found(due.clone(), secs(60)).with_cool_down(secs(30)));
    assert!(done(fetch.poll(now)).unwrap().same_as(&due));
}

#[test]
fn a_loser_polls_with_growing_pauses_until_the_peer_publishes() {
    let policy = StorePolicy::default();
    let mut now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));
    fetch.handle_lease(now, false);
    let mut pauses = Vec::new();
    for _ in 0..3 {
        let StoreStep::AwaitPublish { until } = fetch.poll(now) else {
            panic!("sleep")
        };
        pauses.push(until - now);
        assert!(matches!(
            fetch.poll(until - Duration::from_millis(1)),
            StoreStep::AwaitPublish { .. }
        ));
        now = until;
        assert!(matches!(fetch.poll(now), StoreStep::Read));
        fetch.handle_read(now, view().with_lease_held());
    }
    assert_eq!(pauses, [policy.pause(0), policy.pause(1), policy.pause(2)]);
    let StoreStep::AwaitPublish { until } = fetch.poll(now) else {
        panic!("sleep")
    };
    now = until;
    assert!(matches!(fetch.poll(now), StoreStep::Read));
    let peer = token("peer", now, secs(3600));
    fetch.handle_read(now, found(peer.clone(), secs(60)));
    assert!(done(fetch.poll(now)).unwrap().same_as(&peer));
    assert_eq!(fetch.outcome(), StoreOutcome::Adopted);
}

#[test]
fn a_waiter_told_of_a_publish_reads_at_once_and_adopts() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_read(now, view().with_lease_held());
    let StoreStep::AwaitPublish { until } = fetch.poll(now) else {
        panic!("await")
    };
    let told = now + Duration::from_millis(3);
    assert!(told < until);
    fetch.handle_published(told);
    assert!(
        matches!(fetch.poll(told), StoreStep::Read),
        "reads before its timer"
    );
    let peer = token("peer", told, secs(3600));
    fetch.handle_read(told, found(peer.clone(), Duration::ZERO));
    assert!(done(fetch.poll(told)).unwrap().same_as(&peer));
    assert_eq!(fetch.outcome(), StoreOutcome::Adopted);
}

#[test]
fn a_notification_nobody_published_costs_one_read_and_the_wait_goes_on() {
    let t0 = Instant::now();
    let mut fetch = fresh(t0);
    fetch.handle_read(t0, view().with_lease_held());
    let StoreStep::AwaitPublish { until: first } = fetch.poll(t0) else {
        panic!("await")
    };
    let t1 = t0 + Duration::from_millis(1);
    fetch.handle_published(t1);
    assert!(matches!(fetch.poll(t1), StoreStep::Read));
    fetch.handle_read(t1, view().with_lease_held());
    let StoreStep::AwaitPublish { until } = fetch.poll(t1) else {
        panic!("waits again")
    };
    assert_eq!(
        until - t1,
        StorePolicy::default().pause(1),
        "the pauses still grow"
    );
    assert!(until > first);
    // Outside a wait a notification changes nothing.
    let mut leasing = fresh(t0);
    leasing.handle_read(t0, view());
    leasing.handle_published(t0);
    assert!(matches!(leasing.poll(t0), StoreStep::TryLease { .. }));
}

#[test]
fn notifications_never_stretch_the_wait_for_a_peer_past_peer_wait() {
    let t0 = Instant::now();
    let mut fetch = fresh(t0);
    let mut now = t0;
    loop {
        match fetch.poll(now) {
            StoreStep::Read => fetch.handle_read(now, view().with_lease_held()),
            StoreStep::AwaitPublish { until } => {
                assert!(until > now, "never a busy loop");
                now += Duration::from_millis(1);
                fetch.handle_published(now);
            }
            StoreStep::Fetch { .. } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(now - t0, StorePolicy::default().peer_wait);
}

fn wait_out(mut fetch: StoreFetch, start: Instant) -> (StoreFetch, Instant) {
    let mut now = start;
    loop {
        match fetch.poll(now) {
            StoreStep::Read => fetch.handle_read(now, view().with_lease_held()),
            StoreStep::AwaitPublish { until } => {
                assert!(until > now, "never a busy loop");
                now = until;
            }
            StoreStep::Fetch { .. } => return (fetch, now),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn a_peer_that_never_publishes_is_waited_for_at_most_peer_wait() {
    let t0 = Instant::now();
    let (mut fetch, at) = wait_out(fresh(t0), t0);
    assert_eq!(at - t0, StorePolicy::default().peer_wait);
    fetch.handle_fetched(at, Ok(token("mine", at, secs(3600))));
    // Alone, but the store works: the token is still shared.
    assert!(matches!(fetch.poll(at), StoreStep::Publish { .. }));
    fetch.handle_written(at);
    assert!(done(fetch.poll(at)).is_ok());
    assert_eq!(fetch.outcome(), StoreOutcome::FetchedAlone);

    // With a 4 s deadline, the wait ends at half of it, leaving the request 2 s.
    let short = StoreFetch::new(
        StorePolicy::default(),
        RefreshPolicy::default(),
        t0,
        Some(t0 + secs(4)),
        None,
        &StoreHistory::new(),
    );
    let (mut fetch, at) = wait_out(short, t0);
    assert_eq!(at - t0, secs(2));
    let StoreStep::Fetch { timeout } = fetch.poll(at) else {
        panic!("fetch")
    };
    assert_eq!(timeout, secs(2));
}

#[test]
fn a_rate_limited_lease_holder_cools_the_fleet_down() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(rate_limited(secs(30))));
    let StoreStep::CoolDown { until } = fetch.poll(now) else {
        panic!("cool down")
    };
    assert_eq!(until, StoreTime(CLOCK.0 + 30_000));
    fetch.handle_written(now);
    assert_eq!(done(fetch.poll(now)).unwrap_err().retry_after(), Some(secs(30)));

    // A peer reading the cool-down backs off as if it had been answered 429 itself.
    let mut peer = fresh(now);
    peer.handle_read(now, view().with_cool_down(secs(29)).with_lease_held());
    let error = done(peer.poll(now)).unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(secs(29)));
    assert!(error.is_retryable());
    assert_eq!(peer.outcome(), StoreOutcome::CooledDown);
}

#[test]
fn a_failed_request_releases_the_lease_and_writes_nothing_else() {
    let now = Instant::now();
    let failure = || Error::from(crate::TransportError::new(crate::TransportErrorKind::Connect));
    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(failure()));
    assert!(matches!(fetch.poll(now), StoreStep::Release));
    fetch.handle_written(now);
    assert!(done(fetch.poll(now)).is_err());

    // Without the lease there is nothing to release.
    let (mut alone, at) = wait_out(fresh(now), now);
    alone.handle_fetched(at, Err(failure()));
    assert!(done(alone.poll(at)).is_err());
}

#[test]
fn a_store_error_sends_the_request_on_alone_and_keeps_a_fetched_token() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_store_error(now); // the read failed
    assert!(matches!(fetch.poll(now), StoreStep::Fetch { .. }));
    let fetched = token("mine", now, secs(3600));
    fetch.handle_fetched(now, Ok(fetched.clone()));
    assert!(
        done(fetch.poll(now)).unwrap().same_as(&fetched),
        "no publish to a failing store"
    );
    assert_eq!(fetch.outcome(), StoreOutcome::FetchedAlone);

    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Ok(fetched.clone()));
    assert!(matches!(fetch.poll(now), StoreStep::Publish { .. }));
    fetch.handle_store_error(now); // the publish failed
    assert!(done(fetch.poll(now)).unwrap().same_as(&fetched));
}

#[test]
fn a_bypassed_request_never_touches_the_store() {
    let now = Instant::now();
    let mut fetch = StoreFetch::bypass(StorePolicy::default(), RefreshPolicy::default(), now, None);
    let StoreStep::Fetch { timeout } = fetch.poll(now) else {
        panic!("fetch")
    };
    assert_eq!(timeout, RefreshPolicy::default().request_timeout);
    fetch.handle_fetched(now, Err(rate_limited(secs(5))));
    assert!(done(fetch.poll(now)).is_err(), "not even a cool-down");
}

#[test]
fn answers_out_of_turn_are_ignored() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Ok(token("x", now, secs(60))));
    fetch.handle_written(now);
    assert!(matches!(fetch.poll(now), StoreStep::Read), "still reading");
    assert!(!fetch.holds_lease());
}

#[test]
fn a_value_older_than_one_seen_is_refused_as_a_rollback() {
    let now = Instant::now();
    let newer = token("newer", now - secs(10), secs(3600));
    let mut fetch = fresh(now);
    fetch.handle_read(now, found(newer.clone(), secs(10)));
    assert!(done(fetch.poll(now)).unwrap().same_as(&newer));
    assert_eq!(fetch.poll_refused(), None);
    let mut history = StoreHistory::new();
    history.merge(fetch.history());
    assert_eq!(history.newest(), Some(StoreTime(CLOCK.0 - 10_000)));

    // The resource refuses it; an older token, still inside its lifetime, is written back.
    history.handle_refused(newer.clone());
    let older = token("older", now - secs(60), secs(3600));
    let mut fetch = start(now, Some(newer), &history);
    fetch.handle_read(now, found(older, secs(60)));
    assert_eq!(fetch.poll_refused(), Some(StoreRefusal::Older));
    assert_eq!(fetch.poll_refused(), None, "drained once");
    assert!(
        matches!(fetch.poll(now), StoreStep::TryLease { .. }),
        "requested anew"
    );
}

#[test]
fn a_value_this_replica_published_bars_older_ones() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_read(now, view());
    fetch.handle_lease(now, true);
    let mine = token("mine", now, secs(3600));
    fetch.handle_fetched(now, Ok(mine));
    let StoreStep::Publish { issued, .. } = fetch.poll(now) else {
        panic!("publish")
    };
    fetch.handle_store_error(now); // it may have landed all the same
    assert_eq!(fetch.history().newest(), Some(issued));

    // Written back: a value from a second before this replica's.
    let mut fetch = start(now, None, fetch.history());
    let older = token("older", now - secs(1), secs(3600));
    fetch.handle_read(now, found(older, secs(1)));
    assert_eq!(fetch.poll_refused(), Some(StoreRefusal::Older));
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));
}

#[test]
fn a_publish_within_the_millisecond_of_the_last_is_issued_after_it() {
    let now = Instant::now();
    let publish = |history: &StoreHistory, value: &str| {
        let mut fetch = start(now, None, history);
        fetch.handle_read(now, view());
        fetch.handle_lease(now, true);
        fetch.handle_fetched(now, Ok(token(value, now, secs(3600))));
        let StoreStep::Publish { issued, .. } = fetch.poll(now) else {
            panic!("publish")
        };
        fetch.handle_written(now);
        (issued, fetch.history().clone())
    };
    // Two tokens fetched and published at one instant (on the store's clock too).
    let (first, history) = publish(&StoreHistory::new(), "first");
    let (second, history) = publish(&history, "second");
    assert!(second > first, "{second:?} after {first:?}");
    // A peer that adopted the second refuses the first, written back.
    let mut peer = start(now, None, &history);
    peer.handle_read(now, view().with_token(token("first", now, secs(3600)), first));
    assert_eq!(peer.poll_refused(), Some(StoreRefusal::Older));
}

#[test]
fn a_value_issued_with_or_after_the_newest_seen_is_adopted() {
    let now = Instant::now();
    let mut history = StoreHistory::new();
    let mut first = fresh(now);
    first.handle_read(now, found(token("a", now - secs(60), secs(3600)), secs(60)));
    history.merge(first.history());
    let same = token("b", now - secs(60), secs(3600));
    let mut fetch = start(now, None, &history);
    fetch.handle_read(now, found(same.clone(), secs(60)));
    assert!(
        done(fetch.poll(now)).unwrap().same_as(&same),
        "the same instant is not older"
    );
}

#[test]
fn without_the_store_clock_nothing_is_written_but_the_lease_is_released() {
    let now = Instant::now();
    let mut fetch = fresh(now);
    fetch.handle_read(now, StoreView::new(None));
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Ok(token("mine", now, secs(3600))));
    assert!(matches!(fetch.poll(now), StoreStep::Release));
    fetch.handle_written(now);
    assert!(done(fetch.poll(now)).is_ok());

    let mut fetch = fresh(now);
    fetch.handle_read(now, StoreView::new(None));
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(rate_limited(secs(30))));
    assert!(
        matches!(fetch.poll(now), StoreStep::Release),
        "no cool-down without a clock"
    );
}

#[test]
fn a_history_remembers_a_bounded_number_of_refused_tokens() {
    let now = Instant::now();
    let mut history = StoreHistory::new();
    let tokens: Vec<_> = (0..6).map(|i| token(&format!("t{i}"), now, secs(3600))).collect();
    for t in &tokens {
        history.handle_refused(t.clone());
        history.handle_refused(t.clone());
    }
    assert!(!history.is_refused(&tokens[0]), "the oldest refusals give way");
    assert!(tokens[2..].iter().all(|t| history.is_refused(t)));
    let mut merged = StoreHistory::new();
    merged.merge(&history);
    assert!(merged.is_refused(&tokens[5]));
    assert_eq!(merged.newest(), None);
}
