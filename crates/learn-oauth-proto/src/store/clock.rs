//! [`StoreTime`]: the store's own clock, and how a request maps its instants onto it.

use std::time::{Duration, Instant};

/// An instant on the store's own clock, in milliseconds since the Unix epoch by that
/// clock (Redis: `TIME`). Expiries and issue times are written in it, mapped from the
/// provider's clock through the latest read, so they never depend on the replicas'
/// clocks and a write that lands late cannot make an entry outlive its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreTime(pub u64);

/// The store's clock as one read saw it: `store` on the store's clock when the read came
/// back at `local` here.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReadClock {
    pub(super) store: StoreTime,
    pub(super) local: Instant,
}

impl ReadClock {
    /// The store-clock instant `after` past `now`. Early rather than late: the store read
    /// its clock before the read came back, and milliseconds are rounded down.
    pub(super) fn at(self, now: Instant, after: Duration) -> StoreTime {
        let since = now.saturating_duration_since(self.local).saturating_add(after);
        let millis = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
        StoreTime(self.store.0.saturating_add(millis))
    }
}
