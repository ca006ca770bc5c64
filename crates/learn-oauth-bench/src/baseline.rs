//! The token caches ours is compared with on the warm path and across a refresh.
//!
//! - [`MutexCache`]: the simplest cache, `Mutex<Option<AccessToken>>`, read under the
//!   lock with an expiry check. It never fetches; it is the floor of a locked warm path.
//! - [`GoStyle`] (blocking and async): the shape of Go's
//!   `oauth2.ReuseTokenSource` — one mutex, held across the fetch when the token is due
//!   for a refresh, so every caller waits for the request. They fetch through our own
//!   transports, so only the locking differs from ours.
#![allow(clippy::disallowed_methods)] // the caches read the clock, as a real one would

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::{SendAsync as _, SendBlocking as _};
use learn_oauth_proto::{AccessToken, ClientConfig, Error};

/// How long a one-shot token request may take.
pub const ONE_SHOT_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `token` is still to be handed out at `now`: not within `refresh_ahead` of its
/// expiry.
fn fresh(token: &AccessToken, now: Instant, refresh_ahead: Duration) -> bool {
    now.checked_add(refresh_ahead)
        .is_some_and(|t| t < token.expires_at())
}

/// `Mutex<Option<AccessToken>>`: lock, check expiry, clone.
#[derive(Debug)]
pub struct MutexCache {
    token: Mutex<Option<AccessToken>>,
}

impl MutexCache {
    /// A cache holding `token`.
    #[must_use]
    pub fn new(token: AccessToken) -> Self {
        Self {
            token: Mutex::new(Some(token)),
        }
    }

    /// The cached token if it has not expired.
    #[must_use]
    pub fn token(&self) -> Option<AccessToken> {
        let now = Instant::now();
        let guard = self.token.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().filter(|t| !t.is_expired(now)).cloned()
    }
}

/// A provider that holds its one mutex (`M`) across the fetch through `T`: Go's
/// `ReuseTokenSource`, blocking ([`GoStyleProvider`]) or async ([`GoStyleAsyncProvider`]).
#[derive(Debug)]
pub struct GoStyle<T, M> {
    config: ClientConfig,
    transport: T,
    refresh_ahead: Duration,
    token: M,
}

/// The blocking Go-style provider: a `std::sync::Mutex` held across the fetch.
pub type GoStyleProvider = GoStyle<learn_oauth_ureq::Transport, Mutex<Option<AccessToken>>>;

/// The async Go-style provider: a `tokio::sync::Mutex` held across the fetch's `.await`.
pub type GoStyleAsyncProvider =
    GoStyle<learn_oauth_reqwest::Transport, tokio::sync::Mutex<Option<AccessToken>>>;

impl<T, M: From<Option<AccessToken>>> GoStyle<T, M> {
    /// A provider fetching with `transport`, refreshing `refresh_ahead` before expiry.
    #[must_use]
    pub fn new(config: ClientConfig, transport: T, refresh_ahead: Duration) -> Self {
        let token = M::from(None);
        Self {
            config,
            transport,
            refresh_ahead,
            token,
        }
    }
}

impl GoStyleProvider {
    /// The cached token, or a new one fetched while every other caller waits (or the
    /// fetch's error).
    pub fn token(&self) -> Result<AccessToken, Error> {
        let mut guard = self.token.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if let Some(token) = guard.as_ref().filter(|t| fresh(t, now, self.refresh_ahead)) {
            return Ok(token.clone());
        }
        let token = self.transport.fetch_token(&self.config, ONE_SHOT_TIMEOUT)?;
        *guard = Some(token.clone());
        Ok(token)
    }
}

impl GoStyleAsyncProvider {
    /// The cached token, or a new one fetched while every other caller waits (or the
    /// fetch's error).
    pub async fn token(&self) -> Result<AccessToken, Error> {
        let mut guard = self.token.lock().await;
        let now = Instant::now();
        if let Some(token) = guard.as_ref().filter(|t| fresh(t, now, self.refresh_ahead)) {
            return Ok(token.clone());
        }
        let token = self.transport.fetch_token(&self.config, ONE_SHOT_TIMEOUT).await?;
        *guard = Some(token.clone());
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use learn_oauth_proto::Scopes;

    #[test]
    fn the_mutex_cache_hands_out_its_token_until_it_expires() {
        let now = Instant::now();
        let token = |life| AccessToken::new("abc".into(), Scopes::new(), now, life).unwrap();
        let live = token(Duration::from_secs(60));
        assert!(MutexCache::new(live.clone()).token().unwrap().same_as(&live));
        assert!(MutexCache::new(token(Duration::ZERO)).token().is_none());
    }
}
