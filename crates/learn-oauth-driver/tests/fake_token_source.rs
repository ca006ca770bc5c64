//! `FakeTokenSource`: scripted answers first, then the fallback token, a new value after
//! each invalidation, and counters of both.

use std::future::Future;

use learn_oauth_driver::testing::FakeTokenSource;
use learn_oauth_driver::{BlockingTokenSource, TokenSource};
use learn_oauth_proto::{Error, TransportError, TransportErrorKind};

/// Runs `future` to completion with one poll: the fake never waits.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("the fake never waits"),
    }
}

fn connect_error() -> Error {
    Error::from(TransportError::new(TransportErrorKind::Connect))
}

#[test]
fn the_script_comes_first_then_the_fallback_and_a_new_value_after_an_invalidation() {
    let fake = FakeTokenSource::new("t0k3n").then_error(connect_error());
    assert!(
        ready(TokenSource::token(&fake)).is_err(),
        "the scripted error first"
    );
    let token = ready(TokenSource::token(&fake)).expect("the fallback token");
    assert_eq!(token.expose_secret(), "t0k3n");
    assert!(TokenSource::invalidate(&fake, &token));
    assert_eq!(
        ready(TokenSource::token(&fake))
            .expect("a new token")
            .expose_secret(),
        "t0k3n-2"
    );
    assert_eq!((fake.token_calls(), fake.invalidations()), (3, 1));
}

#[test]
fn the_blocking_face_shares_the_script_and_the_counters() {
    let fake = FakeTokenSource::new("t0k3n").then_error(connect_error());
    let clone = fake.clone();
    assert!(
        BlockingTokenSource::token(&clone).is_err(),
        "the scripted error first"
    );
    let token = BlockingTokenSource::token(&fake).expect("the fallback token");
    assert!(BlockingTokenSource::invalidate(&clone, &token));
    assert_eq!(
        BlockingTokenSource::token(&fake)
            .expect("a new token")
            .expose_secret(),
        "t0k3n-2"
    );
    assert_eq!((fake.token_calls(), fake.invalidations()), (3, 1));
}
