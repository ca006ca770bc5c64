//! The state machine.

use std::fmt;
use std::time::Instant;

use super::policy::RefreshPolicy;
use super::snapshot::Snapshot;
use crate::error::Error;
use crate::token::AccessToken;

/// Identifies one token request started by [`TokenLifecycle::poll_fetch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FetchId(u64);

/// What a caller asking for a token gets.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TokenPoll {
    /// A usable token.
    Ready(AccessToken),
    /// No usable token yet; a request is in flight or scheduled.
    Pending,
    /// No usable token, and the machine has given up for now.
    Failed(Error),
}

/// The token lifecycle state machine.
pub struct TokenLifecycle {
    policy: RefreshPolicy,
    #[allow(dead_code)]
    seed: u64,
}

impl fmt::Debug for TokenLifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenLifecycle").field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl TokenLifecycle {
    /// A cold machine.
    #[must_use]
    pub fn new(policy: RefreshPolicy, jitter_seed: u64) -> Self {
        Self { policy, seed: jitter_seed }
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &RefreshPolicy {
        &self.policy
    }

    /// A caller wants a token now.
    #[must_use]
    pub fn poll_token(&mut self, now: Instant) -> TokenPoll {
        let _ = now;
        todo!()
    }

    /// Whether the driver should start a token request now.
    #[must_use]
    pub fn poll_fetch(&mut self, now: Instant) -> Option<FetchId> {
        let _ = now;
        todo!()
    }

    /// The result of request `fetch`.
    pub fn handle_response(&mut self, now: Instant, fetch: FetchId, result: Result<AccessToken, Error>) {
        let _ = (now, fetch, result);
        todo!()
    }

    /// Processes every deadline at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let _ = now;
        todo!()
    }

    /// The resource API refused `token`.
    pub fn handle_invalidate(&mut self, now: Instant, token: &AccessToken) -> bool {
        let _ = (now, token);
        todo!()
    }

    /// The next instant the machine wants [`handle_timeout`](Self::handle_timeout).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        todo!()
    }

    /// The usable token at `now`.
    #[must_use]
    pub fn current_token(&self, now: Instant) -> Option<&AccessToken> {
        let _ = now;
        todo!()
    }

    /// The current token and until when it may be handed out without asking.
    #[must_use]
    pub fn snapshot(&self) -> Option<Snapshot> {
        todo!()
    }

    /// The request in flight.
    #[must_use]
    pub fn in_flight(&self) -> Option<FetchId> {
        todo!()
    }
}
