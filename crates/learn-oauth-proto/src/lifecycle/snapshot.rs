//! A copy of the current token for lock-free fast paths.

use std::time::{Duration, Instant};

use crate::token::AccessToken;

/// The current token and the instant until which a driver may hand it out without
/// asking the machine; from [`TokenLifecycle::snapshot`](crate::TokenLifecycle::snapshot).
///
/// Drivers keep the latest snapshot where readers can see it without a lock (behind an
/// `ArcSwap`, say): while [`token_if_fresh`](Self::token_if_fresh) answers `Some`, nothing
/// in the machine is due, so handing out the token needs no lock and no state change.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(super) token: AccessToken,
    pub(super) fresh_until: Instant,
    pub(super) stale: bool,
}

impl Snapshot {
    /// The token.
    #[must_use]
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Until when (exclusive) the token may be handed out without asking the machine:
    /// the earlier of the end of its usable time and the machine's next deadline.
    #[must_use]
    pub fn fresh_until(&self) -> Instant {
        self.fresh_until
    }

    /// Whether the token is served stale: past its refresh point after a failed refresh
    /// (see [`TokenLifecycle::serving_stale`](crate::TokenLifecycle::serving_stale)).
    #[must_use]
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// The token, if `now` is before [`fresh_until`](Self::fresh_until); otherwise ask
    /// the machine.
    #[must_use]
    pub fn token_if_fresh(&self, now: Instant) -> Option<&AccessToken> {
        (now < self.fresh_until).then_some(&self.token)
    }
}

/// An instant as far after `t` as can be represented, up to about a thousand years; for
/// "never" where an `Instant` is required.
pub(super) fn far_future(t: Instant) -> Instant {
    const YEAR: u64 = 365 * 24 * 60 * 60;
    [1000 * YEAR, 100 * YEAR, YEAR, 24 * 60 * 60, 1]
        .into_iter()
        .find_map(|secs| t.checked_add(Duration::from_secs(secs)))
        .unwrap_or(t)
}
