// Tests need an arbitrary starting instant; time then moves only by what they add.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use super::*;
use crate::Scopes;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn token(value: &str, received_at: Instant, lifetime: Duration) -> AccessToken {
    AccessToken::new(value.to_owned(), Scopes::new(), received_at, lifetime).unwrap()
}

fn start(now: Instant, exclude: &[AccessToken]) -> StoreFetch {
    StoreFetch::new(
        StorePolicy::default(),
        RefreshPolicy::default(),
        now,
        Some(now + secs(60)),
        exclude,
    )
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
    let mut fetch = start(now, &[]);
    assert!(matches!(fetch.poll(now), StoreStep::Read));
    fetch.handle_read(now, StoreView::empty());
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
        ttl,
    } = fetch.poll(later)
    else {
        panic!("publish")
    };
    assert!(published.same_as(&fetched));
    assert_eq!(ttl, secs(3600), "expires with the token");
    fetch.handle_written(later);
    assert!(done(fetch.poll(later)).unwrap().same_as(&fetched));
    assert_eq!(fetch.outcome(), StoreOutcome::FetchedWithLease);
    assert!(!fetch.holds_lease());
}

#[test]
fn the_token_being_replaced_or_refused_is_never_adopted() {
    let now = Instant::now();
    let old = token("old", now - secs(60), secs(3600));
    let mut fetch = start(now, std::slice::from_ref(&old));
    fetch.handle_read(now, StoreView::new(Some(old), None, false));
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
    let mut fetch = start(now, std::slice::from_ref(&refused));
    fetch.handle_read(now, StoreView::new(Some(rebuilt), None, false));
    assert!(
        matches!(fetch.poll(now), StoreStep::TryLease { .. }),
        "requested anew"
    );
}

#[test]
fn a_cool_down_is_never_longer_than_the_policy_honours_a_retry_after() {
    let now = Instant::now();
    let cap = RefreshPolicy::default().max_retry_after;
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::empty());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(rate_limited(secs(24 * 3600))));
    let StoreStep::CoolDown { ttl } = fetch.poll(now) else {
        panic!("cool down")
    };
    assert_eq!(ttl, cap, "written capped");
    // A day-long cool-down planted in the store is honoured only up to the cap.
    let mut peer = start(now, &[]);
    peer.handle_read(now, StoreView::new(None, Some(secs(24 * 3600)), false));
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
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::new(Some(near), None, false));
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));

    let fine = token("fine", now - (secs(3600) - widest - secs(1)), secs(3600));
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::new(Some(fine.clone()), None, false));
    assert!(done(fetch.poll(now)).unwrap().same_as(&fine));
    assert_eq!(fetch.outcome(), StoreOutcome::Adopted);
}

#[test]
fn a_loser_polls_with_growing_pauses_until_the_peer_publishes() {
    let policy = StorePolicy::default();
    let mut now = Instant::now();
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::empty());
    assert!(matches!(fetch.poll(now), StoreStep::TryLease { .. }));
    fetch.handle_lease(now, false);
    let mut pauses = Vec::new();
    for _ in 0..3 {
        let StoreStep::Sleep(until) = fetch.poll(now) else {
            panic!("sleep")
        };
        pauses.push(until - now);
        assert!(matches!(
            fetch.poll(until - Duration::from_millis(1)),
            StoreStep::Sleep(_)
        ));
        now = until;
        assert!(matches!(fetch.poll(now), StoreStep::Read));
        fetch.handle_read(now, StoreView::new(None, None, true));
    }
    assert_eq!(pauses, [policy.pause(0), policy.pause(1), policy.pause(2)]);
    let StoreStep::Sleep(until) = fetch.poll(now) else {
        panic!("sleep")
    };
    now = until;
    assert!(matches!(fetch.poll(now), StoreStep::Read));
    let peer = token("peer", now, secs(3600));
    fetch.handle_read(now, StoreView::new(Some(peer.clone()), None, false));
    assert!(done(fetch.poll(now)).unwrap().same_as(&peer));
    assert_eq!(fetch.outcome(), StoreOutcome::Adopted);
}

fn wait_out(mut fetch: StoreFetch, start: Instant) -> (StoreFetch, Instant) {
    let mut now = start;
    loop {
        match fetch.poll(now) {
            StoreStep::Read => fetch.handle_read(now, StoreView::new(None, None, true)),
            StoreStep::Sleep(until) => {
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
    let (mut fetch, at) = wait_out(start(t0, &[]), t0);
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
        &[],
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
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::empty());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(rate_limited(secs(30))));
    let StoreStep::CoolDown { ttl } = fetch.poll(now) else {
        panic!("cool down")
    };
    assert_eq!(ttl, secs(30));
    fetch.handle_written(now);
    assert_eq!(done(fetch.poll(now)).unwrap_err().retry_after(), Some(secs(30)));

    // A peer reading the cool-down backs off as if it had been answered 429 itself.
    let mut peer = start(now, &[]);
    peer.handle_read(now, StoreView::new(None, Some(secs(29)), true));
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
    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::empty());
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Err(failure()));
    assert!(matches!(fetch.poll(now), StoreStep::Release));
    fetch.handle_written(now);
    assert!(done(fetch.poll(now)).is_err());

    // Without the lease there is nothing to release.
    let (mut alone, at) = wait_out(start(now, &[]), now);
    alone.handle_fetched(at, Err(failure()));
    assert!(done(alone.poll(at)).is_err());
}

#[test]
fn a_store_error_sends_the_request_on_alone_and_keeps_a_fetched_token() {
    let now = Instant::now();
    let mut fetch = start(now, &[]);
    fetch.handle_store_error(now); // the read failed
    assert!(matches!(fetch.poll(now), StoreStep::Fetch { .. }));
    let fetched = token("mine", now, secs(3600));
    fetch.handle_fetched(now, Ok(fetched.clone()));
    assert!(
        done(fetch.poll(now)).unwrap().same_as(&fetched),
        "no publish to a failing store"
    );
    assert_eq!(fetch.outcome(), StoreOutcome::FetchedAlone);

    let mut fetch = start(now, &[]);
    fetch.handle_read(now, StoreView::empty());
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
    let mut fetch = start(now, &[]);
    fetch.handle_lease(now, true);
    fetch.handle_fetched(now, Ok(token("x", now, secs(60))));
    fetch.handle_written(now);
    assert!(matches!(fetch.poll(now), StoreStep::Read), "still reading");
    assert!(!fetch.holds_lease());
}
