//! [`StoreHistory`]: what one replica remembers of one token's store entry between
//! requests, so an old value written back (a rollback) is never adopted again.

use super::clock::StoreTime;
use crate::token::AccessToken;

/// Tokens the resource refused are remembered up to this many (the newest); older ones
/// are caught by the issue-time rule anyway, since this replica saw them.
const MAX_REFUSED: usize = 4;

/// What one replica has seen of one token's store entry, kept from request to request:
/// the newest issue time of any authentic value it read or wrote there, and the tokens
/// the resource refused. A [`StoreFetch`](super::StoreFetch) starts from it and
/// [`StoreFetch::history`](super::StoreFetch::history) is what it learned; fold that back
/// in with [`merge`](Self::merge).
///
/// The rollback defence it carries: every sealed value holds its issue time on the
/// store's clock, inside the seal, so no writer without the key can change it. A value
/// older than the newest one this replica has seen for the key is refused
/// ([`StoreRefusal::Older`]), and so is a token the resource refused, whatever its age.
/// What it cannot do: a replica that has seen nothing yet (just started) has nothing to
/// compare with, so the defence against an old value written back to a replica's first
/// read is the value's sealed expiry.
#[derive(Debug, Clone, Default)]
pub struct StoreHistory {
    newest: Option<StoreTime>,
    refused: Vec<AccessToken>,
}

/// Why a [`StoreFetch`](super::StoreFetch) refused an authentic value it read (drained
/// with [`StoreFetch::poll_refused`](super::StoreFetch::poll_refused), for counters and
/// traces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreRefusal {
    /// Issued before a value this replica has already seen for the key: an old value
    /// written back.
    Older,
}

impl StoreHistory {
    /// Nothing seen yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource refused `token`: it is never adopted from the store again.
    pub fn handle_refused(&mut self, token: AccessToken) {
        if self.refused.contains(&token) {
            return;
        }
        if self.refused.len() == MAX_REFUSED {
            self.refused.remove(0);
        }
        self.refused.push(token);
    }

    /// Takes in what `other` (a later copy, such as a finished request's) has seen.
    pub fn merge(&mut self, other: &StoreHistory) {
        if let Some(issued) = other.newest {
            self.saw(issued);
        }
        for token in &other.refused {
            self.handle_refused(token.clone());
        }
    }

    /// The newest issue time seen for the key.
    #[must_use]
    pub fn newest(&self) -> Option<StoreTime> {
        self.newest
    }

    /// Whether the resource refused `token` (compared by value).
    pub(super) fn is_refused(&self, token: &AccessToken) -> bool {
        self.refused.contains(token)
    }

    /// Whether a value issued at `issued` is older than one already seen.
    pub(super) fn is_older(&self, issued: StoreTime) -> bool {
        self.newest.is_some_and(|newest| issued < newest)
    }

    /// The issue time for a value published at `now` on the store's clock: `now`, or just
    /// after the newest issue time seen if that is not earlier (two tokens fetched within
    /// one millisecond, or a store clock that stepped back), so that a replica which saw
    /// this value refuses every value seen before it, written back.
    pub(super) fn next_issue(&self, now: StoreTime) -> StoreTime {
        self.newest
            .map_or(now, |newest| now.max(StoreTime(newest.0.saturating_add(1))))
    }

    /// An authentic value issued at `issued` was read or written.
    pub(super) fn saw(&mut self, issued: StoreTime) {
        self.newest = Some(self.newest.map_or(issued, |n| n.max(issued)));
    }
}
