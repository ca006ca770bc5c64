//! What a [`StoreFetch`](super::StoreFetch) and its driver say to each other: what a store
//! read found ([`StoreView`]), what to do next ([`StoreStep`]) and how it ended
//! ([`StoreOutcome`]).

use std::time::{Duration, Instant};

use super::clock::StoreTime;
use crate::error::Error;
use crate::token::AccessToken;

/// What a store read found, rebuilt by the driver from the store's bytes. Only
/// authenticated findings go in: a value or cool-down marker that fails to open is left
/// out (a miss), never passed on.
#[derive(Debug, Clone, Default)]
pub struct StoreView {
    pub(super) clock: Option<StoreTime>,
    pub(super) token: Option<(AccessToken, StoreTime)>,
    pub(super) cool_down: Option<Duration>,
    pub(super) lease_held: bool,
}

impl StoreView {
    /// A read that found nothing, taken when the store's clock showed `clock` (`None`
    /// when the store reports no clock: nothing is then written to it).
    #[must_use]
    pub fn new(clock: Option<StoreTime>) -> Self {
        Self {
            clock,
            ..Self::default()
        }
    }

    /// The read found `token`, sealed with its issue time `issued` on the store's clock.
    #[must_use]
    pub fn with_token(mut self, token: AccessToken, issued: StoreTime) -> Self {
        self.token = Some((token, issued));
        self
    }

    /// The read found an authentic fleet-wide cool-down with `left` to run.
    #[must_use]
    pub fn with_cool_down(mut self, left: Duration) -> Self {
        self.cool_down = Some(left);
        self
    }

    /// The read found the lease held by some replica.
    #[must_use]
    pub fn with_lease_held(mut self) -> Self {
        self.lease_held = true;
        self
    }
}

/// What the driver of a [`StoreFetch`](super::StoreFetch) does next. Each step except `AwaitPublish` and `Done`
/// is answered with its `handle_*` input (or [`StoreFetch::handle_store_error`](super::StoreFetch::handle_store_error) when
/// the store operation fails or takes longer than [`StorePolicy::op_timeout`](super::StorePolicy::op_timeout)) before
/// polling again.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StoreStep {
    /// Read the stored token, the cool-down and whether the lease is held, in one round
    /// trip; answer with [`StoreFetch::handle_read`](super::StoreFetch::handle_read).
    Read,
    /// Try to take the lease for `ttl` (set-if-absent with this replica's owner id);
    /// answer with [`StoreFetch::handle_lease`](super::StoreFetch::handle_lease).
    TryLease {
        /// How long the lease lives: the request's deadline plus
        /// [`StorePolicy::lease_margin`](super::StorePolicy::lease_margin).
        ttl: Duration,
    },
    /// Request a token from the token endpoint, within `timeout`; answer with
    /// [`StoreFetch::handle_fetched`](super::StoreFetch::handle_fetched).
    Fetch {
        /// How long the request may take (with a lease, it ends before the lease does).
        timeout: Duration,
    },
    /// Write `token` to the store, sealed with its issue time, expiring at `expire_at`,
    /// and release this replica's lease if it holds it (compare-and-delete); answer with
    /// [`StoreFetch::handle_written`](super::StoreFetch::handle_written).
    Publish {
        /// The token to share.
        token: AccessToken,
        /// Its issue time on the store's clock (now), sealed into the value: replicas
        /// never adopt a value older than one they have seen.
        issued: StoreTime,
        /// When it expires on the store's clock: with the token.
        expire_at: StoreTime,
    },
    /// Record a fleet-wide cool-down until `until` on the store's clock (the token
    /// endpoint asked to slow down), sealed, and release this replica's lease; answer
    /// with [`StoreFetch::handle_written`](super::StoreFetch::handle_written).
    CoolDown {
        /// Until when no replica should call the token endpoint.
        until: StoreTime,
    },
    /// Release this replica's lease (its request failed); answer with
    /// [`StoreFetch::handle_written`](super::StoreFetch::handle_written).
    Release,
    /// Wait for the peer holding the lease: until the store tells of a publish for this
    /// key (answer with [`StoreFetch::handle_published`](super::StoreFetch::handle_published))
    /// or until `until`, whichever comes first, then poll again. A store that cannot tell
    /// just waits until `until`: the waits then follow
    /// [`StorePolicy::poll_interval`](super::StorePolicy::poll_interval), doubling.
    AwaitPublish {
        /// The latest instant to poll again; never past the request's wait for its peer.
        until: Instant,
    },
    /// Finished: report this result to the lifecycle, for the request the lifecycle
    /// handed out.
    Done(Result<AccessToken, Error>),
}

/// How a [`StoreFetch`](super::StoreFetch) ended, for a driver's counters and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreOutcome {
    /// Not finished yet.
    Running,
    /// A peer's token was taken from the store: no token request.
    Adopted,
    /// A peer's cool-down was honoured: no token request.
    CooledDown,
    /// This replica requested the token, holding the lease.
    FetchedWithLease,
    /// This replica requested the token without the lease: the peer holding it published
    /// nothing in time, or the store failed or was bypassed.
    FetchedAlone,
}
