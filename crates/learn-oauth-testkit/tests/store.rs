//! The Redis shared store against a real `redis-server` (started per test on a free
//! loopback port) and the mock token server: replicas share one token, values are sealed,
//! bad values are misses, a Redis writer without the key chooses no replica's token nor
//! its cool-down, and a dead, hung or restarted Redis never stops a replica from getting
//! tokens.

use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    BlockingStore, Sealing, SealingKey, SharedStore, StoreError, StoreKeyNames, StoreRecord, StoreTime,
};
use learn_oauth_driver::{Blocking, Provider};
use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_redis::{AsyncRedisStore, RedisStore};
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures::{self, SECRET};
use learn_oauth_testkit::memory::MemoryTransport;
use learn_oauth_testkit::redis_server::RedisServer;
use learn_oauth_ureq::TokenProvider;

/// One replica: a provider with its own Redis client and owner id, as a process has.
fn replica(server: &MockServer, store: SharedStore<dyn BlockingStore>) -> TokenProvider {
    TokenProvider::builder(fixtures::config(server))
        .shared_store(store)
        .build()
        .expect("a provider")
}

/// A replica's store, sealed with the fleet's key.
fn store(redis: &RedisServer) -> SharedStore<dyn BlockingStore> {
    sealed(redis, key(1, 7))
}

fn key(id: u8, byte: u8) -> SealingKey {
    SealingKey::new(id, &[byte; 32]).expect("32 bytes")
}

fn sealed(redis: &RedisServer, key: SealingKey) -> SharedStore<dyn BlockingStore> {
    sealing(redis, Sealing::new(key))
}

fn sealing(redis: &RedisServer, sealing: Sealing) -> SharedStore<dyn BlockingStore> {
    SharedStore::blocking(RedisStore::open(redis.config()), sealing)
}

/// The token value's key in Redis for the fixtures' config.
fn token_key(server: &MockServer, redis: &RedisServer) -> String {
    store(redis)
        .key_names_for(&fixtures::config(server))
        .token()
        .to_owned()
}

#[test]
fn a_second_replica_takes_the_first_ones_token_from_redis() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let first = replica(&server, store(&redis));
    let second = replica(&server, store(&redis));
    let token = first.token().expect("a token");
    assert_eq!(server.token_request_count(), 1);
    let shared = second.token().expect("a token");
    assert!(shared.same_as(&token) || shared.expose_secret() == token.expose_secret());
    assert_eq!(
        server.token_request_count(),
        1,
        "the second replica sent no request"
    );
    let stats = second.stats();
    assert_eq!(stats.store.adopted, 1);
    assert_eq!(first.stats().store.fetched_with_lease, 1);
    // It expires when the token does (by Redis's clock), and no secret is in a key.
    let pttl = redis
        .command(&["PTTL", &token_key(&server, &redis)])
        .expect("a reply");
    let ms: u64 = pttl.trim_start_matches(':').trim().parse().expect("an integer");
    assert!(ms > 3_500_000 && ms <= 3_600_000, "{ms} ms");
    let keys = redis.command(&["KEYS", "*"]).expect("a reply");
    assert!(keys.contains("learn-oauth:v1:{"), "{keys}");
    assert!(
        !keys.contains(SECRET) && !keys.contains(fixtures::TENANT),
        "{keys}"
    );
    assert!(!keys.contains(":lease"), "the lease was released: {keys}");
}

#[test]
fn sealed_values_hide_the_token_and_open_only_with_the_key() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let first = replica(&server, sealed(&redis, key(1, 7)));
    let token = first.token().expect("a token");
    let raw = redis
        .command_bytes(&[b"GET", token_key(&server, &redis).as_bytes()])
        .expect("a reply");
    let raw_text = String::from_utf8_lossy(&raw);
    assert!(!raw_text.contains(token.expose_secret()), "the token is sealed");

    // Rotation: a replica with a new current key and the old one as previous opens it.
    let rotated = sealing(
        &redis,
        Sealing::new(key(2, 9)).with_previous(key(1, 7)).expect("two ids"),
    );
    let second = replica(&server, rotated);
    assert!(second.token().expect("a token").expose_secret() == token.expose_secret());
    assert_eq!(server.token_request_count(), 1);

    // A replica with another key cannot use it: a miss, so it fetches.
    let wrong = replica(&server, sealed(&redis, key(1, 8)));
    assert!(wrong.token().expect("a token").expose_secret() != token.expose_secret());
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(wrong.stats().store.adopted, 0);
    assert_eq!(wrong.stats().store.values_refused, 1);
}

#[test]
fn corrupt_and_foreign_values_are_misses_never_crashes() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let key_name = token_key(&server, &redis);
    let cases: [&[u8]; 6] = [
        b"garbage",
        b"LO\x01e\x01short",
        b"LO\x01p{not json",
        b"",
        b"LO\x02t\x01short",
        b"LO\x02p{}",
    ];
    for (n, value) in cases.into_iter().enumerate() {
        let _ = redis.command_bytes(&[b"SET", key_name.as_bytes(), value, b"PX", b"600000"]);
        let fresh = replica(&server, store(&redis));
        fresh.token().expect("a token despite the bad value");
        assert_eq!(server.token_request_count(), n + 1, "a miss: {value:?}");
        assert_eq!(fresh.stats().store.values_refused, 1);
    }
}

/// A plaintext token value as a Redis writer without the key writes it (the format the
/// store once accepted unsealed), for `token`, living an hour.
fn planted(token: &str) -> Vec<u8> {
    let json = format!(r#"{{"t":"{token}","s":"","st":true,"l":3600000,"x":99999999999999}}"#);
    [&b"LO\x01p"[..], json.as_bytes()].concat()
}

#[test]
fn a_planted_plaintext_token_is_never_sent() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let key_name = token_key(&server, &redis);
    // Another tenant's token (the attacker's own), planted in every shape a writer
    // without the key can make.
    for (n, value) in [planted("attackers-own-token"), b"attackers-own-token".to_vec()]
        .into_iter()
        .enumerate()
    {
        let _ = redis.command_bytes(&[b"SET", key_name.as_bytes(), &value, b"PX", b"600000"]);
        let victim = replica(&server, store(&redis));
        let token = victim.token().expect("a token");
        assert!(
            token.expose_secret() != "attackers-own-token",
            "the planted token was sent"
        );
        // What the resource would see is a token the endpoint issued for this tenant.
        assert!(
            server.revoke_token(token.expose_secret()),
            "issued by the endpoint"
        );
        assert_eq!(server.token_request_count(), n + 1);
        assert_eq!(victim.stats().store.adopted, 0);
        assert_eq!(victim.stats().store.values_refused, 1);
    }
}

#[test]
fn a_sealed_value_moved_to_another_tenants_key_is_refused() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let tenant_a = TokenProvider::builder(fixtures::config(&server))
        .shared_store(store(&redis))
        .build()
        .expect("a provider");
    let token_a = tenant_a.token().expect("a token");
    let key_a = token_key(&server, &redis);
    let config_b = fixtures::config_with_read_scope(&server);
    let key_b = store(&redis).key_names_for(&config_b).token().to_owned();
    assert_ne!(key_a, key_b);
    // The writer copies A's sealed value to B's key.
    write_back(&redis, &key_b, &saved(&redis, &key_a));
    let tenant_b = TokenProvider::builder(config_b)
        .shared_store(store(&redis))
        .build()
        .expect("a provider");
    let token_b = tenant_b.token().expect("a token");
    assert!(
        token_b.expose_secret() != token_a.expose_secret(),
        "A's token sent for B"
    );
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(tenant_b.stats().store.values_refused, 1);
}

#[test]
fn a_planted_cool_down_is_ignored_and_counted() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let names = store(&redis).key_names_for(&fixtures::config(&server));
    // An hour-long cool-down planted by a writer without the key, then a token value
    // copied into the cool-down key (sealed, but for another name and of another kind).
    let _ = redis.command(&["SET", names.cool_down(), "1", "PX", "3600000"]);
    let first = replica(&server, store(&redis));
    let started = Instant::now();
    first.token().expect("a token, within its wait");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(first.stats().store.cool_downs_ignored, 1);
    assert_eq!(first.stats().store.cooled_down, 0);
    write_back(&redis, names.cool_down(), &saved(&redis, names.token()));
    let _ = redis.command(&["DEL", names.token()]);
    let second = replica(&server, store(&redis));
    second.token().expect("a token");
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(second.stats().store.cool_downs_ignored, 1);
}

/// A provider whose `invalidate` is never held back.
fn invalidating(server: &MockServer, redis: &RedisServer) -> TokenProvider {
    let mut policy = fixtures::policy();
    policy.invalidate_cooldown = Duration::ZERO;
    // These tests count requests and refusals, not time: a store operation slower than the
    // default 250 ms on a busy machine would be a store error, a request of its own, and a
    // count off by one. Operations here get 5 s.
    let mut patient = StorePolicy::default();
    patient.op_timeout = Duration::from_secs(5);
    TokenProvider::builder(fixtures::config(server))
        .policy(policy)
        .shared_store(store(redis).policy(patient))
        .build()
        .expect("a provider")
}

/// The value's bytes at `key_name` in Redis (the bulk reply's body).
fn saved(redis: &RedisServer, key_name: &str) -> Vec<u8> {
    let reply = redis
        .command_bytes(&[b"GET", key_name.as_bytes()])
        .expect("a reply");
    assert!(reply.starts_with(b"$") && !reply.starts_with(b"$-1"), "a value");
    let start = reply.iter().position(|&b| b == b'\n').expect("a bulk reply") + 1;
    reply[start..reply.len() - 2].to_vec()
}

/// Writes `value` at `key_name` with an hour to live, as any Redis writer can.
fn write_back(redis: &RedisServer, key_name: &str, value: &[u8]) {
    let reply = redis
        .command_bytes(&[b"SET", key_name.as_bytes(), value, b"PX", b"3600000"])
        .expect("a reply");
    assert_eq!(reply, b"+OK\r\n");
}

#[test]
fn an_old_sealed_value_written_back_is_not_adopted() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let key_name = token_key(&server, &redis);
    let first = invalidating(&server, &redis);
    let old = first.token().expect("a token");
    let old_value = saved(&redis, &key_name);
    assert!(first.invalidate(&old));
    let newer = first.token().expect("a new token");
    // A peer adopts the newer token: it has seen it.
    let peer = invalidating(&server, &redis);
    let adopted = peer.token().expect("a token");
    assert!(adopted.expose_secret() == newer.expose_secret());
    assert_eq!(server.token_request_count(), 2);
    // The writer puts the old value back, still inside its sealed lifetime; the newer
    // token is then refused by the resource.
    write_back(&redis, &key_name, &old_value);
    assert!(peer.invalidate(&adopted));
    let next = peer.token().expect("a token");
    assert!(
        next.expose_secret() != old.expose_secret(),
        "the rolled-back token was adopted"
    );
    assert_eq!(server.token_request_count(), 3);
    assert_eq!(peer.stats().store.values_refused, 1);
}

#[test]
fn a_refused_token_written_back_is_not_adopted() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let key_name = token_key(&server, &redis);
    let provider = invalidating(&server, &redis);
    let refused = provider.token().expect("a token");
    let refused_value = saved(&redis, &key_name);
    assert!(provider.invalidate(&refused));
    let second = provider.token().expect("a new token");
    assert!(provider.invalidate(&second));
    // Before this replica reads again, the first refused token is written back.
    write_back(&redis, &key_name, &refused_value);
    let third = provider.token().expect("a token");
    assert!(
        third.expose_secret() != refused.expose_secret(),
        "a refused token came back"
    );
    assert!(third.expose_secret() != second.expose_secret());
    assert_eq!(server.token_request_count(), 3);
}

/// A policy whose breaker never opens, so a test sees every request try the store.
fn no_breaker() -> StorePolicy {
    let mut policy = StorePolicy::default();
    policy.breaker_threshold = u32::MAX;
    policy
}

#[test]
fn with_redis_down_every_replica_gets_tokens_on_its_own_within_the_bound() {
    let mut redis = RedisServer::start();
    redis.kill();
    let server = fixtures::server();
    let policy = StorePolicy::default();
    let started = Instant::now();
    let first = replica(&server, store(&redis).policy(policy.clone()));
    first.token().expect("a token with redis down");
    // One read fails (connection refused at once), and the request goes alone.
    assert!(started.elapsed() < policy.op_timeout + Duration::from_secs(2));
    assert_eq!(first.stats().store.fetched_alone, 1);
    assert!(first.stats().store.errors >= 1);
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn a_hung_redis_costs_at_most_the_operation_timeout_then_the_breaker_skips_it() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let policy = StorePolicy::default();
    let shared = store(&redis).policy(policy.clone());
    // A connection made while Redis answered, then Redis hangs (SIGSTOP).
    replica(&server, shared.clone()).token().expect("a token");
    redis.pause();
    let mut worst = Duration::ZERO;
    for n in 0..5 {
        let fresh = replica(&server, shared.clone());
        let started = Instant::now();
        fresh.token().expect("a token with redis hung");
        worst = worst.max(started.elapsed());
        assert_eq!(server.token_request_count(), n + 2);
    }
    redis.resume();
    // Each call: at most one timed-out operation (the breaker opens after three), plus
    // the token request.
    assert!(
        worst < policy.op_timeout * 2 + Duration::from_secs(1),
        "{worst:?}"
    );
    assert!(
        shared.breaker_open(Instant::now()),
        "three timeouts opened the breaker"
    );
}

#[test]
fn after_a_redis_restart_sharing_resumes() {
    let mut redis = RedisServer::start();
    let server = fixtures::server();
    let shared_a = store(&redis).policy(no_breaker());
    let shared_b = store(&redis).policy(no_breaker());
    replica(&server, shared_a.clone()).token().expect("a token");
    redis.kill();
    for _ in 0..3 {
        replica(&server, shared_b.clone())
            .token()
            .expect("a token with redis dead");
    }
    assert_eq!(server.token_request_count(), 4);
    redis.restart();
    // The broken connections are replaced: one replica publishes, the next one (whose
    // pooled connection predates the restart) takes its token.
    replica(&server, shared_b.clone()).token().expect("a token");
    let later = replica(&server, shared_a.clone());
    later.token().expect("a token");
    assert_eq!(
        server.token_request_count(),
        5,
        "the last replica took the token from redis"
    );
    assert_eq!(later.stats().store.adopted, 1);
}

#[test]
fn a_lease_left_by_a_dead_holder_delays_a_cold_replica_only_until_it_expires() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let probe = store(&redis);
    let lease = probe.key_names_for(&fixtures::config(&server)).lease().to_owned();
    // What a holder SIGKILLed mid-request leaves: a lease that expires on its own.
    let _ = redis.command(&["SET", &lease, "dead-owner", "PX", "700"]);
    let started = Instant::now();
    let cold = replica(&server, store(&redis));
    cold.token().expect("a token");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(600),
        "it waited for the lease: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "and no longer: {waited:?}");
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(
        cold.stats().store.fetched_with_lease,
        1,
        "it took the lease once free"
    );
}

#[test]
fn a_429_seen_by_the_lease_holder_cools_the_whole_fleet_down() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let mut policy = fixtures::policy();
    policy.max_attempts = 1;
    server.enqueue(Fault::RetryAfter {
        status: 429,
        seconds: 60,
    });
    let build = || {
        TokenProvider::builder(fixtures::config(&server))
            .policy(policy.clone())
            .shared_store(store(&redis))
            .build()
            .expect("a provider")
    };
    let first = build();
    let error = first.token().expect_err("rate limited");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.token_request_count(), 1);
    let second = build();
    let error = second.token().expect_err("the fleet cools down");
    assert!(error.retry_after().is_some_and(|d| d > Duration::from_secs(50)));
    assert_eq!(
        server.token_request_count(),
        1,
        "the second replica did not call the endpoint"
    );
    assert_eq!(second.stats().store.cooled_down, 1);
}

#[test]
fn pools_in_two_replicas_share_one_token_per_tenant() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let pool = |shared| {
        let pool =
            learn_oauth_ureq::TokenPool::builder(learn_oauth_ureq::Transport::new().expect("a transport"))
                .shared_store(shared)
                .build();
        pool.insert(fixtures::config(&server)).expect("inserted");
        pool
    };
    let a = pool(store(&redis));
    let b = pool(store(&redis));
    let key = learn_oauth_driver::pool::PoolKey::of(&fixtures::config(&server));
    let ta = a.token(&key).expect("a token");
    let tb = b.token(&key).expect("a token");
    assert!(ta.expose_secret() == tb.expose_secret());
    assert_eq!(server.token_request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_replicas_share_one_token_too() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let replica = || {
        let store = SharedStore::asynchronous(AsyncRedisStore::open(redis.config()), Sealing::new(key(1, 3)));
        learn_oauth_reqwest::TokenProvider::builder(fixtures::config(&server))
            .shared_store(store)
            .build()
            .expect("a provider")
    };
    let (a, b) = (replica(), replica());
    let ta = a.token().await.expect("a token");
    let tb = b.token().await.expect("a token");
    assert!(ta.expose_secret() == tb.expose_secret());
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(b.stats().store.adopted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_replica_with_redis_hung_is_cut_off_at_the_operation_timeout() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let store = SharedStore::asynchronous(AsyncRedisStore::open(redis.config()), Sealing::new(key(1, 3)));
    let policy = StorePolicy::default();
    let provider = learn_oauth_reqwest::TokenProvider::builder(fixtures::config(&server))
        .shared_store(store.clone().policy(policy.clone()))
        .build()
        .expect("a provider");
    redis.pause();
    let started = Instant::now();
    provider.token().await.expect("a token with redis hung");
    let took = started.elapsed();
    redis.resume();
    assert!(took < policy.op_timeout + Duration::from_secs(1), "{took:?}");
    assert_eq!(provider.stats().store.fetched_alone, 1);
}

/// A replica whose clock reads `ahead` later than the others' (a skewed machine).
#[derive(Debug)]
struct Skewed {
    ahead: Duration,
}

impl learn_oauth_driver::Clock for Skewed {
    fn now(&self) -> Instant {
        Instant::now() + self.ahead
    }
}

impl learn_oauth_driver::BlockingClock for Skewed {
    fn sleep_until(&self, deadline: Instant) {
        std::thread::sleep(deadline.saturating_duration_since(learn_oauth_driver::Clock::now(self)));
    }
}

#[test]
fn a_replica_with_a_skewed_clock_gets_the_same_time_left_never_more() {
    let redis = RedisServer::start();
    let server = fixtures::server();
    let first = replica(&server, store(&redis));
    let token = first.token().expect("a token");
    let left_first = token.expires_at().saturating_duration_since(Instant::now());
    for ahead in [Duration::from_secs(3 * 3600), Duration::from_secs(1)] {
        let skewed = TokenProvider::builder(fixtures::config(&server))
            .clock(Skewed { ahead })
            .shared_store(store(&redis))
            .build()
            .expect("a provider");
        let shared = skewed.token().expect("a token");
        assert!(
            shared.expose_secret() == token.expose_secret(),
            "taken from redis"
        );
        // Expiries in Redis are on Redis's clock (PXAT from its TIME, PTTL): what is left
        // is the same whatever this replica's clock says.
        let left = shared
            .expires_at()
            .saturating_duration_since(Instant::now() + ahead);
        assert!(
            left <= left_first,
            "never more time than the token has: {left:?} > {left_first:?}"
        );
        assert!(
            left_first - left < Duration::from_secs(2),
            "{left:?} vs {left_first:?}"
        );
    }
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn a_token_the_resource_refused_is_not_taken_back_from_redis() {
    // Review finding: the refused token was compared by handle, and the one read back from
    // Redis is a new handle, so it came straight back after every invalidate.
    let redis = RedisServer::start();
    let server = fixtures::server();
    let mut policy = fixtures::policy();
    policy.invalidate_cooldown = Duration::ZERO;
    let provider = TokenProvider::builder(fixtures::config(&server))
        .policy(policy)
        .shared_store(store(&redis))
        .build()
        .expect("a provider");
    let refused = provider.token().expect("a token");
    assert!(provider.invalidate(&refused));
    let fresh = provider.token().expect("a new token");
    assert!(
        fresh.expose_secret() != refused.expose_secret(),
        "not the refused one from redis"
    );
    assert_eq!(server.token_request_count(), 2);
    // And the new token replaced the refused one in Redis for the fleet.
    let peer = replica(&server, store(&redis));
    assert!(peer.token().expect("a token").expose_secret() == fresh.expose_secret());
    assert_eq!(server.token_request_count(), 2);
}

/// A store in memory on the virtual clock: what a writer without the key plants is set
/// directly; the provider's own writes land as a store's would.
#[derive(Debug, Default, Clone)]
struct MemoryStore {
    clock: VirtualClock,
    entries: std::sync::Arc<std::sync::Mutex<MemoryEntries>>,
}

#[derive(Debug, Default)]
struct MemoryEntries {
    /// Value and expiry (ms on the store's clock).
    token: Option<(Vec<u8>, u64)>,
    cool_down: Option<(Vec<u8>, u64)>,
}

impl MemoryStore {
    fn now_ms(&self) -> u64 {
        1_000_000 + u64::try_from(self.clock.elapsed().as_millis()).expect("ms")
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, MemoryEntries> {
        self.entries.lock().expect("not poisoned")
    }
}

impl BlockingStore for MemoryStore {
    fn read(&self, _keys: &StoreKeyNames, _timeout: Duration) -> Result<StoreRecord, StoreError> {
        let now = self.now_ms();
        let left = |entry: &Option<(Vec<u8>, u64)>| {
            entry
                .as_ref()
                .filter(|(_, until)| *until > now)
                .map(|(value, until)| (value.clone(), Duration::from_millis(until - now)))
        };
        let entries = self.entries();
        Ok(StoreRecord::new(
            left(&entries.token),
            left(&entries.cool_down),
            false,
            Some(StoreTime(now)),
        ))
    }

    fn try_lease(&self, _: &StoreKeyNames, _: &str, _: Duration, _: Duration) -> Result<bool, StoreError> {
        Ok(true)
    }

    fn publish(
        &self,
        _keys: &StoreKeyNames,
        value: &[u8],
        expire_at: StoreTime,
        _owner: &str,
        _timeout: Duration,
    ) -> Result<(), StoreError> {
        self.entries().token = Some((value.to_vec(), expire_at.0));
        Ok(())
    }

    fn cool_down(
        &self,
        _keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        _owner: &str,
        _timeout: Duration,
    ) -> Result<(), StoreError> {
        self.entries().cool_down = Some((value.to_vec(), until.0));
        Ok(())
    }

    fn release(&self, _: &StoreKeyNames, _: &str, _: Duration) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn on_virtual_time_a_planted_token_and_cool_down_are_refused_and_counted() {
    let clock = VirtualClock::new();
    let memory = MemoryStore {
        clock: clock.clone(),
        ..MemoryStore::default()
    };
    let hour = memory.now_ms() + 3_600_000;
    memory.entries().token = Some((planted("attackers-own-token"), hour));
    memory.entries().cool_down = Some((b"1".to_vec(), hour));
    let endpoint = MemoryTransport::new(&clock);
    let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
        .transport(endpoint.clone())
        .clock(clock.clone())
        .shared_store(SharedStore::blocking(memory.clone(), Sealing::new(key(1, 7))))
        .build()
        .expect("a provider");
    let token = provider.token().expect("a token, within its wait");
    assert_eq!(
        token.expose_secret(),
        "memory-token-1",
        "only what the endpoint issued"
    );
    assert_eq!(endpoint.requests(), 1);
    assert!(clock.elapsed() < StorePolicy::default().peer_wait);
    let stats = provider.stats().store;
    assert_eq!((stats.values_refused, stats.cool_downs_ignored), (1, 1));
    assert_eq!((stats.adopted, stats.cooled_down), (0, 0));
}
