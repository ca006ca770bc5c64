//! The Redis commands behind the store's five operations, shared by both adapters.

use std::time::Duration;

use learn_oauth_driver::store::{
    MAX_VALUE_BYTES, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord, StoreTime,
};

/// Sets `KEYS[1]` to `ARGV[1]` expiring at `ARGV[2]` (Unix ms by Redis's clock; `SET`
/// replaces a key of any type), then deletes the lease `KEYS[2]` if it holds `ARGV[3]`
/// (only a string can: another type there is not read, which would fail the script),
/// then tells the channel `ARGV[4]` (`pcall`: a user the ACL allows no channel still
/// publishes its token).
const SET_THEN_RELEASE: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
if redis.call('TYPE', KEYS[2]).ok == 'string' and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
end
redis.pcall('PUBLISH', ARGV[4], '')
return 1
";

/// Deletes the lease `KEYS[1]` if it holds `ARGV[1]`.
const RELEASE: &str = r"
if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// `d` in whole milliseconds for `PX`: at least 1 (Redis refuses 0).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The read: at most one byte more of the token value and of the cool-down marker than a
/// store value may hold (`GETRANGE`, so an oversized value is never read whole), their
/// PTTLs, the lease's PTTL, and Redis's clock, atomically (`MULTI`). Errors of single
/// commands come back in their place (a `GETRANGE` on a key of another type answers
/// `WRONGTYPE` there and the rest still run).
pub(crate) fn read(keys: &StoreKeyNames) -> redis::Pipeline {
    let last = isize::try_from(MAX_VALUE_BYTES).unwrap_or(isize::MAX);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .ignore_errors()
        .getrange(keys.token(), 0, last)
        .pttl(keys.token())
        .getrange(keys.cool_down(), 0, last)
        .pttl(keys.cool_down())
        .pttl(keys.lease())
        .cmd("TIME");
    pipe
}

/// The read's replies.
pub(crate) type ReadReplies = (
    redis::RedisResult<Vec<u8>>,
    i64,
    redis::RedisResult<Vec<u8>>,
    i64,
    i64,
    (u64, u64),
);

/// What the read's replies mean. An entry without an expiry (not written by us: a value,
/// cool-down or lease planted without a TTL) counts as absent, and so does a value or
/// cool-down of another type than a string (a hash or list someone put there: publishing
/// overwrites it). The values are passed on as bytes: the provider opens them, and
/// refuses what does not open.
///
/// # Errors
///
/// Any other error of the value's or the marker's `GETRANGE`.
pub(crate) fn record(
    (value, ttl, marker, cool_down, lease, (secs, micros)): ReadReplies,
) -> redis::RedisResult<StoreRecord> {
    let remaining = |pttl: i64| {
        u64::try_from(pttl)
            .ok()
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis)
    };
    let (value, marker) = (string(value)?, string(marker)?);
    let token = value.zip(remaining(ttl));
    let cool_down = marker.zip(remaining(cool_down));
    let now = StoreTime(secs.saturating_mul(1000).saturating_add(micros / 1000));
    Ok(StoreRecord::new(
        token,
        cool_down,
        remaining(lease).is_some(),
        Some(now),
    ))
}

/// A `GETRANGE` reply: the bytes, or `None` for a key holding another type.
fn string(reply: redis::RedisResult<Vec<u8>>) -> redis::RedisResult<Option<Vec<u8>>> {
    match reply {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.code() == Some("WRONGTYPE") => Ok(None),
        Err(error) => Err(error),
    }
}

/// Takes the lease `KEYS[1]` for owner `ARGV[1]` for `ARGV[2]` ms if nobody holds it, and
/// answers 1 if `ARGV[1]` holds it already: idempotent, so an operation retried after a
/// lost reply cannot make the holder believe it lost. A key of another type than a
/// string there is no lease (no replica writes one): it is replaced.
const TRY_LEASE: &str = r"
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
if kind ~= 'string' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
";

pub(crate) fn try_lease() -> redis::Script {
    redis::Script::new(TRY_LEASE)
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
