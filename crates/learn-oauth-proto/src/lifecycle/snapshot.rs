//! A copy of the current token for lock-free fast paths.

use std::time::Instant;

use crate::token::AccessToken;

/// The current token and the instant until which it may be handed out without asking
/// the machine.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(super) token: AccessToken,
    pub(super) fresh_until: Instant,
}

impl Snapshot {
    /// The token.
    #[must_use]
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Until when (exclusive) the token may be handed out without asking the machine.
    #[must_use]
    pub fn fresh_until(&self) -> Instant {
        self.fresh_until
    }

    /// The token, if `now` is before [`fresh_until`](Self::fresh_until).
    #[must_use]
    pub fn token_if_fresh(&self, now: Instant) -> Option<&AccessToken> {
        (now < self.fresh_until).then_some(&self.token)
    }
}
