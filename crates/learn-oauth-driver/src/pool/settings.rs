//! A pool's limits and the policy its entries share, with their defaults.

use std::time::Duration;

use learn_oauth_proto::RefreshPolicy;

/// How many entries a pool holds at most, by default.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// How long an entry may go unasked before it is dropped, by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a resolver's failure for a key is answered from memory, by default.
pub const DEFAULT_RESOLVE_HOLD_OFF: Duration = Duration::from_secs(5);

/// A pool's limits and the policy its entries share.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) max_entries: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) resolve_hold_off: Duration,
    pub(crate) policy: RefreshPolicy,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_entries: DEFAULT_MAX_ENTRIES,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            resolve_hold_off: DEFAULT_RESOLVE_HOLD_OFF,
            policy: RefreshPolicy::default(),
        }
    }
}
