//! The bearer shells over a token source: a token attached, a 401 that rejects it
//! retried once with a new token, a second 401 the answer.

use std::future::Future;

use http::{HeaderMap, StatusCode, Uri};
use learn_oauth_driver::bearer::{BearerAttempt, BlockingBearerAttempt};
use learn_oauth_driver::testing::FakeTokenSource;
use learn_oauth_proto::Error;

/// Runs `future` to completion with one poll: the fake source never waits.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("the fake source never waits"),
    }
}

fn uri() -> Uri {
    Uri::from_static("http://localhost/api")
}

#[test]
fn the_async_attempt_retries_a_401_once_with_a_new_token() -> Result<(), Error> {
    ready(async {
        let source = FakeTokenSource::new("t0k3n");
        let mut headers = HeaderMap::new();
        let mut attempt = BearerAttempt::begin(&source, &headers).await?;
        attempt.authorize(&mut headers);
        assert_eq!(headers["authorization"], "Bearer t0k3n");
        assert!(
            attempt
                .retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()))
                .await?
        );
        attempt.authorize(&mut headers);
        assert_eq!(headers["authorization"], "Bearer t0k3n-2");
        assert!(
            !attempt
                .retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()))
                .await?
        );
        assert_eq!(source.invalidations(), 1);
        Ok(())
    })
}

#[test]
fn the_blocking_attempt_retries_a_401_once_with_a_new_token() -> Result<(), Error> {
    let source = FakeTokenSource::new("t0k3n");
    let mut headers = HeaderMap::new();
    let mut attempt = BlockingBearerAttempt::begin(&source, &headers)?;
    attempt.authorize(&mut headers);
    assert_eq!(headers["authorization"], "Bearer t0k3n");
    assert!(attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()))?);
    attempt.authorize(&mut headers);
    assert_eq!(headers["authorization"], "Bearer t0k3n-2");
    assert!(!attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()))?);
    assert_eq!(source.invalidations(), 1);
    Ok(())
}
