//! Replicas waiting for the lease holder are told of its publish (Redis pub/sub) and
//! adopt its token at once, instead of at their next poll; without the subscription
//! (an ACL that allows no channel) they still adopt it by polling; a `PUBLISH` nobody
//! sealed anything for makes a waiter read, never adopt.
//!
//! Each test holds the lease holder's token request open ([`MemoryTransport::hold_blocking`])
//! until Redis has run the waiter's read (its `EXEC` count grows), so the waiter is
//! waiting, or about to, when the holder publishes: timing is measured, never slept for.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{BlockingStore, Sealing, SealingKey, SharedStore};
use learn_oauth_driver::{Async, Blocking, Provider, StoreStats};
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_proto::{AccessToken, Error};
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::memory::MemoryTransport;
use learn_oauth_testkit::redis_server::RedisServer;

/// The waiters' poll interval in the fast-wake tests: a waiter that is not told adopts
/// no sooner than this after its read.
const SLOW_POLL: Duration = Duration::from_secs(2);

/// How soon after the holder's request is let go a told waiter must have adopted. The
/// path is a memory answer, one script call (SET, DEL, PUBLISH), Redis pushing the
/// message to the waiter's subscriber, a thread or task woken, one read and an unseal: a
/// few milliseconds idle on loopback. 500 ms leaves two orders of magnitude for a loaded
/// two-core machine and is still a quarter of [`SLOW_POLL`], so a waiter that missed the
/// notification (it adopts at its 2 s poll) always fails.
const TOLD_WITHIN: Duration = Duration::from_millis(500);

fn key() -> SealingKey {
    SealingKey::new(1, &[7; 32]).expect("32 bytes")
}

fn policy(poll: Duration) -> StorePolicy {
    let mut policy = StorePolicy::default();
    policy.poll_interval = poll;
    policy.max_poll_interval = poll;
    policy.peer_wait = Duration::from_secs(10);
    policy.breaker_threshold = u32::MAX;
    policy
}

/// The lease holder: a blocking replica on `url` whose token endpoint answers only when
/// its hold is dropped.
fn holder(url: &str) -> (Provider<Blocking<MemoryTransport>>, MemoryTransport) {
    let endpoint = MemoryTransport::new(&VirtualClock::new());
    let store = SharedStore::blocking(
        RedisStore::open(RedisConfig::node(url).expect("a url")),
        Sealing::new(key()),
    );
    let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
        .transport(endpoint.clone())
        .shared_store(store)
        .build()
        .expect("a provider");
    (provider, endpoint)
}

/// What a waiter's `token()` gave, when it returned, its store counters and how many
/// requests its own endpoint got.
type Waited = (Result<AccessToken, Error>, Instant, StoreStats, usize);

#[derive(Clone, Copy, Debug)]
enum Flavor {
    Blocking,
    Async,
}

/// A waiting replica of `flavor` on `url`, asking for a token on a thread of its own.
fn waiter(flavor: Flavor, url: &str, policy: StorePolicy) -> JoinHandle<Waited> {
    let url = url.to_owned();
    let endpoint = MemoryTransport::new(&VirtualClock::new());
    std::thread::spawn(move || match flavor {
        Flavor::Blocking => {
            let store = SharedStore::blocking(
                RedisStore::open(RedisConfig::node(&url).expect("a url")),
                Sealing::new(key()),
            );
            let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
                .transport(endpoint.clone())
                .shared_store(store.policy(policy))
                .build()
                .expect("a provider");
            let token = provider.token();
            (token, Instant::now(), provider.stats().store, endpoint.requests())
        }
        Flavor::Async => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let store = SharedStore::asynchronous(
                    AsyncRedisStore::open(RedisConfig::node(&url).expect("a url")),
                    Sealing::new(key()),
                );
                let provider = Provider::<Async<MemoryTransport>>::builder(fixtures::memory_config())
                    .transport(endpoint.clone())
                    .shared_store(store.policy(policy))
                    .build()
                    .expect("a provider");
                let token = provider.token().await;
                (token, Instant::now(), provider.stats().store, endpoint.requests())
            })
        }
    })
}

/// How many `EXEC`s (store reads) Redis has run.
fn reads(redis: &RedisServer) -> u64 {
    redis.calls("exec")
}

/// Spins until `done`, at most 10 s (each look is a round trip to Redis).
fn until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::yield_now();
    }
}

fn lease_key(url: &str) -> String {
    SharedStore::blocking(
        RedisStore::open(RedisConfig::node(url).expect("a url")),
        Sealing::new(key()),
    )
    .key_names_for(&fixtures::memory_config())
    .lease()
    .to_owned()
}

/// The holder takes the lease and requests a token, held; a waiter of `flavor` reads
/// (lease held) and waits; then the holder's request is let go. What the waiter got,
/// and when, from the moment the holder was let go.
fn race(redis: &RedisServer, url: &str, flavor: Flavor, poll: Duration) -> (Waited, Duration) {
    let (holder, endpoint) = holder(url);
    let hold = endpoint.hold_blocking();
    let holding = std::thread::spawn(move || holder.token().map(|_| holder.stats().store));
    let lease = lease_key(url);
    until("the holder takes the lease", || {
        redis.command(&["EXISTS", &lease]).as_deref() == Some(":1\r\n")
    });
    let before = reads(redis);
    let waiting = waiter(flavor, url, policy(poll));
    until("the waiter reads", || reads(redis) > before);
    let let_go = Instant::now();
    drop(hold);
    let waited = waiting.join().expect("the waiter");
    let stats = holding.join().expect("the holder").expect("the holder's token");
    assert_eq!(stats.fetched_with_lease, 1);
    let after = waited.1.saturating_duration_since(let_go);
    (waited, after)
}

fn told_at_once(flavor: Flavor) {
    let redis = RedisServer::start();
    let ((token, _, stats, requests), after) = race(&redis, &redis.url(), flavor, SLOW_POLL);
    assert_eq!(token.expect("a token").expose_secret(), "memory-token-1");
    assert_eq!(
        (stats.adopted, requests),
        (1, 0),
        "{flavor:?}: adopted, never requested"
    );
    assert!(
        after < TOLD_WITHIN,
        "{flavor:?}: adopted {after:?} after the publish (poll interval {SLOW_POLL:?})"
    );
}

#[test]
fn a_blocking_waiter_adopts_the_published_token_well_before_its_next_poll() {
    told_at_once(Flavor::Blocking);
}

#[test]
fn an_async_waiter_adopts_the_published_token_well_before_its_next_poll() {
    told_at_once(Flavor::Async);
}

/// A Redis user who may run every command on every key but use no channel.
fn no_channels(redis: &RedisServer) -> String {
    let reply = redis.command(&[
        "ACL",
        "SETUSER",
        "replica",
        "on",
        ">s3cret-redis",
        "~*",
        "+@all",
        "resetchannels",
    ]);
    assert_eq!(reply.as_deref(), Some("+OK\r\n"));
    format!("redis://replica:s3cret-redis@127.0.0.1:{}/", redis.port())
}

fn polls_without_pub_sub(flavor: Flavor) {
    let redis = RedisServer::start();
    let url = no_channels(&redis);
    let ((token, _, stats, requests), _) = race(&redis, &url, flavor, Duration::from_millis(50));
    assert_eq!(token.expect("a token").expose_secret(), "memory-token-1");
    assert_eq!(
        (stats.adopted, requests),
        (1, 0),
        "{flavor:?}: adopted by polling"
    );
    let log = redis.command(&["ACL", "LOG"]).expect("a reply");
    assert!(
        log.contains("learn-oauth:v1:*:published"),
        "the subscription was refused: {log}"
    );
}

#[test]
fn without_pub_sub_a_blocking_waiter_still_adopts_by_polling() {
    polls_without_pub_sub(Flavor::Blocking);
}

#[test]
fn without_pub_sub_an_async_waiter_still_adopts_by_polling() {
    polls_without_pub_sub(Flavor::Async);
}

#[test]
fn a_refused_subscription_ends_a_blocking_watch_at_once() {
    let redis = RedisServer::start();
    let store = RedisStore::open(RedisConfig::node(&no_channels(&redis)).expect("a url"));
    let names = SharedStore::blocking(RedisStore::open(redis.config()), Sealing::new(key()))
        .key_names_for(&fixtures::memory_config());
    let mut watch = store.watch(&names).expect("Redis can tell");
    let started = Instant::now();
    assert!(!watch.wait(Duration::from_secs(10)), "nothing to tell");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the provider polls at once: {took:?}"
    );
}

fn forged_publish_adopts_nothing(flavor: Flavor) {
    let redis = RedisServer::start();
    let url = redis.url();
    let names = SharedStore::blocking(
        RedisStore::open(RedisConfig::node(&url).expect("a url")),
        Sealing::new(key()),
    )
    .key_names_for(&fixtures::memory_config());
    // A lease nobody of the fleet holds: the waiter waits, until its peer wait ends.
    let planted = redis.command(&["SET", names.lease(), "intruder", "PX", "60000"]);
    assert_eq!(planted.as_deref(), Some("+OK\r\n"));
    let mut policy = policy(SLOW_POLL);
    policy.peer_wait = Duration::from_secs(3);
    let before = reads(&redis);
    let waiting = waiter(flavor, &url, policy);
    until("the waiter reads", || reads(&redis) > before);
    let read = reads(&redis);
    let unsealed = redis.command(&["SET", names.token(), "attackers-own-token", "PX", "600000"]);
    assert_eq!(unsealed.as_deref(), Some("+OK\r\n"));
    let forged = Instant::now();
    let _ = redis.command(&["PUBLISH", names.published(), "forged"]);
    until("the forged notification makes the waiter read", || {
        reads(&redis) > read
    });
    let woke = forged.elapsed();
    let (token, _, stats, requests) = waiting.join().expect("the waiter");
    assert!(woke < TOLD_WITHIN, "{flavor:?}: read {woke:?} after the PUBLISH");
    assert_eq!(
        token.expect("a token").expose_secret(),
        "memory-token-1",
        "its own"
    );
    assert_eq!((stats.adopted, stats.fetched_alone, requests), (0, 1, 1));
    assert!(stats.values_refused >= 1, "{stats:?}");
}

#[test]
fn a_forged_publish_makes_a_blocking_waiter_read_never_adopt() {
    forged_publish_adopts_nothing(Flavor::Blocking);
}

#[test]
fn a_forged_publish_makes_an_async_waiter_read_never_adopt() {
    forged_publish_adopts_nothing(Flavor::Async);
}
