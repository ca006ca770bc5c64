//! The Redis store against a real primary, replica and three Sentinels: the five
//! operations from both stores through the primary the Sentinels name, sharing a token,
//! and the store following a `SENTINEL FAILOVER`.

mod store_ha_common;

use std::time::Duration;

use learn_oauth_driver::store::{AsyncStore, BlockingStore};
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::redis_sentinel::{RedisSentinel, SERVICE_NAME};
use store_ha_common::{OP, async_operations, blocking_operations, keys, two_replicas_share_one_token};

fn config(set: &RedisSentinel) -> RedisConfig {
    RedisConfig::sentinel(set.sentinel_urls(), SERVICE_NAME).expect("sentinel urls")
}

#[test]
fn the_blocking_store_reads_leases_and_publishes_through_sentinel() {
    let set = RedisSentinel::start();
    let keys = keys(&fixtures::server());
    blocking_operations(&RedisStore::open(config(&set)), &keys);
    let reply = set.command(&["GET", keys.token()]).expect("a reply");
    assert!(reply.contains("sealed-bytes"), "{reply}");
    two_replicas_share_one_token(&config(&set));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_store_reads_leases_and_publishes_through_sentinel() {
    let set = tokio::task::spawn_blocking(RedisSentinel::start)
        .await
        .expect("a sentinel set");
    let keys = keys(&fixtures::server());
    async_operations(&AsyncRedisStore::open(config(&set)), &keys).await;
    let reply = set.command(&["GET", keys.token()]).expect("a reply");
    assert!(reply.contains("sealed-bytes"), "{reply}");
}

#[test]
fn after_a_sentinel_failover_the_blocking_store_writes_to_the_new_primary() {
    let set = RedisSentinel::start();
    let keys = keys(&fixtures::server());
    let store = RedisStore::open(config(&set));
    // A kept connection to the primary.
    assert!(
        store
            .try_lease(&keys, "a", Duration::from_millis(50), OP)
            .expect("a lease")
    );
    let new = set.failover();
    // The kept connection's node is a replica now: its write is refused (READONLY), and
    // within the same operation the store asks the Sentinels again.
    assert!(
        store
            .try_lease(&keys, "b", Duration::from_secs(5), OP)
            .expect("a lease")
    );
    assert_eq!(set.primary_port(), new);
    let reply = set.command(&["GET", keys.lease()]).expect("a reply");
    assert!(reply.contains('b'), "the lease is on the new primary: {reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sentinel_failover_the_async_store_writes_to_the_new_primary() {
    let set = tokio::task::spawn_blocking(RedisSentinel::start)
        .await
        .expect("a sentinel set");
    let keys = keys(&fixtures::server());
    let store = AsyncRedisStore::open(config(&set));
    assert!(
        store
            .try_lease(&keys, "a", Duration::from_millis(50), OP)
            .await
            .expect("a lease")
    );
    let set = tokio::task::spawn_blocking(move || {
        set.failover();
        set
    })
    .await
    .expect("a failover");
    // The shared connection's node is a replica now: one operation is refused (READONLY)
    // and drops it; the next asks the Sentinels again.
    let first = store.try_lease(&keys, "b", Duration::from_secs(5), OP).await;
    let won = match first {
        Ok(won) => won,
        Err(_) => store
            .try_lease(&keys, "b", Duration::from_secs(5), OP)
            .await
            .expect("a lease"),
    };
    assert!(won);
    let reply = set.command(&["GET", keys.lease()]).expect("a reply");
    assert!(reply.contains('b'), "the lease is on the new primary: {reply}");
}
