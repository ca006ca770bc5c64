pub use learn_oauth_driver::tower::*;

/// `Authorization: Bearer …` on every request of a tower service, from a token source.
///
/// ```
/// use std::convert::Infallible;
/// use std::future::{Ready, ready};
/// use std::task::{Context, Poll};
///
/// use learn_oauth::testing::FakeTokenSource;
/// use learn_oauth::tower::AuthLayer;
/// use tower_layer::Layer;
/// use tower_service::Service;
///
/// /// Stands in for hyper's client: answers with the Authorization header it got.
/// #[derive(Clone)]
/// struct Echo;
///
/// impl Service<http::Request<String>> for Echo {
///     type Response = http::Response<String>;
///     type Error = Infallible;
///     type Future = Ready<Result<Self::Response, Infallible>>;
///     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
///         Poll::Ready(Ok(()))
///     }
///     fn call(&mut self, request: http::Request<String>) -> Self::Future {
///         let seen = request.headers()["authorization"].to_str().unwrap().to_owned();
///         ready(Ok(http::Response::new(seen)))
///     }
/// }
///
/// let mut service = AuthLayer::new(FakeTokenSource::new("t0k3n")).layer(Echo);
/// let request = http::Request::get("https://api.example/v1/ping").body(String::new()).unwrap();
/// # let waker = std::task::Waker::noop();
/// # let mut cx = Context::from_waker(&waker);
/// let mut call = service.call(request);
/// # let Poll::Ready(response) = call.as_mut().poll(&mut cx) else { panic!("ready") };
/// # assert_eq!(response.unwrap().body(), "Bearer t0k3n");
/// // call.await? — with Bearer t0k3n attached
/// ```
pub use learn_oauth_driver::tower::AuthLayer;
