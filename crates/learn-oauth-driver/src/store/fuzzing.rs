//! The store's value format for the fuzz targets (`fuzz/`, target `store_value`): opening
//! a value as a replica does after a read, and sealing any payload bytes the way
//! [`SharedStore`](super::SharedStore) seals its own, so a target can reach past the seal
//! to the payload parser. Behind the `fuzzing` feature: not for production use and not
//! covered by semver.

use std::time::{Duration, Instant};

use learn_oauth_proto::store::StoreTime;
use learn_oauth_proto::{AccessToken, ClientConfig};
use zeroize::Zeroizing;

use super::adapter::StoreKeyNames;
use super::sealing::Sealing;
use super::value::{self, ReadAt};

/// How a value was read: at `now` here, after a round trip of `rtt`, with the store's
/// clock reading `store_now` during it, and `ttl` left of the entry by the store's clock.
#[derive(Debug, Clone, Copy)]
pub struct Read {
    /// When the read finished, on the replica's clock.
    pub now: Instant,
    /// How long the read took.
    pub rtt: Duration,
    /// The store's clock during the read, if it reported one.
    pub store_now: Option<StoreTime>,
    /// What is left of the entry's time to live, by the store's clock.
    pub ttl: Duration,
}

impl Read {
    fn at(self) -> ReadAt {
        ReadAt {
            now: self.now,
            rtt: self.rtt,
            store_now: self.store_now,
        }
    }
}

/// The key names a replica uses for `config`'s tokens.
#[must_use]
pub fn key_names_for(config: &ClientConfig) -> StoreKeyNames {
    value::key_names_for(config)
}

/// The token a replica adopts from the token `value` read as `read` says, with its sealed
/// issue time; or why the value is refused.
///
/// # Errors
///
/// The refusal's reason, as traced.
pub fn open_token(
    value: &[u8],
    keys: &StoreKeyNames,
    sealing: &Sealing,
    read: Read,
) -> Result<(AccessToken, StoreTime), &'static str> {
    value::decode(value, read.ttl, keys, sealing, read.at()).map_err(|p| p.as_str())
}

/// The cool-down a replica honours from the marker `value` read as `read` says (what is
/// left of it); or why the marker is ignored.
///
/// # Errors
///
/// The refusal's reason, as traced.
pub fn open_cool_down(
    value: &[u8],
    keys: &StoreKeyNames,
    sealing: &Sealing,
    read: Read,
) -> Result<Duration, &'static str> {
    value::decode_cool_down(value, read.ttl, keys, sealing, read.at()).map_err(|p| p.as_str())
}

/// `token` sealed as a replica publishes it: issued at `issued`, expiring at `expire_at`
/// on the store's clock.
#[must_use]
pub fn seal_token(
    token: &AccessToken,
    keys: &StoreKeyNames,
    sealing: &Sealing,
    issued: StoreTime,
    expire_at: StoreTime,
) -> Vec<u8> {
    value::encode(token, keys, sealing, issued, expire_at)
}

/// `payload` (any bytes, in place of the JSON a replica writes) sealed with `sealing`'s
/// current key as a token value at `keys`' token name.
#[must_use]
pub fn seal_token_payload(payload: &[u8], keys: &StoreKeyNames, sealing: &Sealing) -> Vec<u8> {
    value::seal_token_payload(Zeroizing::new(payload.to_vec()), keys, sealing)
}

/// `payload` (any bytes) sealed with `sealing`'s current key as a cool-down marker at
/// `keys`' cool-down name.
#[must_use]
pub fn seal_cool_down_payload(payload: &[u8], keys: &StoreKeyNames, sealing: &Sealing) -> Vec<u8> {
    value::seal_cool_down_payload(Zeroizing::new(payload.to_vec()), keys, sealing)
}
