//! A [`reqwest_middleware`] middleware that authorizes every request with a
//! [`TokenSource`] (feature `middleware`), and the client to use it with.
//!
//! [`AuthMiddleware::into_client_builder`] builds the reqwest client with this crate's
//! TLS (rustls with the *ring* provider, set on the client), so it works however reqwest
//! was added to your project and never needs a process-wide rustls provider. To put the
//! middleware on a [`reqwest::Client`] of your own, use
//! `reqwest_middleware::ClientBuilder::new(client).with(AuthMiddleware::new(source))`;
//! that client's TLS is then yours to set up.

use http::Extensions;
use learn_oauth_driver::bearer::BearerAttempt;
use learn_oauth_driver::{BuildError, TokenSource, TransportOptions};
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// How long an API call through [`AuthMiddleware::into_client_builder`]'s client may take
/// in all, body included, unless the request sets its own (`RequestBuilder::timeout`):
/// 30 s.
pub const API_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
/// - a 401 that came from another origin (scheme, host and port) than the request was
///   sent to, after the client followed a redirect, is returned as it is: the client
///   dropped the `Authorization` header on the way, so the answer says nothing about the
///   token;
/// - when no token can be had, the request is not sent and the error is
///   [`reqwest_middleware::Error::Middleware`] carrying the typed
///   [`learn_oauth::Error`](learn_oauth_proto::Error): `error.downcast_ref::<learn_oauth::Error>()`.
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

    /// A `reqwest-middleware` client builder for your API calls with this middleware
    /// attached: add any other middleware, then `build()`. Its reqwest client has
    ///
    /// | setting | value |
    /// |---|---|
    /// | TLS | rustls with the *ring* provider, set on the client (no process-wide provider is read or installed); Mozilla's roots plus those in `options` |
    /// | connect timeout | `options`' (10 s by default) |
    /// | total timeout per request | [`API_TIMEOUT`] (30 s); set another per request with `RequestBuilder::timeout` |
    /// | redirects | followed, up to 10 (reqwest's default); reqwest drops `Authorization` on a redirect to another origin, so the token reaches only the origin the request names |
    ///
    /// Redirects are followed because API resources use them (a file download answered
    /// with a `302` to its storage); the token is not sent along, and a 401 from the
    /// other origin is not taken for a rejected token.
    ///
    /// # Errors
    ///
    /// A root certificate in `options` that does not parse, no roots at all, or a TLS or
    /// client setup failure.
    pub fn into_client_builder(
        self,
        options: &TransportOptions,
    ) -> Result<reqwest_middleware::ClientBuilder, BuildError> {
        let client = crate::tls::client_builder(options)?
            .redirect(reqwest::redirect::Policy::default())
            .timeout(API_TIMEOUT)
            .build()
            .map_err(|e| BuildError::Client(Box::new(e)))?;
        Ok(reqwest_middleware::ClientBuilder::new(client).with(self))
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
        let origin = request.url().origin();
        loop {
            let again = if self.retry && attempt.may_retry() {
                request.try_clone()
            } else {
                None
            };
            attempt.authorize(request.headers_mut());
            let response = next.clone().run(request, extensions).await?;
            // A 401 from another origin never saw the token: the client drops
            // `Authorization` on a redirect there.
            if response.status() == http::StatusCode::UNAUTHORIZED && response.url().origin() != origin {
                return Ok(response);
            }
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
