//! A [`reqwest_middleware`] middleware that authorizes every request with a
//! [`TokenSource`] (feature `middleware`).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth_proto::ClientConfig;
//! use learn_oauth_reqwest::TokenProvider;
//! use learn_oauth_reqwest::middleware::AuthMiddleware;
//!
//! let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
//! let provider = TokenProvider::new(config)?;
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(AuthMiddleware::new(provider))
//!     .build();
//! // Authorization: Bearer … attached; a 401 retried once with a new token.
//! let response = client.get("https://api.example/v1/ping").send().await?;
//! # let _ = response;
//! # Ok(())
//! # }
//! ```

use http::Extensions;
use learn_oauth_driver::TokenSource;
use learn_oauth_driver::bearer::BearerAttempt;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// Sets `Authorization: Bearer …` on each request from a [`TokenSource`] (a
/// [`TokenProvider`](crate::TokenProvider), a pool's tenant handle, a
/// [`FakeTokenSource`](learn_oauth_driver::testing::FakeTokenSource)), following the rules
/// of [`BearerAttempt`]:
///
/// - a request that already has an `Authorization` header is sent as it is;
/// - on a **401** that rejects the token (plain, or `WWW-Authenticate: Bearer
///   error="invalid_token"`), the token is invalidated and the request is sent **once**
///   more with a new token, if it is *replayable*: [`Request::try_clone`] is `Some`, which
///   holds for every body but a stream (`Body::wrap_stream`). A non-replayable request's
///   401 is returned as it is (its token is still invalidated, so the next request gets a
///   new one). A 401 on the retry is returned, never looped on;
/// - a **403** (or a 401 with `error="insufficient_scope"`) is returned without a retry:
///   a new token with the same scopes gets the same answer;
/// - when no token can be had, the request is not sent and the error is
///   [`reqwest_middleware::Error::Middleware`] carrying the typed
///   [`learn_oauth_proto::Error`]: `error.downcast_ref::<learn_oauth_proto::Error>()`.
///
/// Cloning a replayable request before its first send costs a header-map copy (bodies
/// are reference-counted); [`without_retry`](Self::without_retry) skips it.
#[derive(Debug, Clone)]
pub struct AuthMiddleware<S> {
    source: S,
    retry: bool,
}

impl<S: TokenSource + 'static> AuthMiddleware<S> {
    /// Authorizes requests with tokens from `source`, retrying a 401 once.
    pub fn new(source: S) -> Self {
        Self { source, retry: true }
    }

    /// Never sends a request twice: a 401 is returned as it is (the token is still
    /// invalidated), and no request is cloned.
    #[must_use]
    pub fn without_retry(mut self) -> Self {
        self.retry = false;
        self
    }
}

#[async_trait::async_trait]
impl<S: TokenSource + 'static> Middleware for AuthMiddleware<S> {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let mut attempt = BearerAttempt::begin(&self.source, request.headers())
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        loop {
            let again = if self.retry && attempt.may_retry() {
                request.try_clone()
            } else {
                None
            };
            attempt.authorize(request.headers_mut());
            let response = next.clone().run(request, extensions).await?;
            // The URI is for the retry's trace only: parsed only when there may be a retry.
            let replay_uri = match &again {
                Some(again) if response.status() == http::StatusCode::UNAUTHORIZED => {
                    again.url().as_str().parse().ok()
                }
                _ => None,
            };
            let retry = attempt
                .retry(response.status(), response.headers(), replay_uri.as_ref())
                .await
                .map_err(reqwest_middleware::Error::middleware)?;
            match again {
                Some(next_request) if retry => request = next_request,
                _ => return Ok(response),
            }
        }
    }
}
