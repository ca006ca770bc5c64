//! A key of another type than a string (a hash or a list someone put at the token, the
//! cool-down or the lease key) against a real `redis-server`: a miss that publishing (or
//! taking the lease) replaces, never a store error (which would count towards opening
//! the breaker).

use learn_oauth_driver::store::{BlockingStore, Sealing, SealingKey, SharedStore, StoreKeyNames};
use learn_oauth_mock::MockServer;
use learn_oauth_redis::{AsyncRedisStore, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::redis_server::RedisServer;

fn key() -> SealingKey {
    SealingKey::new(1, &[7; 32]).expect("32 bytes")
}

fn blocking(redis: &RedisServer) -> SharedStore<dyn BlockingStore> {
    SharedStore::blocking(RedisStore::open(redis.config()), Sealing::new(key()))
}

/// A hash at the token key and a list at the cool-down key, both with an expiry (so they
/// look present by their `PTTL`), as a careless or hostile Redis user leaves them.
fn plant_other_types(redis: &RedisServer, names: &StoreKeyNames) {
    let planted = [
        redis.command(&["HSET", names.token(), "field", "value"]),
        redis.command(&["PEXPIRE", names.token(), "600000"]),
        redis.command(&["RPUSH", names.cool_down(), "a", "b"]),
        redis.command(&["PEXPIRE", names.cool_down(), "600000"]),
    ];
    assert!(
        planted
            .iter()
            .all(|reply| reply.as_deref() == Some(":1\r\n") || reply.as_deref() == Some(":2\r\n")),
        "{planted:?}"
    );
    assert_eq!(
        redis.command(&["TYPE", names.token()]).as_deref(),
        Some("+hash\r\n")
    );
}

fn names(redis: &RedisServer, server: &MockServer) -> StoreKeyNames {
    blocking(redis).key_names_for(&fixtures::config(server))
}

#[test]
fn a_hash_at_the_token_key_is_a_miss_that_the_published_token_replaces() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let names = names(&redis, &server);
    plant_other_types(&redis, &names);
    let first = learn_oauth_ureq::TokenProvider::builder(fixtures::config(&server))
        .shared_store(blocking(&redis))
        .build()
        .expect("a provider");
    let token = first.token().expect("a token from the endpoint");
    assert_eq!(server.token_request_count(), 1);
    let stats = first.stats().store;
    assert_eq!(stats.errors, 0, "no store error: {stats:?}");
    assert_eq!(
        stats.fetched_with_lease, 1,
        "it took the lease and published: {stats:?}"
    );
    assert_eq!(
        redis.command(&["TYPE", names.token()]).as_deref(),
        Some("+string\r\n")
    );

    // What it published is shared.
    let second = learn_oauth_ureq::TokenProvider::builder(fixtures::config(&server))
        .shared_store(blocking(&redis))
        .build()
        .expect("a provider");
    assert!(second.token().expect("a token").expose_secret() == token.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(second.stats().store.errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_replica_takes_a_hash_at_the_token_key_for_a_miss_too() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let names = names(&redis, &server);
    plant_other_types(&redis, &names);
    let replica = || {
        let store = SharedStore::asynchronous(AsyncRedisStore::open(redis.config()), Sealing::new(key()));
        learn_oauth_reqwest::TokenProvider::builder(fixtures::config(&server))
            .shared_store(store)
            .build()
            .expect("a provider")
    };
    let first = replica();
    let token = first.token().await.expect("a token from the endpoint");
    assert_eq!(server.token_request_count(), 1);
    let stats = first.stats().store;
    assert_eq!(stats.errors, 0, "no store error: {stats:?}");
    assert_eq!(stats.fetched_with_lease, 1, "{stats:?}");
    assert_eq!(
        redis.command(&["TYPE", names.token()]).as_deref(),
        Some("+string\r\n")
    );
    let second = replica();
    assert!(second.token().await.expect("a token").expose_secret() == token.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(second.stats().store.errors, 0);
}

#[test]
fn a_hash_at_the_lease_key_costs_no_store_error() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let names = names(&redis, &server);
    // Without an expiry: the read counts it as no lease, so the replica tries to take it.
    assert_eq!(
        redis
            .command(&["HSET", names.lease(), "field", "value"])
            .as_deref(),
        Some(":1\r\n")
    );
    let provider = learn_oauth_ureq::TokenProvider::builder(fixtures::config(&server))
        .shared_store(blocking(&redis))
        .build()
        .expect("a provider");
    provider.token().expect("a token from the endpoint");
    assert_eq!(server.token_request_count(), 1);
    let stats = provider.stats().store;
    assert_eq!(stats.errors, 0, "no store error: {stats:?}");
    assert_eq!(stats.fetched_with_lease, 1, "it took the lease: {stats:?}");
    assert_eq!(
        redis.command(&["EXISTS", names.lease()]).as_deref(),
        Some(":0\r\n"),
        "and released it"
    );
}
