//! A pool's limits and the policy its entries share, with their defaults.

use std::time::Duration;

use learn_oauth_proto::RefreshPolicy;

/// How many entries a pool holds at most, by default.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// How long an entry may go unasked before it is dropped, by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a resolver's failure for a key is answered from memory, by default.
pub const DEFAULT_RESOLVE_HOLD_OFF: Duration = Duration::from_secs(5);

/// How many token requests a pool has in flight at most, by default: 32.
///
/// The bound is for the endpoint's sake and the network's: a service that starts with
/// 10,000 tenants and is asked for each in its first second would otherwise send 10,000
/// token requests at once, each on a new connection (a TLS handshake apiece), and a
/// rate-limited endpoint answers most of them 429 — the callers back off and the
/// retries come in bursts. Token endpoints typically allow tens to a few hundred
/// requests per second per client or tenant space; at a common 50–100 ms per exchange,
/// 32 in flight is 300–600 requests per second: the bound's own pace stays within such
/// limits, 32 connections to one host are cheap to keep warm and reuse, and 10,000 cold
/// tenants are still served in about 15–30 s. Warm hits never touch the bound (they send
/// nothing); a refresh ahead of expiry queues in the background while its still-valid
/// token keeps being handed out, and the queue is first come, first served, so no
/// request waits behind requests that arrived after it. Raise it for an endpoint that
/// allows more, lower it for one that allows less.
pub const DEFAULT_MAX_CONCURRENT_FETCHES: usize = 32;

/// A pool's limits and the policy its entries share.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) max_entries: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) resolve_hold_off: Duration,
    pub(crate) max_concurrent_fetches: usize,
    pub(crate) policy: RefreshPolicy,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_entries: DEFAULT_MAX_ENTRIES,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            resolve_hold_off: DEFAULT_RESOLVE_HOLD_OFF,
            max_concurrent_fetches: DEFAULT_MAX_CONCURRENT_FETCHES,
            policy: RefreshPolicy::default(),
        }
    }
}
