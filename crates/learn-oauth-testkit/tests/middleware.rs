//! Tokens where requests are sent: the reqwest middleware and the tower layer, each
//! through a real HTTP client (reqwest, hyper) against the mock's protected resource,
//! with both transports' providers and the fake token source. Every scenario is written
//! once and run for each client and source.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::AUTHORIZATION;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use learn_oauth_driver::testing::FakeTokenSource;
use learn_oauth_driver::tower::{AuthError, AuthLayer, AuthService, Replay};
use learn_oauth_driver::{Stats, TokenSource, TransportOptions};
use learn_oauth_mock::MockServer;
use learn_oauth_proto::{Error, RefreshPolicy};
use learn_oauth_reqwest::middleware::AuthMiddleware;
use learn_oauth_testkit::fixtures::{self, SECRET};
use reqwest_middleware::ClientWithMiddleware;
use tower_layer::Layer;
use tower_service::Service;

/// What a scenario needs of a client: send `GET` to the resource (with the caller's own
/// `Authorization` if given) and say the status, or the token error.
trait Resource: Send + Sync {
    fn get(
        &self,
        own_authorization: Option<&'static str>,
    ) -> impl Future<Output = Result<StatusCode, Error>> + Send;
}

struct Middleware {
    client: ClientWithMiddleware,
    url: String,
}

impl Resource for Middleware {
    async fn get(&self, own_authorization: Option<&'static str>) -> Result<StatusCode, Error> {
        let mut request = self.client.get(&self.url);
        if let Some(value) = own_authorization {
            request = request.header(AUTHORIZATION, value);
        }
        match request.send().await {
            Ok(response) => Ok(response.status()),
            Err(reqwest_middleware::Error::Middleware(error)) => Err(error
                .downcast::<Error>()
                .expect("the middleware's error is the typed token error")),
            Err(other) => panic!("the resource is reachable: {other}"),
        }
    }
}

type Hyper = Client<HttpConnector, Full<Bytes>>;

struct Layered<S, R> {
    service: AuthService<Hyper, S, R>,
    url: String,
}

impl<S: TokenSource + Clone + 'static, R: Replay<Full<Bytes>>> Resource for Layered<S, R> {
    async fn get(&self, own_authorization: Option<&'static str>) -> Result<StatusCode, Error> {
        let mut request = http::Request::get(&self.url);
        if let Some(value) = own_authorization {
            request = request.header(AUTHORIZATION, value);
        }
        let request = request.body(Full::new(Bytes::new())).expect("a request");
        let mut service = self.service.clone();
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .expect("ready");
        match service.call(request).await {
            Ok(response) => {
                let status = response.status();
                response.into_body().collect().await.expect("a whole body");
                Ok(status)
            }
            Err(AuthError::Token(error)) => Err(error),
            Err(other) => panic!("the resource is reachable: {other}"),
        }
    }
}

/// A policy whose cool-down after an invalidation does not hold the retry for seconds.
fn policy() -> RefreshPolicy {
    let mut policy = fixtures::policy();
    policy.invalidate_cooldown = Duration::from_millis(1);
    policy
}

fn async_provider(server: &MockServer) -> learn_oauth_reqwest::TokenProvider {
    learn_oauth_reqwest::TokenProvider::builder(fixtures::config(server))
        .policy(policy())
        .build()
        .expect("a provider")
}

fn blocking_provider(server: &MockServer) -> learn_oauth_ureq::TokenProvider {
    learn_oauth_ureq::TokenProvider::builder(fixtures::config(server))
        .policy(policy())
        .build()
        .expect("a provider")
}

fn middleware(server: &MockServer, source: impl TokenSource + 'static, retry: bool) -> Middleware {
    let auth = AuthMiddleware::new(source);
    let auth = if retry { auth } else { auth.without_retry() };
    // The workspace builds reqwest without a TLS provider, and nothing here installs a
    // process-wide one: the middleware's own client brings its TLS.
    let client = auth
        .into_client_builder(&TransportOptions::new())
        .expect("a client")
        .build();
    Middleware {
        client,
        url: server.resource_url(),
    }
}

fn hyper() -> Hyper {
    Client::builder(TokioExecutor::new()).build_http()
}

fn layered<S: TokenSource + Clone + 'static>(
    server: &MockServer,
    source: S,
) -> Layered<S, impl Replay<Full<Bytes>>> {
    Layered {
        service: AuthLayer::new(source).layer(hyper()),
        url: server.resource_url(),
    }
}

fn layered_without_retry<S: TokenSource + Clone + 'static>(
    server: &MockServer,
    source: S,
) -> Layered<S, impl Replay<Full<Bytes>>> {
    Layered {
        service: AuthLayer::new(source).without_retry().layer(hyper()),
        url: server.resource_url(),
    }
}

/// The clients every scenario runs with: the middleware over the async provider, and the
/// layer over each transport's provider; `stats` reads the provider's counters.
async fn each_client<F, Fut>(retry: bool, scenario: F)
where
    F: Fn(MockServer, StatsFn, Box<dyn ResourceObject>) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = fixtures::server();
    let provider = async_provider(&server);
    let stats = {
        let provider = provider.clone();
        Box::new(move || provider.stats())
    };
    let client = Box::new(middleware(&server, provider, retry));
    scenario(server, stats, client).await;

    for blocking in [false, true] {
        let server = fixtures::server();
        let (stats, client): (StatsFn, Box<dyn ResourceObject>) = if blocking {
            let provider = blocking_provider(&server);
            let client = layer_client(&server, provider.clone(), retry);
            (Box::new(move || provider.stats()), client)
        } else {
            let provider = async_provider(&server);
            let client = layer_client(&server, provider.clone(), retry);
            (Box::new(move || provider.stats()), client)
        };
        scenario(server, stats, client).await;
    }
}

type StatsFn = Box<dyn Fn() -> Stats + Send + Sync>;

fn layer_client<S: TokenSource + Clone + 'static>(
    server: &MockServer,
    source: S,
    retry: bool,
) -> Box<dyn ResourceObject> {
    if retry {
        Box::new(layered(server, source))
    } else {
        Box::new(layered_without_retry(server, source))
    }
}

/// [`Resource`] as an object, so the scenarios take any client.
trait ResourceObject: Send + Sync {
    fn get_boxed(
        &self,
        own_authorization: Option<&'static str>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<StatusCode, Error>> + Send + '_>>;
}

impl<T: Resource> ResourceObject for T {
    fn get_boxed(
        &self,
        own_authorization: Option<&'static str>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<StatusCode, Error>> + Send + '_>> {
        Box::pin(self.get(own_authorization))
    }
}

async fn get(client: &dyn ResourceObject) -> StatusCode {
    client.get_boxed(None).await.expect("a token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_attached_and_cached_across_requests() {
    each_client(true, |server, stats, client| async move {
        assert_eq!(get(&*client).await, StatusCode::OK, "the resource took the token");
        assert_eq!(get(&*client).await, StatusCode::OK);
        assert_eq!(server.token_request_count(), 1, "one token for both requests");
        assert_eq!(server.resource_request_count(), 2);
        assert_eq!(stats().invalidations, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requests_own_authorization_is_kept_and_no_token_is_fetched() {
    each_client(true, |server, stats, client| async move {
        let status = client
            .get_boxed(Some("Bearer not-ours"))
            .await
            .expect("no token needed");
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the caller's header went out as it was"
        );
        assert_eq!(server.token_request_count(), 0);
        assert_eq!(server.resource_request_count(), 1, "and was not retried");
        assert_eq!(stats().invalidations, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_invalidates_once_fetches_once_and_retries_once() {
    each_client(true, |server, stats, client| async move {
        assert_eq!(get(&*client).await, StatusCode::OK);
        server.revoke_all_tokens();
        assert_eq!(get(&*client).await, StatusCode::OK, "retried with a new token");
        assert_eq!(server.token_request_count(), 2, "one new token");
        assert_eq!(server.resource_request_count(), 3, "one retry");
        assert_eq!(stats().invalidations, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_401_is_returned_not_looped_on() {
    each_client(true, |server, stats, client| async move {
        for _ in 0..2 {
            server.enqueue_resource_answer(401, Some(r#"Bearer error="invalid_token""#));
        }
        assert_eq!(get(&*client).await, StatusCode::UNAUTHORIZED);
        assert_eq!(server.resource_request_count(), 2, "sent twice, not more");
        assert_eq!(server.token_request_count(), 2);
        assert_eq!(
            stats().invalidations,
            1,
            "the retried token is not dropped in a loop"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_replay_a_401_is_returned_and_the_token_still_dropped() {
    each_client(false, |server, stats, client| async move {
        assert_eq!(get(&*client).await, StatusCode::OK);
        server.revoke_all_tokens();
        assert_eq!(get(&*client).await, StatusCode::UNAUTHORIZED, "not replayed");
        assert_eq!(server.resource_request_count(), 2);
        assert_eq!(stats().invalidations, 1);
        assert_eq!(
            get(&*client).await,
            StatusCode::OK,
            "the next request has a new token"
        );
        assert_eq!(server.token_request_count(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_and_insufficient_scope_are_not_retried() {
    each_client(true, |server, stats, client| async move {
        server.enqueue_resource_answer(403, None);
        assert_eq!(get(&*client).await, StatusCode::FORBIDDEN);
        server.enqueue_resource_answer(
            401,
            Some(r#"Bearer error="insufficient_scope", scope="api/write""#),
        );
        assert_eq!(get(&*client).await, StatusCode::UNAUTHORIZED);
        assert_eq!(server.resource_request_count(), 2, "neither was sent again");
        assert_eq!(server.token_request_count(), 1);
        assert_eq!(stats().invalidations, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_error_is_the_typed_error_and_nothing_is_sent() {
    let server = fixtures::server_with_other_secret();
    let clients: Vec<Box<dyn ResourceObject>> = vec![
        Box::new(middleware(&server, async_provider(&server), true)),
        Box::new(layered(&server, async_provider(&server))),
        Box::new(layered(&server, blocking_provider(&server))),
    ];
    for client in clients {
        let error = client.get_boxed(None).await.expect_err("bad credentials");
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
        assert!(!error.is_retryable());
        assert!(!format!("{error} {error:?}").contains(SECRET));
    }
    assert_eq!(server.resource_request_count(), 0, "no request without a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_source_drives_the_same_rules_without_a_token_server() {
    let server = fixtures::server();
    // The fake's tokens are unknown to the mock: every one is refused.
    let fake = FakeTokenSource::new("fake-token");
    let clients: Vec<Box<dyn ResourceObject>> = vec![
        Box::new(middleware(&server, fake.clone(), true)),
        Box::new(layered(&server, fake.clone())),
    ];
    for (n, client) in clients.iter().enumerate() {
        assert_eq!(get(&**client).await, StatusCode::UNAUTHORIZED);
        assert_eq!(fake.token_calls(), 2 * (n + 1), "one token, one after the 401");
        assert_eq!(fake.invalidations(), n + 1);
    }
    assert_eq!(server.token_request_count(), 0);
    assert_eq!(server.resource_request_count(), 4);
}

/// The middleware's own client over HTTPS, in a process where no rustls crypto provider
/// was ever installed (nothing in this test binary installs one): its TLS is set on the
/// client, so it works whatever reqwest's features are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_middleware_client_needs_no_process_wide_crypto_provider() {
    let server = fixtures::https_server();
    let [options, _] = fixtures::trusting_mock_ca(&server);
    let provider = learn_oauth_reqwest::TokenProvider::builder(fixtures::config(&server))
        .policy(policy())
        .transport(learn_oauth_reqwest::Transport::with_options(&options).expect("a transport"))
        .build()
        .expect("a provider");
    let client = AuthMiddleware::new(provider)
        .into_client_builder(&options)
        .expect("a client")
        .build();
    let response = client.get(server.resource_url()).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(server.resource_url().starts_with("https://"));
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}
