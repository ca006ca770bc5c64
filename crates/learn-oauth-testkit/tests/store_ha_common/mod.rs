//! What the cluster and Sentinel store tests share: the store's five operations run once
//! through an adapter, and two replicas sharing one token through it.

use std::time::Duration;

use learn_oauth_driver::store::{
    AsyncStore, BlockingStore, Sealing, SealingKey, SharedStore, StoreKeyNames, StoreTime,
};
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;

/// Generous for a loopback Redis; the point is that operations succeed.
pub(crate) const OP: Duration = Duration::from_secs(2);

/// The fixtures' token's key names.
pub(crate) fn keys(server: &learn_oauth_mock::MockServer) -> StoreKeyNames {
    let key = SealingKey::new(1, &[7; 32]).expect("a key");
    SharedStore::blocking(
        RedisStore::open(RedisConfig::node("redis://127.0.0.1:1/").expect("a url")),
        Sealing::new(key),
    )
    .key_names_for(&fixtures::config(server))
}

/// Lease, refuse a second owner, publish-then-release, read it back: through `store`.
pub(crate) fn blocking_operations(store: &RedisStore, keys: &StoreKeyNames) {
    assert!(
        store
            .try_lease(keys, "owner-a", Duration::from_secs(5), OP)
            .expect("a lease")
    );
    assert!(
        !store
            .try_lease(keys, "owner-b", Duration::from_secs(5), OP)
            .expect("an answer")
    );
    let now = store.read(keys, OP).expect("a read").now.expect("redis's clock");
    let until = StoreTime(now.0 + 60_000);
    store
        .publish(keys, b"sealed-bytes", until, "owner-a", OP)
        .expect("a publish");
    let record = store.read(keys, OP).expect("a read");
    let (value, left) = record.token.expect("the value");
    assert_eq!(value, b"sealed-bytes");
    assert!(left > Duration::from_secs(50), "{left:?}");
    assert!(!record.lease_held, "publish released the lease");
    assert!(
        store
            .try_lease(keys, "owner-b", Duration::from_secs(5), OP)
            .expect("a lease")
    );
    store.release(keys, "owner-b", OP).expect("a release");
    assert!(!store.read(keys, OP).expect("a read").lease_held);
}

/// [`blocking_operations`] through the async store.
pub(crate) async fn async_operations(store: &AsyncRedisStore, keys: &StoreKeyNames) {
    assert!(
        store
            .try_lease(keys, "owner-a", Duration::from_secs(5), OP)
            .await
            .expect("a lease")
    );
    assert!(
        !store
            .try_lease(keys, "owner-b", Duration::from_secs(5), OP)
            .await
            .expect("an answer")
    );
    let now = store
        .read(keys, OP)
        .await
        .expect("a read")
        .now
        .expect("redis's clock");
    let until = StoreTime(now.0 + 60_000);
    store
        .publish(keys, b"sealed-bytes", until, "owner-a", OP)
        .await
        .expect("a publish");
    let record = store.read(keys, OP).await.expect("a read");
    assert_eq!(record.token.expect("the value").0, b"sealed-bytes");
    assert!(!record.lease_held, "publish released the lease");
    assert!(
        store
            .try_lease(keys, "owner-b", Duration::from_secs(5), OP)
            .await
            .expect("a lease")
    );
    store.release(keys, "owner-b", OP).await.expect("a release");
    assert!(!store.read(keys, OP).await.expect("a read").lease_held);
}

/// Two blocking providers sharing through `config`: the second takes the first one's token.
pub(crate) fn two_replicas_share_one_token(config: &RedisConfig) {
    let server = fixtures::server();
    let replica = || {
        let key = SealingKey::new(1, &[7; 32]).expect("a key");
        let store = SharedStore::blocking(RedisStore::open(config.clone()), Sealing::new(key));
        learn_oauth_ureq::TokenProvider::builder(fixtures::config(&server))
            .shared_store(store)
            .build()
            .expect("a provider")
    };
    let (a, b) = (replica(), replica());
    let ta = a.token().expect("a token");
    let tb = b.token().expect("a token");
    assert!(ta.expose_secret() == tb.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(b.stats().store.adopted, 1);
}
