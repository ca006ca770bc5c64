//! [`TokenSource`] and [`BlockingTokenSource`]: what middleware, layers and helpers ask
//! for tokens, in each flavour.

use std::future::Future;
use std::sync::Arc;

use learn_oauth_proto::{AccessToken, Error};

use crate::flavor::Blocking;
use crate::provider::Provider;
use crate::transport::SendBlocking;

/// Anything that hands out access tokens and takes back the ones a resource refused: both
/// flavours of [`Provider`] (so every transport's `TokenProvider`), shared references and
/// `Arc`s of them, and [`FakeTokenSource`](crate::testing::FakeTokenSource) for tests.
///
/// The reqwest middleware and the tower layer ([`AuthLayer`](crate::tower::AuthLayer),
/// feature `tower`) take any `TokenSource`, so one implementation of the header and
/// 401 rules serves them all; so does [`BearerAttempt`](crate::bearer::BearerAttempt) for
/// a client of your own.
pub trait TokenSource: Send + Sync {
    /// A usable access token (see [`Provider::token`]).
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send;

    /// The resource refused `token` (401): do not hand it out again. Whether it was the
    /// current token (see [`Provider::invalidate`]).
    fn invalidate(&self, token: &AccessToken) -> bool;
}

impl<S: TokenSource> TokenSource for &S {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        (**self).token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        (**self).invalidate(token)
    }
}

impl<S: TokenSource> TokenSource for Arc<S> {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        (**self).token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        (**self).invalidate(token)
    }
}

#[cfg(feature = "async")]
impl<T: crate::transport::SendAsync> TokenSource for Provider<crate::flavor::Async<T>> {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        self.token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}

/// A blocking provider used from async code: the warm path answers on the first poll; a
/// caller that must wait for a request waits on Tokio's blocking pool
/// (`spawn_blocking`) when it runs inside a Tokio runtime (feature `async`), so it never
/// stalls the runtime's workers. Outside one, or without the `async` feature, it waits on
/// the polling thread, as [`Provider::token`] does.
impl<T: SendBlocking> TokenSource for Provider<Blocking<T>> {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        let warm = self.fresh_token();
        async move {
            match warm {
                Some(token) => Ok(token),
                None => self.token_off_the_runtime().await,
            }
        }
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}

/// [`TokenSource`]'s blocking counterpart: anything that hands out access tokens to
/// blocking code and takes back the ones a resource refused. The blocking [`Provider`]
/// (so `learn_oauth_ureq::TokenProvider`), shared references and `Arc`s of sources, and
/// [`FakeTokenSource`](crate::testing::FakeTokenSource) for tests.
///
/// [`BlockingBearerAttempt`](crate::bearer::BlockingBearerAttempt) takes any
/// `BlockingTokenSource`, and so does `learn_oauth_ureq::bearer::send_authorized`.
pub trait BlockingTokenSource {
    /// A usable access token (see [`Provider::token`]), waiting for a request if need be.
    ///
    /// # Errors
    ///
    /// Why no token can be had.
    fn token(&self) -> Result<AccessToken, Error>;

    /// The resource refused `token` (401): do not hand it out again. Whether it was the
    /// current token (see [`Provider::invalidate`]).
    fn invalidate(&self, token: &AccessToken) -> bool;
}

impl<S: BlockingTokenSource + ?Sized> BlockingTokenSource for &S {
    fn token(&self) -> Result<AccessToken, Error> {
        (**self).token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        (**self).invalidate(token)
    }
}

impl<S: BlockingTokenSource + ?Sized> BlockingTokenSource for Arc<S> {
    fn token(&self) -> Result<AccessToken, Error> {
        (**self).token()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        (**self).invalidate(token)
    }
}

impl<T: SendBlocking> BlockingTokenSource for Provider<Blocking<T>> {
    fn token(&self) -> Result<AccessToken, Error> {
        Provider::<Blocking<T>>::token(self)
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        Provider::invalidate(self, token)
    }
}

impl<T: SendBlocking> Provider<Blocking<T>> {
    async fn token_off_the_runtime(&self) -> Result<AccessToken, Error> {
        #[cfg(feature = "async")]
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let provider = self.clone();
            return match runtime.spawn_blocking(move || provider.token()).await {
                Ok(result) => result,
                Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
                // The runtime is shutting down: no answer is coming.
                Err(_) => Err(Error::from(learn_oauth_proto::TransportError::new(
                    learn_oauth_proto::TransportErrorKind::Other,
                ))),
            };
        }
        self.token()
    }
}
