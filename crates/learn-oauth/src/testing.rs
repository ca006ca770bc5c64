/// A token source with scripted answers and counters, for your unit tests.
///
/// ```
/// use learn_oauth::error::{TransportError, TransportErrorKind};
/// use learn_oauth::testing::FakeTokenSource;
/// use learn_oauth::{Error, TokenSource};
///
/// # tokio_test_block_on(async {
/// let fake = FakeTokenSource::new("t0k3n")
///     .then_error(Error::from(TransportError::new(TransportErrorKind::Connect)));
/// assert!(fake.token().await.is_err(), "the scripted error first");
/// let token = fake.token().await.unwrap();
/// assert_eq!(token.expose_secret(), "t0k3n");
/// assert!(fake.invalidate(&token));
/// assert_eq!(fake.token().await.unwrap().expose_secret(), "t0k3n-2");
/// assert_eq!((fake.token_calls(), fake.invalidations()), (3, 1));
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     assert!(f.as_mut().poll(&mut cx).is_ready(), "the fake never waits");
/// # }
/// ```
pub use learn_oauth_driver::testing::FakeTokenSource;
