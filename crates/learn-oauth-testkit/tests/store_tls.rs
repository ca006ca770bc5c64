//! The Redis shared store over TLS with an ACL user, against a real TLS-only
//! `redis-server` whose certificate a throwaway CA of the test signed: replicas share
//! tokens; a wrong CA, a wrong password or an unknown user is a typed store error that
//! names no password, and the replica gets its own tokens; a restarted server is found
//! again without a failed or slow call; 16 replica processes over TLS make about one
//! request per refresh period.

use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    AsyncStore, BlockingStore, Sealing, SealingKey, SharedStore, StoreError, StoreErrorKind, StoreKeyNames,
};
use learn_oauth_mock::MockServer;
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::fleet::{self, Sharing, run_fleet};
use learn_oauth_testkit::redis_server::RedisServer;
use learn_oauth_testkit::redis_tls::{REDIS_PASSWORD, REDIS_USER, other_ca_pem};

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");

fn sealing() -> Sealing {
    Sealing::new(SealingKey::new(1, &[7; 32]).expect("32 bytes"))
}

fn blocking(config: RedisConfig) -> SharedStore<dyn BlockingStore> {
    SharedStore::blocking(RedisStore::open(config), sealing())
}

fn replica(server: &MockServer, store: SharedStore<dyn BlockingStore>) -> learn_oauth_ureq::TokenProvider {
    learn_oauth_ureq::TokenProvider::builder(fixtures::config(server))
        .shared_store(store)
        .build()
        .expect("a provider")
}

fn async_replica(server: &MockServer, config: RedisConfig) -> learn_oauth_reqwest::TokenProvider {
    let store = SharedStore::asynchronous(AsyncRedisStore::open(config), sealing());
    learn_oauth_reqwest::TokenProvider::builder(fixtures::config(server))
        .shared_store(store)
        .build()
        .expect("a provider")
}

fn names(server: &MockServer, redis: &RedisServer) -> StoreKeyNames {
    blocking(redis.config()).key_names_for(&fixtures::config(server))
}

/// The three ways to get it wrong, each with the kind of store error it gives and the
/// secret that must not show: a CA that did not sign the server's certificate, a wrong
/// password, a user the server does not know.
fn wrong(redis: &RedisServer) -> [(&'static str, RedisConfig, StoreErrorKind, &'static str); 3] {
    let wrong_password = "wrong-canary-pw-2Zr7";
    let node = |url: &str| {
        RedisConfig::node(url)
            .expect("a url")
            .root_certificates(redis.ca_pem().expect("a TLS server"))
            .expect("a CA")
    };
    let other_ca = RedisConfig::node(&redis.url())
        .expect("a url")
        .root_certificates(other_ca_pem().as_bytes())
        .expect("a CA");
    [
        ("another CA", other_ca, StoreErrorKind::Connect, REDIS_PASSWORD),
        (
            "a wrong password",
            node(&redis.url_as(REDIS_USER, wrong_password)),
            StoreErrorKind::Protocol,
            wrong_password,
        ),
        (
            "an unknown user",
            node(&redis.url_as("nobody", REDIS_PASSWORD)),
            StoreErrorKind::Protocol,
            REDIS_PASSWORD,
        ),
    ]
}

/// Everything an error shows: Display, Debug and every source's Display.
fn shown(error: &StoreError) -> String {
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    text
}

#[test]
fn over_tls_with_an_acl_user_two_replicas_share_one_token() {
    let redis = RedisServer::start_tls();
    let server = fixtures::server();
    let first = replica(&server, blocking(redis.config()));
    let second = replica(&server, blocking(redis.config()));
    let token = first.token().expect("a token");
    assert!(second.token().expect("a token").expose_secret() == token.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(second.stats().store.adopted, 1);
    assert_eq!(first.stats().store.errors + second.stats().store.errors, 0);
    // The value is in Redis, where the ACL user may write: under the store's prefix.
    let names = names(&server, &redis);
    assert_eq!(
        redis.command(&["TYPE", names.token()]).as_deref(),
        Some("+string\r\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_replicas_share_one_token_over_tls_too() {
    let redis = RedisServer::start_tls();
    let server = fixtures::server();
    let (first, second) = (
        async_replica(&server, redis.config()),
        async_replica(&server, redis.config()),
    );
    let token = first.token().await.expect("a token");
    assert!(second.token().await.expect("a token").expose_secret() == token.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(second.stats().store.adopted, 1);
    assert_eq!(first.stats().store.errors + second.stats().store.errors, 0);
}

#[test]
fn a_wrong_ca_password_or_user_is_a_typed_error_and_the_replica_gets_its_own_tokens() {
    let redis = RedisServer::start_tls();
    let server = fixtures::server();
    let names = names(&server, &redis);
    let timeout = StorePolicy::default().op_timeout;
    for (n, (what, config, kind, secret)) in wrong(&redis).into_iter().enumerate() {
        let error = RedisStore::open(config.clone())
            .read(&names, timeout)
            .expect_err(what);
        assert_eq!(error.kind(), kind, "{what}: {}", shown(&error));
        let text = shown(&error);
        assert!(
            !text.contains(secret) && !text.contains(REDIS_PASSWORD),
            "{what}: {text}"
        );

        let started = Instant::now();
        let provider = replica(&server, blocking(config));
        provider.token().expect("a token of its own");
        assert!(started.elapsed() < timeout + Duration::from_secs(1), "{what}");
        assert_eq!(server.token_request_count(), n + 1, "{what}");
        let stats = provider.stats().store;
        assert!(stats.errors >= 1 && stats.fetched_alone == 1, "{what}: {stats:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_store_with_a_wrong_ca_password_or_user_is_a_typed_error_too() {
    let redis = RedisServer::start_tls();
    let server = fixtures::server();
    let names = names(&server, &redis);
    let timeout = StorePolicy::default().op_timeout;
    for (n, (what, config, kind, secret)) in wrong(&redis).into_iter().enumerate() {
        let error = AsyncRedisStore::open(config.clone())
            .read(&names, timeout)
            .await
            .expect_err(what);
        assert_eq!(error.kind(), kind, "{what}: {}", shown(&error));
        let text = shown(&error);
        assert!(
            !text.contains(secret) && !text.contains(REDIS_PASSWORD),
            "{what}: {text}"
        );

        let started = Instant::now();
        let provider = async_replica(&server, config);
        provider.token().await.expect("a token of its own");
        assert!(started.elapsed() < timeout + Duration::from_secs(1), "{what}");
        assert_eq!(server.token_request_count(), n + 1, "{what}");
        let stats = provider.stats().store;
        assert!(stats.errors >= 1 && stats.fetched_alone == 1, "{what}: {stats:?}");
    }
}

/// A policy whose breaker never opens, so every call tries the store.
fn no_breaker() -> StorePolicy {
    let mut policy = StorePolicy::default();
    policy.breaker_threshold = u32::MAX;
    policy
}

#[test]
fn a_tls_server_restarted_mid_run_is_found_again_without_a_failed_or_slow_call() {
    let mut redis = RedisServer::start_tls();
    let server = fixtures::server();
    let policy = no_breaker();
    let (a, b) = (
        blocking(redis.config()).policy(policy.clone()),
        blocking(redis.config()).policy(policy.clone()),
    );
    // A cold replica's call: at most three store operations and the token request.
    let bound = policy.op_timeout * 3 + Duration::from_secs(1);
    let mut slowest = Duration::ZERO;
    let mut call = |store: &SharedStore<dyn BlockingStore>| {
        let provider = replica(&server, store.clone());
        let started = Instant::now();
        provider.token().expect("every call gets a token");
        slowest = slowest.max(started.elapsed());
        provider.stats().store
    };
    call(&a);
    assert_eq!(call(&b).adopted, 1, "both hold a TLS connection now");
    redis.kill();
    for _ in 0..3 {
        call(&b);
    }
    redis.restart();
    // The connections from before the restart are broken: replaced within the call.
    assert_eq!(call(&b).fetched_with_lease, 1, "b publishes again");
    let later = call(&a);
    assert_eq!(later.adopted, 1, "a takes b's token: sharing resumed ({later:?})");
    assert_eq!(server.token_request_count(), 5);
    assert!(slowest < bound, "{slowest:?}");
}

#[test]
fn sixteen_processes_over_tls_share_one_token_per_refresh_period() {
    let redis = RedisServer::start_tls();
    let run = Duration::from_secs(8);
    let periods = fleet::max_periods(run);
    let shared = run_fleet(REPLICA, 16, Sharing::from(&redis), run);
    println!(
        "fleet over TLS: {} requests, at most {periods} refresh periods, {} calls, slowest {} ms",
        shared.requests, shared.calls, shared.max_ms
    );
    shared.assert_shared(16, run);
}
