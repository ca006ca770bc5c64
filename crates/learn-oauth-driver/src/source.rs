//! [`TokenSource`] and [`BlockingTokenSource`]: what middleware, layers and helpers ask
//! for tokens, in each flavour.

use std::future::Future;
use std::sync::Arc;

use learn_oauth_proto::{AccessToken, Error};

/// Anything that hands out access tokens and takes back the ones a resource refused: both
/// flavours of [`Provider`](crate::Provider) (so every transport's `TokenProvider`), shared references and
/// `Arc`s of them, and [`FakeTokenSource`](crate::testing::FakeTokenSource) for tests.
///
/// The reqwest middleware and the tower layer ([`AuthLayer`](crate::tower::AuthLayer),
/// feature `tower`) take any `TokenSource`, so one implementation of the header and
/// 401 rules serves them all; so does [`BearerAttempt`](crate::bearer::BearerAttempt) for
/// a client of your own.
pub trait TokenSource: Send + Sync {
    /// A usable access token (see [`Provider::token`](crate::Provider::token)).
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send;

    /// The resource refused `token` (401): do not hand it out again. Whether it was the
    /// current token (see [`Provider::invalidate`](crate::Provider::invalidate)).
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

/// [`TokenSource`]'s blocking counterpart: anything that hands out access tokens to
/// blocking code and takes back the ones a resource refused. The blocking [`Provider`](crate::Provider)
/// (so `learn_oauth::ureq::TokenProvider`), shared references and `Arc`s of sources, and
/// [`FakeTokenSource`](crate::testing::FakeTokenSource) for tests.
///
/// [`BlockingBearerAttempt`](crate::bearer::BlockingBearerAttempt) takes any
/// `BlockingTokenSource`, and so does `learn_oauth::ureq::bearer::send_authorized`.
pub trait BlockingTokenSource {
    /// A usable access token (see [`Provider::token`](crate::Provider::token)), waiting for a request if need be.
    ///
    /// # Errors
    ///
    /// Why no token can be had.
    fn token(&self) -> Result<AccessToken, Error>;

    /// The resource refused `token` (401): do not hand it out again. Whether it was the
    /// current token (see [`Provider::invalidate`](crate::Provider::invalidate)).
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
