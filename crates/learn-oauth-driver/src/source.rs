//! [`TokenSource`]: what middleware, layers and pools ask for tokens.

use std::future::Future;
use std::sync::Arc;

use learn_oauth_proto::{AccessToken, Error};

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
