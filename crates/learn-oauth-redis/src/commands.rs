//! The Redis commands behind the store's five operations, shared by both adapters.

use std::time::Duration;

use learn_oauth_driver::store::{StoreError, StoreErrorKind, StoreKeys, StoreRecord, StoreTime};

/// Sets `KEYS[1]` to `ARGV[1]` expiring at `ARGV[2]` (Unix ms by Redis's clock), then
/// deletes the lease `KEYS[2]` if it holds `ARGV[3]`.
const SET_THEN_RELEASE: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
";

/// Deletes the lease `KEYS[1]` if it holds `ARGV[1]`.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// `d` in whole milliseconds for `PX`: at least 1 (Redis refuses 0).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The read: value, its PTTL, the cool-down's PTTL, the lease's existence and Redis's
/// clock, atomically (`MULTI`).
pub(crate) fn read(keys: &StoreKeys) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    pipe.atomic()
        .get(keys.token())
        .pttl(keys.token())
        .pttl(keys.cool_down())
        .exists(keys.lease())
        .cmd("TIME");
    pipe
}

/// The read's replies.
pub(crate) type ReadReplies = (Option<Vec<u8>>, i64, i64, bool, (u64, u64));

/// What the read's replies mean. A value without an expiry (not written by us) is a miss.
pub(crate) fn record((value, ttl, cool_down, lease, (secs, micros)): ReadReplies) -> StoreRecord {
    let remaining = |pttl: i64| {
        u64::try_from(pttl)
            .ok()
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis)
    };
    let token = value.zip(remaining(ttl));
    let now = StoreTime(secs.saturating_mul(1000).saturating_add(micros / 1000));
    StoreRecord::new(token, remaining(cool_down), lease, Some(now))
}

/// `SET lease owner NX PX ttl`.
pub(crate) fn try_lease(keys: &StoreKeys, owner: &str, ttl: Duration) -> redis::Cmd {
    let mut cmd = redis::cmd("SET");
    cmd.arg(keys.lease())
        .arg(owner)
        .arg("NX")
        .arg("PX")
        .arg(millis(ttl));
    cmd
}

pub(crate) fn set_then_release() -> redis::Script {
    redis::Script::new(SET_THEN_RELEASE)
}

pub(crate) fn release() -> redis::Script {
    redis::Script::new(RELEASE)
}

/// A redis-rs error as a store error (it never carries a value we stored: replies are
/// only decoded into types, and decoding errors name the type, not the bytes).
pub(crate) fn store_error(error: redis::RedisError) -> StoreError {
    let kind = if error.is_timeout() {
        StoreErrorKind::Timeout
    } else if error.is_io_error() || error.is_connection_dropped() || error.is_connection_refusal() {
        StoreErrorKind::Connect
    } else {
        StoreErrorKind::Protocol
    };
    StoreError::with_source(kind, error)
}
