/// The bearer-token rules (attach, keep the caller's own, retry a 401 once) for a
/// client of your own.
pub mod bearer {
    pub use learn_oauth_proto::{ResourceVerdict, resource_verdict};

    /// One request's bearer authorization, with tokens from an async source.
    ///
    /// A token attached, a 401 retried once with a new one:
    ///
    /// ```
    /// use learn_oauth::driver::bearer::BearerAttempt;
    /// use learn_oauth::http::{HeaderMap, StatusCode, Uri};
    /// use learn_oauth::testing::FakeTokenSource;
    ///
    /// # let waker = std::task::Waker::noop();
    /// # let mut cx = std::task::Context::from_waker(&waker);
    /// # let mut run = std::pin::pin!(async {
    /// let source = FakeTokenSource::new("t0k3n");
    /// let uri: Uri = "http://localhost/api".parse().unwrap();
    /// let mut headers = HeaderMap::new();
    /// let mut attempt = BearerAttempt::begin(&source, &headers).await?;
    /// attempt.authorize(&mut headers);
    /// assert_eq!(headers["authorization"], "Bearer t0k3n");
    /// // The resource answers 401: drop the token, send again with a new one.
    /// assert!(attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri)).await?);
    /// attempt.authorize(&mut headers);
    /// assert_eq!(headers["authorization"], "Bearer t0k3n-2");
    /// // A second 401 is the answer.
    /// assert!(!attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri)).await?);
    /// assert_eq!(source.invalidations(), 1);
    /// # Ok::<(), learn_oauth::Error>(())
    /// # });
    /// # assert!(run.as_mut().poll(&mut cx).is_ready());
    /// ```
    pub use learn_oauth_driver::bearer::BearerAttempt;

    /// One request's bearer authorization in blocking code.
    ///
    /// A token attached, a 401 retried once with a new one:
    ///
    /// ```
    /// use learn_oauth::driver::bearer::BlockingBearerAttempt;
    /// use learn_oauth::http::{HeaderMap, StatusCode, Uri};
    /// use learn_oauth::testing::FakeTokenSource;
    ///
    /// let source = FakeTokenSource::new("t0k3n");
    /// let uri: Uri = "http://localhost/api".parse().unwrap();
    /// let mut headers = HeaderMap::new();
    /// let mut attempt = BlockingBearerAttempt::begin(&source, &headers)?;
    /// attempt.authorize(&mut headers);
    /// assert_eq!(headers["authorization"], "Bearer t0k3n");
    /// // The resource answers 401: drop the token, send again with a new one.
    /// assert!(attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri))?);
    /// attempt.authorize(&mut headers);
    /// assert_eq!(headers["authorization"], "Bearer t0k3n-2");
    /// // A second 401 is the answer.
    /// assert!(!attempt.retry(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri))?);
    /// assert_eq!(source.invalidations(), 1);
    /// # Ok::<(), learn_oauth::Error>(())
    /// ```
    pub use learn_oauth_driver::bearer::BlockingBearerAttempt;
}
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use learn_oauth_driver::{Async, AsyncClock, SendAsync, TokioClock};
pub use learn_oauth_driver::{
    Blocking, BlockingClock, Clock, DEFAULT_CONNECT_TIMEOUT, Flavor, Provider, ProviderBuilder,
    RootCertificate, SystemClock,
};
pub use learn_oauth_proto::RequestBody;

/// A blocking transport: implement its one method, and the provider runs over your
/// HTTP client.
///
/// ```
/// use std::time::Duration;
/// use learn_oauth::ClientConfig;
/// use learn_oauth::driver::{Blocking, Provider, RequestBody, SendBlocking};
/// use learn_oauth::error::{TransportError, TransportErrorKind};
///
/// #[derive(Debug)]
/// struct Offline;
///
/// impl SendBlocking for Offline {
///     fn send(
///         &self,
///         _request: http::Request<RequestBody>,
///         _body_limit: usize,
///         _timeout: Duration,
///     ) -> Result<http::Response<Vec<u8>>, TransportError> {
///         Err(TransportError::new(TransportErrorKind::Connect))
///     }
/// }
///
/// let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
/// let provider = Provider::<Blocking<Offline>>::builder(config).transport(Offline).build()?;
/// # let _ = provider;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use learn_oauth_driver::SendBlocking;
