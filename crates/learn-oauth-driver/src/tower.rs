//! A tower [`Layer`] that authorizes every request with a [`TokenSource`]: for hyper's
//! client, tonic channels and anything else that is a `Service<http::Request<B>>`.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use learn_oauth_proto::Error;
use tower_layer::Layer;
use tower_service::Service;

use crate::bearer::BearerAttempt;
use crate::source::TokenSource;

/// Wraps a service so each request carries `Authorization: Bearer …` from a
/// [`TokenSource`] (any `TokenProvider`, a pool's tenant handle, a
/// [`FakeTokenSource`](crate::testing::FakeTokenSource)), with the rules of
/// [`BearerAttempt`]: a request's own `Authorization` is kept; a 401 that rejects the
/// token invalidates it and, if the request can be replayed, sends it once more with a
/// new token; a 403 is not retried.
///
/// Replay is chosen by the `R` parameter: [`CloneBody`] (the default, for body types that
/// are `Clone`, such as `String`, `Bytes`, `Full<Bytes>` or `Empty<Bytes>`) clones each
/// request before its first send, so a 401 can be retried; [`NoReplay`] (see
/// [`without_retry`](Self::without_retry)) works for any body, streamed ones included,
/// and returns a 401 as it is (after invalidating the token). Your own [`Replay`] can
/// decide per request.
#[derive(Clone, Debug)]
pub struct AuthLayer<S, R = CloneBody> {
    source: S,
    replay: R,
}

impl<S: TokenSource + Clone> AuthLayer<S> {
    /// Authorizes requests with tokens from `source`, retrying a 401 once for body types
    /// that are `Clone`.
    pub fn new(source: S) -> Self {
        Self {
            source,
            replay: CloneBody,
        }
    }
}

impl<S: TokenSource + Clone, R> AuthLayer<S, R> {
    /// Never replays a request: for bodies that are not `Clone` (streams). A 401 still
    /// invalidates the token, so the next request gets a new one.
    pub fn without_retry(self) -> AuthLayer<S, NoReplay> {
        self.replay_with(NoReplay)
    }

    /// Replays requests as `replay` decides.
    pub fn replay_with<R2>(self, replay: R2) -> AuthLayer<S, R2> {
        AuthLayer {
            source: self.source,
            replay,
        }
    }
}

impl<Svc, S: Clone, R: Clone> Layer<Svc> for AuthLayer<S, R> {
    type Service = AuthService<Svc, S, R>;

    fn layer(&self, inner: Svc) -> Self::Service {
        AuthService {
            inner,
            source: self.source.clone(),
            replay: self.replay.clone(),
        }
    }
}

/// How a request is copied so it can be sent again after a 401; see [`AuthLayer`].
pub trait Replay<B>: Clone + Send + Sync + 'static {
    /// A copy of `request` to send if the first answer is a token-rejecting 401, or
    /// `None` to return that 401 as it is.
    fn replay(&self, request: &http::Request<B>) -> Option<http::Request<B>>;
}

/// Replays by cloning the request: method, URI, headers, extensions and body.
#[derive(Clone, Copy, Debug, Default)]
pub struct CloneBody;

impl<B: Clone> Replay<B> for CloneBody {
    fn replay(&self, request: &http::Request<B>) -> Option<http::Request<B>> {
        Some(request.clone())
    }
}

/// Never replays: a 401 is returned as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoReplay;

impl<B> Replay<B> for NoReplay {
    fn replay(&self, _request: &http::Request<B>) -> Option<http::Request<B>> {
        None
    }
}

/// The service [`AuthLayer`] makes.
#[derive(Clone, Debug)]
pub struct AuthService<Svc, S, R = CloneBody> {
    inner: Svc,
    source: S,
    replay: R,
}

/// What an [`AuthService`] call fails with: no token could be had, or the wrapped
/// service failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError<E> {
    /// No token could be had: the token source's typed error (the secret never in it).
    #[error("no access token for the request")]
    Token(#[source] Error),
    /// The wrapped service failed.
    #[error("the authorized request failed")]
    Service(#[source] E),
}

impl<E> AuthError<E> {
    /// The token error, if that is what this is.
    pub fn token_error(&self) -> Option<&Error> {
        match self {
            Self::Token(error) => Some(error),
            Self::Service(_) => None,
        }
    }
}

impl<Svc, S, R, B, ResBody> Service<http::Request<B>> for AuthService<Svc, S, R>
where
    Svc: Service<http::Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    Svc::Future: Send,
    Svc::Error: Send,
    S: TokenSource + Clone + 'static,
    R: Replay<B>,
    B: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = AuthError<Svc::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(AuthError::Service)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The ready service goes into the future; this one gets a clone (tower's rule).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let source = self.source.clone();
        let replay = self.replay.clone();
        Box::pin(async move {
            let mut attempt = BearerAttempt::begin(&source, request.headers())
                .await
                .map_err(AuthError::Token)?;
            loop {
                let again = if attempt.may_retry() {
                    replay.replay(&request)
                } else {
                    None
                };
                attempt.authorize(request.headers_mut());
                let response = inner.call(request).await.map_err(AuthError::Service)?;
                let retry = attempt
                    .retry(
                        response.status(),
                        response.headers(),
                        again.as_ref().map(http::Request::uri),
                    )
                    .await
                    .map_err(AuthError::Token)?;
                match again {
                    Some(next) if retry => {
                        poll_fn(|cx| inner.poll_ready(cx))
                            .await
                            .map_err(AuthError::Service)?;
                        request = next;
                    }
                    _ => return Ok(response),
                }
            }
        })
    }
}
