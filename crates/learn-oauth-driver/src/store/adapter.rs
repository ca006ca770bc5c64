//! The store seam: what a shared-store adapter implements (five operations, bytes only).

use std::fmt;
use std::time::Duration;

use learn_oauth_proto::store::StoreTime;

use super::watch::BlockingWatch;

/// The names one token's entries have in a store, derived from what identifies the token
/// ([`TokenIdentity`](learn_oauth_proto::TokenIdentity): token URL, tenant, client id,
/// scopes) and never from a secret: `learn-oauth:v1:{<hash>}:token`, `…:lease`,
/// `…:cooldown`, and the notification channel `…:published`, where `<hash>` is the identity's
/// [`short_hex`](learn_oauth_proto::TokenIdentity::short_hex). The hash is one Redis
/// Cluster hash tag, so a token's entries live in one slot.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StoreKeyNames {
    pub(crate) token: String,
    pub(crate) lease: String,
    pub(crate) cool_down: String,
    pub(crate) published: String,
}

impl StoreKeyNames {
    /// Where the token value lives.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The lease a replica takes before requesting a token.
    #[must_use]
    pub fn lease(&self) -> &str {
        &self.lease
    }

    /// The fleet-wide cool-down marker after a 429 or 503 with `Retry-After`.
    #[must_use]
    pub fn cool_down(&self) -> &str {
        &self.cool_down
    }

    /// The channel a store that can notify tells of each publish and cool-down on, for
    /// [`BlockingStore::watch`] (not a key: nothing is stored under it).
    #[must_use]
    pub fn published(&self) -> &str {
        &self.published
    }
}

impl fmt::Debug for StoreKeyNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StoreKeyNames").field(&self.token).finish()
    }
}

/// What one [`read`](BlockingStore::read) found, in one round trip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreRecord {
    /// The token value's bytes and what is left of its time to live (by the store's own
    /// clock, so the replicas' clocks never need to agree).
    pub token: Option<(Vec<u8>, Duration)>,
    /// The cool-down marker's bytes and what is left of its time to live, if one is set.
    pub cool_down: Option<(Vec<u8>, Duration)>,
    /// Whether some replica holds the lease.
    pub lease_held: bool,
    /// The store's clock during the read.
    pub now: Option<StoreTime>,
}

impl StoreRecord {
    /// A record of these findings, read when the store's clock showed `now`.
    #[must_use]
    pub fn new(
        token: Option<(Vec<u8>, Duration)>,
        cool_down: Option<(Vec<u8>, Duration)>,
        lease_held: bool,
        now: Option<StoreTime>,
    ) -> Self {
        Self {
            token,
            cool_down,
            lease_held,
            now,
        }
    }
}

/// A store operation failed: the store is unreachable, refused the command, or did not
/// answer within the operation's timeout. The provider then goes on without the store,
/// as if it had none (and its breaker counts the failure).
#[derive(Debug, thiserror::Error)]
#[error("shared store {kind}")]
pub struct StoreError {
    kind: StoreErrorKind,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What kind of store failure a [`StoreError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// No connection could be made.
    Connect,
    /// The operation took longer than its timeout.
    Timeout,
    /// The store answered with an error or something unexpected.
    Protocol,
}

impl fmt::Display for StoreErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreErrorKind::Connect => "unreachable",
            StoreErrorKind::Timeout => "timed out",
            StoreErrorKind::Protocol => "answered with an error",
        })
    }
}

impl StoreError {
    /// A store failure of `kind`.
    #[must_use]
    pub fn new(kind: StoreErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A store failure of `kind` caused by `source` (the client's error; it must not
    /// carry a stored value).
    #[must_use]
    pub fn with_source(
        kind: StoreErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}

/// A blocking shared store (implement it for your store's client; `learn-oauth-redis`
/// implements it for Redis). Five operations over bytes; each must finish or fail within
/// `timeout` (set the client's socket timeouts from it), and none may be retried inside:
/// the provider falls back on its own when one fails.
///
/// The semantics, which the provider's protocol relies on:
///
/// - [`read`](Self::read): the token value with its remaining time to live, the
///   cool-down marker with its remaining time to live, whether the lease exists, and the
///   store's clock, in one round trip. Values are read as bytes, at most
///   [`MAX_VALUE_BYTES`](super::MAX_VALUE_BYTES) and one more of each.
/// - [`try_lease`](Self::try_lease): create the lease holding `owner`, expiring after
///   `ttl`, only if it does not exist (Redis: `SET lease owner NX PX ttl`).
/// - [`publish`](Self::publish): set the token value expiring at `expire_at` on the
///   store's clock, then delete the lease if it still holds `owner` (Redis: a script
///   doing `SET … PXAT` and a compare-and-delete).
/// - [`cool_down`](Self::cool_down): set the cool-down marker `value` expiring at
///   `until`, then release the lease as `publish` does.
///
/// The adapter only moves bytes: values are sealed and opened by the provider, so an
/// adapter (or anyone else writing to the store) cannot make a replica adopt a value
/// it did not seal with a key the fleet holds.
/// - [`release`](Self::release): delete the lease if it still holds `owner`.
/// - [`watch`](Self::watch), optional: tell a waiting replica of each publish and
///   cool-down for the key as it happens (Redis: pub/sub on
///   [`StoreKeyNames::published`]); without it, waiting replicas poll.
pub trait BlockingStore: fmt::Debug + Send + Sync + 'static {
    /// Reads the token value, the cool-down and the lease's existence.
    ///
    /// # Errors
    ///
    /// When the store fails or does not answer within `timeout`.
    fn read(&self, keys: &StoreKeyNames, timeout: Duration) -> Result<StoreRecord, StoreError>;

    /// Takes the lease for `owner` for `ttl` if nobody holds it; whether it was taken.
    ///
    /// # Errors
    ///
    /// When the store fails or does not answer within `timeout`.
    fn try_lease(
        &self,
        keys: &StoreKeyNames,
        owner: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<bool, StoreError>;

    /// Stores the token `value` until `expire_at` and releases `owner`'s lease.
    ///
    /// # Errors
    ///
    /// When the store fails or does not answer within `timeout`.
    fn publish(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        expire_at: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError>;

    /// Sets the cool-down marker `value` until `until` and releases `owner`'s lease.
    ///
    /// # Errors
    ///
    /// When the store fails or does not answer within `timeout`.
    fn cool_down(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError>;

    /// Releases `owner`'s lease, if it still holds it.
    ///
    /// # Errors
    ///
    /// When the store fails or does not answer within `timeout`.
    fn release(&self, keys: &StoreKeyNames, owner: &str, timeout: Duration) -> Result<(), StoreError>;

    /// A watch on the publishes (tokens and cool-downs) for `keys` from now on, so a
    /// replica waiting for a peer reads as soon as the peer publishes; `None` (the
    /// default) when the store cannot tell: waiting replicas then poll, every
    /// [`StorePolicy::poll_interval`](learn_oauth_proto::store::StorePolicy::poll_interval),
    /// doubling. Must not block on the store.
    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn BlockingWatch>> {
        let _ = keys;
        None
    }
}

#[cfg(feature = "async")]
pub use self::asynchronous::{AsyncStore, StoreFuture};

#[cfg(feature = "async")]
mod asynchronous {
    use std::fmt;
    use std::future::Future;
    use std::pin::Pin;
    use std::time::Duration;

    use learn_oauth_proto::store::StoreTime;

    use super::{StoreError, StoreKeyNames, StoreRecord};
    use crate::store::watch::AsyncWatch;

    /// What an [`AsyncStore`] operation returns.
    pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

    /// The async twin of [`BlockingStore`](super::BlockingStore), with the same five
    /// operations and rules. The provider also cuts each operation off at `timeout` on
    /// its own clock, so a hung store can never hold a request longer than that.
    pub trait AsyncStore: fmt::Debug + Send + Sync + 'static {
        /// Reads the token value, the cool-down and the lease's existence.
        fn read<'a>(&'a self, keys: &'a StoreKeyNames, timeout: Duration) -> StoreFuture<'a, StoreRecord>;

        /// Takes the lease for `owner` for `ttl` if nobody holds it; whether it was taken.
        fn try_lease<'a>(
            &'a self,
            keys: &'a StoreKeyNames,
            owner: &'a str,
            ttl: Duration,
            timeout: Duration,
        ) -> StoreFuture<'a, bool>;

        /// Stores the token `value` until `expire_at` and releases `owner`'s lease.
        fn publish<'a>(
            &'a self,
            keys: &'a StoreKeyNames,
            value: &'a [u8],
            expire_at: StoreTime,
            owner: &'a str,
            timeout: Duration,
        ) -> StoreFuture<'a, ()>;

        /// Sets the cool-down marker `value` until `until` and releases `owner`'s lease.
        fn cool_down<'a>(
            &'a self,
            keys: &'a StoreKeyNames,
            value: &'a [u8],
            until: StoreTime,
            owner: &'a str,
            timeout: Duration,
        ) -> StoreFuture<'a, ()>;

        /// Releases `owner`'s lease, if it still holds it.
        fn release<'a>(
            &'a self,
            keys: &'a StoreKeyNames,
            owner: &'a str,
            timeout: Duration,
        ) -> StoreFuture<'a, ()>;

        /// A watch on the publishes for `keys` from now on, as
        /// [`BlockingStore::watch`](super::BlockingStore::watch); `None` (the default)
        /// when the store cannot tell: waiting replicas then poll. Must not wait on the
        /// store.
        fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn AsyncWatch>> {
            let _ = keys;
            None
        }
    }
}
