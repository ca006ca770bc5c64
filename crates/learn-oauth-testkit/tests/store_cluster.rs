//! The Redis store against a real Redis Cluster (three primaries, three replicas): every
//! key of a token in one slot, the five operations from both stores, sharing a token, and
//! the store following a primary's failover.

mod store_ha_common;

use std::time::{Duration, Instant};

use learn_oauth_driver::store::{AsyncStore, BlockingStore, StoreErrorKind, StoreTime};
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::redis_cluster::RedisCluster;
use store_ha_common::{OP, async_operations, blocking_operations, keys, two_replicas_share_one_token};

fn config(cluster: &RedisCluster) -> RedisConfig {
    RedisConfig::cluster(cluster.urls()).expect("seed urls")
}

#[test]
fn a_tokens_keys_map_to_one_slot() {
    let cluster = RedisCluster::start();
    let keys = keys(&fixtures::server());
    let slot = cluster.keyslot(keys.token());
    assert_eq!(cluster.keyslot(keys.lease()), slot);
    assert_eq!(cluster.keyslot(keys.cool_down()), slot);
    // Not every key lands there: the hash tag is what puts them together.
    assert_ne!(cluster.keyslot("learn-oauth:v1:other:token"), slot);
}

#[test]
fn the_blocking_store_reads_leases_and_publishes_on_a_cluster() {
    let cluster = RedisCluster::start();
    let keys = keys(&fixtures::server());
    blocking_operations(&RedisStore::open(config(&cluster)), &keys);
    // The value is on the primary of the token's slot.
    let reply = cluster
        .command(keys.token(), &["GET", keys.token()])
        .expect("a reply");
    assert!(reply.contains("sealed-bytes"), "{reply}");
    two_replicas_share_one_token(&config(&cluster));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_store_reads_leases_and_publishes_on_a_cluster() {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .expect("a cluster");
    let keys = keys(&fixtures::server());
    async_operations(&AsyncRedisStore::open(config(&cluster)), &keys).await;
    let reply = cluster
        .command(keys.token(), &["GET", keys.token()])
        .expect("a reply");
    assert!(reply.contains("sealed-bytes"), "{reply}");
}

#[test]
fn after_the_primary_of_the_tokens_slot_fails_over_the_store_works_on_its_replica() {
    let mut cluster = RedisCluster::start();
    let keys = keys(&fixtures::server());
    let store = RedisStore::open(config(&cluster));
    let now = store.read(&keys, OP).expect("a read").now.expect("a clock");
    store
        .publish(&keys, b"before", StoreTime(now.0 + 60_000), "a", OP)
        .expect("a publish");
    let killed = cluster.kill_primary_of(keys.token());
    // While the slot has no primary, each operation fails within its timeout.
    let short = Duration::from_millis(250);
    let started = Instant::now();
    let _ = store.read(&keys, short);
    assert!(
        started.elapsed() < short + Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    cluster.await_failover(keys.token(), killed);
    assert_ne!(cluster.primary_of(keys.token()), killed);
    // The same store now reaches the promoted replica.
    assert!(
        store
            .try_lease(&keys, "b", Duration::from_secs(5), OP)
            .expect("a lease")
    );
    let reply = cluster
        .command(keys.lease(), &["GET", keys.lease()])
        .expect("a reply");
    assert!(reply.contains('b'), "{reply}");
}

#[test]
fn with_the_tokens_primary_hung_a_blocking_operation_ends_at_its_timeout() {
    let cluster = RedisCluster::start();
    let keys = keys(&fixtures::server());
    let store = RedisStore::open(config(&cluster));
    store
        .read(&keys, OP)
        .expect("a read: a kept connection to every node");
    let paused = cluster.pause_primary_of(keys.token());
    let timeout = Duration::from_millis(250);
    for _ in 0..3 {
        let started = Instant::now();
        let error = store.read(&keys, timeout).expect_err("no answer");
        let took = started.elapsed();
        assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
        assert!(took < timeout + Duration::from_millis(100), "{took:?}");
    }
    cluster.resume(paused);
    store.read(&keys, OP).expect("a read once it answers again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_tokens_primary_hung_an_async_operation_ends_at_its_timeout() {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .expect("a cluster");
    let keys = keys(&fixtures::server());
    let store = AsyncRedisStore::open(config(&cluster));
    store.read(&keys, OP).await.expect("a read");
    let paused = cluster.pause_primary_of(keys.token());
    let timeout = Duration::from_millis(250);
    for _ in 0..3 {
        let started = Instant::now();
        let error = store.read(&keys, timeout).await.expect_err("no answer");
        let took = started.elapsed();
        assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
        assert!(took < timeout + Duration::from_millis(100), "{took:?}");
    }
    cluster.resume(paused);
    store.read(&keys, OP).await.expect("a read once it answers again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_primary_of_the_tokens_slot_fails_over_the_async_store_works_on_its_replica() {
    let mut cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .expect("a cluster");
    let keys = keys(&fixtures::server());
    let store = AsyncRedisStore::open(config(&cluster));
    store.read(&keys, OP).await.expect("a read");
    let token_key = keys.token().to_owned();
    let (cluster, killed) = tokio::task::spawn_blocking(move || {
        let killed = cluster.kill_primary_of(&token_key);
        cluster.await_failover(&token_key, killed);
        (cluster, killed)
    })
    .await
    .expect("a failover");
    assert_ne!(cluster.primary_of(keys.token()), killed);
    // The cluster client maps the slots again after the first failure at the latest.
    let first = store.try_lease(&keys, "b", Duration::from_secs(5), OP).await;
    let won = match first {
        Ok(won) => won,
        Err(_) => store
            .try_lease(&keys, "b", Duration::from_secs(5), OP)
            .await
            .expect("a lease"),
    };
    assert!(won);
    let reply = cluster
        .command(keys.lease(), &["GET", keys.lease()])
        .expect("a reply");
    assert!(reply.contains('b'), "{reply}");
}
