//! Many tenants in one process: the `TokenPool`, on the virtual clock over the in-memory
//! endpoint (eviction, LRU, resolver, invalidate) and against the mock serving many
//! tenants (single flight per key, isolation, the cold storm across keys).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use learn_oauth_driver::pool::{PoolError, PoolKey, ResolveError, TokenPool};
use learn_oauth_driver::{Async, Blocking};
use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::ClientConfig;
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures::{self, SECRET};
use learn_oauth_testkit::memory::{MemoryTransport, Reply};
use learn_oauth_testkit::storm;

type MemoryPool<K = PoolKey> = TokenPool<Blocking<MemoryTransport>, K>;

const MINUTE: Duration = Duration::from_secs(60);

/// A configuration for tenant `n` (the in-memory endpoint answers any URL).
fn memory_config(n: usize) -> ClientConfig {
    ClientConfig::builder()
        .token_url(format!("https://memory.invalid/oauth2/token/tenant-{n}"))
        .tenant_id(format!("tenant-{n}"))
        .client_secret(SECRET)
        .build()
        .expect("a config")
}

fn memory_pool(max: usize) -> (VirtualClock, MemoryTransport, MemoryPool) {
    let clock = VirtualClock::new();
    let endpoint = MemoryTransport::new(&clock);
    let pool = MemoryPool::builder(endpoint.clone())
        .clock(clock.clone())
        .policy(fixtures::policy())
        .max_entries(max)
        .idle_timeout(10 * MINUTE)
        .build();
    (clock, endpoint, pool)
}

#[test]
fn each_key_gets_its_own_token_once() {
    let (_clock, endpoint, pool) = memory_pool(100);
    let keys: Vec<PoolKey> = (0..3).map(|n| pool.insert(memory_config(n)).unwrap().0).collect();
    assert_eq!(pool.len(), 3);
    assert_eq!(endpoint.requests(), 0, "nothing fetched before it is asked for");
    let tokens: Vec<_> = keys.iter().map(|k| pool.token(k).unwrap()).collect();
    for (key, token) in keys.iter().zip(&tokens) {
        assert!(pool.token(key).unwrap().same_as(token), "cached per key");
    }
    assert!(!tokens[0].same_as(&tokens[1]));
    assert_eq!(endpoint.requests(), 3);
    let (again, added) = pool.insert(memory_config(1)).unwrap();
    assert!(!added, "an existing key is left as it is");
    assert_eq!(again, keys[1]);
    assert!(pool.token(&keys[1]).unwrap().same_as(&tokens[1]));
}

#[test]
fn a_key_is_the_url_the_client_and_the_scopes_in_any_order() {
    let config = |scopes: &[&str]| {
        ClientConfig::builder()
            .token_url("https://memory.invalid/oauth2/token/t")
            .tenant_id("t")
            .client_secret(SECRET)
            .scopes(scopes.iter().copied())
            .build()
            .unwrap()
    };
    let (_clock, _endpoint, pool) = memory_pool(10);
    let (a, _) = pool.insert(config(&["api/read", "api/write"])).unwrap();
    let (b, added) = pool.insert(config(&["api/write", "api/read"])).unwrap();
    assert!(!added);
    assert_eq!(a, b);
    let (c, added) = pool.insert(config(&["api/read"])).unwrap();
    assert!(added, "other scopes are another token");
    assert_ne!(a, c);
}

#[test]
fn many_callers_of_one_cold_key_send_one_request() {
    let (_clock, endpoint, pool) = memory_pool(100);
    let (key, _) = pool.insert(memory_config(0)).unwrap();
    endpoint.enqueue_after(Duration::from_millis(50), Reply::Token(Duration::from_secs(3600)));
    let answers = storm::threads(32, || pool.token(&key));
    let first = answers[0].as_ref().unwrap();
    assert!(answers.iter().all(|a| a.as_ref().unwrap().same_as(first)));
    assert_eq!(endpoint.requests(), 1);
}

#[test]
fn invalidate_drops_only_that_keys_token() {
    let (clock, endpoint, pool) = memory_pool(100);
    let (a, _) = pool.insert(memory_config(0)).unwrap();
    let (b, _) = pool.insert(memory_config(1)).unwrap();
    let (token_a, token_b) = (pool.token(&a).unwrap(), pool.token(&b).unwrap());
    assert!(!pool.invalidate(&b, &token_a), "another key's token is not b's");
    clock.advance(MINUTE); // past the cool-down after the refused token arrived
    assert!(pool.invalidate(&a, &token_a));
    assert!(!pool.token(&a).unwrap().same_as(&token_a));
    assert!(pool.token(&b).unwrap().same_as(&token_b));
    assert_eq!(endpoint.requests(), 3);
    assert_eq!(pool.stats(&a).unwrap().invalidations, 1);
    assert_eq!(pool.stats(&b).unwrap().invalidations, 0);
}

/// A warm hit reads the table's copy of the entry's snapshot. Whatever replaces the
/// provider's token reaches the next hit: an invalidation through a handle (what the
/// middleware holds), which the pool does not see, and a refresh.
#[test]
fn the_tables_copy_of_a_token_never_outlives_the_providers() {
    let (clock, endpoint, pool) = memory_pool(100);
    let (key, _) = pool.insert(memory_config(0)).unwrap();
    let first = pool.token(&key).unwrap();
    assert!(pool.token(&key).unwrap().same_as(&first));
    let handle = pool.provider(&key).unwrap();
    clock.advance(MINUTE); // past the cool-down after the refused token arrived
    assert!(handle.invalidate(&first));
    let second = pool.token(&key).unwrap();
    assert!(
        !second.same_as(&first),
        "a token refused through a handle is not handed out"
    );
    assert_eq!(endpoint.requests(), 2);
    assert!(pool.token(&key).unwrap().same_as(&second));
    assert!(handle.token().unwrap().same_as(&second));
    // Once the token has expired, the pool's callers get the new one, and keep getting it.
    clock.advance(Duration::from_secs(3600));
    let third = pool.token(&key).unwrap();
    assert!(!third.same_as(&second));
    assert_eq!(endpoint.requests(), 3);
    assert!(pool.token(&key).unwrap().same_as(&third));
    assert!(pool.token(&key).unwrap().same_as(&handle.token().unwrap()));
    assert_eq!(endpoint.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_async_tables_copy_follows_an_invalidation_through_a_handle() {
    let endpoint = MemoryTransport::new(&VirtualClock::new());
    let pool = TokenPool::<Async<MemoryTransport>>::builder(endpoint.clone())
        .policy(fixtures::policy())
        .build();
    let (key, _) = pool.insert(memory_config(0)).unwrap();
    let first = pool.token(&key).await.unwrap();
    assert!(pool.token(&key).await.unwrap().same_as(&first));
    let handle = pool.provider(&key).await.unwrap();
    tokio::time::advance(MINUTE).await;
    assert!(handle.invalidate(&first));
    let second = pool.token(&key).await.unwrap();
    assert!(!second.same_as(&first));
    assert!(pool.token(&key).await.unwrap().same_as(&second));
    assert_eq!(endpoint.requests(), 2);
}

#[test]
fn idle_entries_are_dropped_and_used_ones_kept() {
    let (clock, _endpoint, pool) = memory_pool(100);
    let keys: Vec<PoolKey> = (0..3).map(|n| pool.insert(memory_config(n)).unwrap().0).collect();
    for key in &keys {
        pool.token(key).unwrap();
    }
    // Use is recorded by the pool's sweeps (on writes, or evict_idle): an entry goes
    // once a sweep finds it unused for the idle timeout (10 minutes here).
    clock.advance(3 * MINUTE);
    assert_eq!(pool.evict_idle(), 0, "all were used since the last sweep");
    clock.advance(3 * MINUTE);
    pool.token(&keys[0]).unwrap();
    clock.advance(6 * MINUTE);
    assert_eq!(pool.evict_idle(), 0, "9 minutes unused is not idle yet");
    clock.advance(2 * MINUTE);
    // keys[1] and keys[2]: last used before the 3-minute sweep, 11 minutes ago.
    assert_eq!(pool.evict_idle(), 2);
    assert_eq!(pool.len(), 1);
    assert!(pool.stats(&keys[0]).is_some());
    assert!(pool.stats(&keys[1]).is_none());
    assert!(matches!(pool.token(&keys[1]), Err(PoolError::UnknownKey)));
}

#[test]
fn at_capacity_the_least_recently_used_entry_goes_but_never_one_in_use() {
    let (clock, _endpoint, pool) = memory_pool(2);
    let (a, _) = pool.insert(memory_config(0)).unwrap();
    pool.token(&a).unwrap();
    clock.advance(Duration::from_secs(5));
    let (b, _) = pool.insert(memory_config(1)).unwrap();
    pool.token(&b).unwrap();
    clock.advance(Duration::from_secs(5));

    // a is the least recently used, but a handle holds it: b goes instead.
    let handle = pool.provider(&a).unwrap();
    let (c, added) = pool.insert(memory_config(2)).unwrap();
    assert!(added);
    assert_eq!(pool.len(), 2);
    assert!(pool.stats(&a).is_some(), "in use: kept");
    assert!(
        pool.stats(&b).is_none(),
        "the least recently used idle entry went"
    );
    pool.token(&c).unwrap();

    // With every entry in use, a new key cannot get in.
    let other = pool.provider(&c).unwrap();
    let full = pool.insert(memory_config(3)).unwrap_err();
    assert!(matches!(full, PoolError::Full { max: 2 }), "{full:?}");
    drop((handle, other));

    // Released, a is now the least recently used (c was asked for after it).
    clock.advance(Duration::from_secs(5));
    pool.token(&c).unwrap();
    let (d, _) = pool.insert(memory_config(3)).unwrap();
    assert!(pool.stats(&a).is_none());
    assert!(pool.stats(&c).is_some() && pool.stats(&d).is_some());
}

#[tokio::test(start_paused = true)]
async fn an_entry_with_a_request_in_flight_is_not_evicted() {
    // The async flavour: the in-memory endpoint's delay is a sleep on Tokio's paused
    // clock, which only moves once every task waits.
    let endpoint = MemoryTransport::new(&VirtualClock::new());
    let pool = TokenPool::<Async<MemoryTransport>>::builder(endpoint.clone())
        .policy(fixtures::policy())
        .max_entries(1)
        .build();
    let (a, _) = pool.insert(memory_config(0)).unwrap();
    endpoint.enqueue_after(Duration::from_secs(20), Reply::Token(Duration::from_secs(3600)));
    let waiting = tokio::spawn({
        let (pool, a) = (pool.clone(), a.clone());
        async move { pool.token(&a).await }
    });
    while endpoint.requests() == 0 {
        tokio::task::yield_now().await;
    }
    let refused = pool.insert(memory_config(1));
    assert!(matches!(refused, Err(PoolError::Full { max: 1 })), "{refused:?}");
    waiting.await.unwrap().expect("the waiting caller gets its token");
    // Once nothing holds it, it can go.
    assert!(pool.insert(memory_config(1)).unwrap().1);
    assert!(pool.stats(&a).is_none());
}

/// A resolver that counts its calls and fails for tenant ids starting with `bad`.
fn counting_resolver(
    calls: &Arc<AtomicUsize>,
) -> impl Fn(&String) -> Result<ClientConfig, ResolveError> + use<> {
    let calls = Arc::clone(calls);
    move |tenant: &String| {
        calls.fetch_add(1, Ordering::SeqCst);
        if tenant.starts_with("bad") {
            return Err(ResolveError::new(format!(
                "no such tenant in the database: {tenant}"
            )));
        }
        ClientConfig::builder()
            .token_url(format!("https://memory.invalid/oauth2/token/{tenant}"))
            .tenant_id(tenant.clone())
            .client_secret(SECRET)
            .build()
            .map_err(ResolveError::new)
    }
}

#[test]
fn the_resolver_loads_a_key_once_and_its_failure_is_not_retried_in_a_loop() {
    let clock = VirtualClock::new();
    let endpoint = MemoryTransport::new(&clock);
    let calls = Arc::new(AtomicUsize::new(0));
    let pool = MemoryPool::<String>::builder(endpoint.clone())
        .clock(clock.clone())
        .resolver(counting_resolver(&calls))
        .resolve_hold_off(Duration::from_secs(5))
        .build();

    let good = "tenant-7".to_owned();
    let answers = storm::threads(16, || pool.token(&good));
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one resolver call for 16 callers"
    );
    assert_eq!(endpoint.requests(), 1);

    let bad = "bad-tenant".to_owned();
    for _ in 0..10 {
        let error = pool.token(&bad).unwrap_err();
        assert!(matches!(error, PoolError::Resolve(_)), "{error:?}");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the failure is answered from memory"
    );
    assert!(pool.token(&good).is_ok(), "other keys are unaffected");
    clock.advance(Duration::from_secs(5));
    assert!(pool.token(&bad).is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 3, "asked again after the hold-off");
    assert_eq!(
        endpoint.requests(),
        1,
        "no token request for a key that did not resolve"
    );
}

#[test]
fn without_a_resolver_an_unknown_key_is_a_typed_error_and_takes_no_room() {
    let (_clock, _endpoint, pool) = memory_pool(10);
    let key = PoolKey::of(&memory_config(0));
    assert!(matches!(pool.token(&key), Err(PoolError::UnknownKey)));
    assert_eq!(pool.len(), 0);
}

#[test]
fn no_secret_in_the_pool_its_keys_or_its_errors() {
    let (_clock, endpoint, pool) = memory_pool(10);
    let (key, _) = pool.insert(memory_config(0)).unwrap();
    endpoint.enqueue(Reply::Status(401));
    let error = pool.token(&key).unwrap_err();
    let calls = Arc::new(AtomicUsize::new(0));
    let resolving = MemoryPool::<String>::builder(endpoint.clone())
        .resolver(counting_resolver(&calls))
        .build();
    let resolve_error = resolving.token(&"bad".to_owned()).unwrap_err();
    let text = format!("{pool:?} {key:?} {error} {error:?} {resolve_error} {resolving:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("memory-token"), "{text}");
    assert_eq!(
        error.token_error().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(401)
    );
}

// ---------------------------------------------------------------------------------------
// Against the mock: many tenants, real sockets

fn tenant(n: usize) -> String {
    format!("tenant-{n:04}")
}

fn mock_with_tenants(n: usize) -> MockServer {
    let mut builder = MockServer::builder().max_records(16);
    for i in 0..n {
        builder = builder.tenant(Tenant::new(tenant(i), format!("{SECRET}-{i}")));
    }
    builder.start().expect("mock starts")
}

fn mock_config(server: &MockServer, n: usize) -> ClientConfig {
    ClientConfig::builder()
        .token_url(server.token_url(&tenant(n)))
        .tenant_id(tenant(n))
        .client_secret(format!("{SECRET}-{n}"))
        .build()
        .expect("a config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_storm_of_1000_tenants_times_10_callers_sends_1000_requests() {
    let server = mock_with_tenants(1000);
    let pool = learn_oauth_reqwest::TokenPool::builder(learn_oauth_reqwest::Transport::new().unwrap())
        .policy(fixtures::policy())
        .build();
    let keys: Vec<PoolKey> = (0..1000)
        .map(|n| pool.insert(mock_config(&server, n)).unwrap().0)
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for key in &keys {
        for _ in 0..10 {
            let (pool, key) = (pool.clone(), key.clone());
            tasks.spawn(async move { pool.token(&key).await.map(|t| t.expose_secret().to_owned()) });
        }
    }
    let mut ok = 0;
    while let Some(answer) = tasks.join_next().await {
        answer.unwrap().expect("a token");
        ok += 1;
    }
    assert_eq!(ok, 10_000);
    assert_eq!(server.token_request_count(), 1000, "one request per tenant");
    assert_eq!(pool.len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_tenant_never_delays_another_and_its_429s_are_its_own() {
    let slow = mock_with_tenants(1);
    let fast = mock_with_tenants(2);
    let mut policy = fixtures::policy();
    policy.initial_backoff = Duration::from_millis(10);
    policy.max_backoff = Duration::from_millis(20);
    let pool = learn_oauth_reqwest::TokenPool::builder(learn_oauth_reqwest::Transport::new().unwrap())
        .policy(policy)
        .build();
    let (a, _) = pool.insert(mock_config(&slow, 0)).unwrap();
    let (b, _) = pool.insert(mock_config(&fast, 1)).unwrap();
    let token_b = pool.token(&b).await.unwrap();

    // a's endpoint hangs: its caller waits, b's callers stay on the warm path.
    slow.enqueue(Fault::Delay(Duration::from_secs(2)));
    let waiting = tokio::spawn({
        let (pool, a) = (pool.clone(), a.clone());
        async move { pool.token(&a).await }
    });
    // The mock counts a request once answered: the pool's own counter says it started.
    while pool.stats(&a).unwrap().fetches == 0 {
        tokio::task::yield_now().await;
    }
    let started = Instant::now();
    for _ in 0..1000 {
        assert!(pool.token(&b).await.unwrap().same_as(&token_b));
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "b was held up: {:?}",
        started.elapsed()
    );
    assert!(
        !waiting.is_finished(),
        "a is still waiting on its endpoint: {:?}",
        if waiting.is_finished() {
            Some(waiting.await)
        } else {
            None
        }
    );

    // a 429 storm on another tenant of a's server: b's retries are untouched.
    let (c, _) = pool.insert(mock_config(&fast, 0)).unwrap();
    fast.enqueue_n(3, Fault::retry_after(429, 0));
    let _ = pool.token(&c).await;
    let stats_b = pool.stats(&b).unwrap();
    assert_eq!(
        (
            stats_b.fetches,
            stats_b.retries_scheduled,
            stats_b.failures.total()
        ),
        (1, 0, 0)
    );
    assert!(pool.stats(&c).unwrap().failures.server_retryable >= 1);
    waiting
        .await
        .unwrap()
        .expect("a gets its token once its endpoint answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_resolver_is_called_once_per_key() {
    let server = mock_with_tenants(4);
    let calls = Arc::new(AtomicUsize::new(0));
    let token_urls: Vec<String> = (0..4).map(|n| server.token_url(&tenant(n))).collect();
    let pool = TokenPool::<Async<learn_oauth_reqwest::Transport>, usize>::builder(
        learn_oauth_reqwest::Transport::new().unwrap(),
    )
    .resolver({
        let calls = Arc::clone(&calls);
        move |n: &usize| {
            calls.fetch_add(1, Ordering::SeqCst);
            let (n, url) = (*n, token_urls[*n].clone());
            async move {
                tokio::task::yield_now().await; // as a database call would
                ClientConfig::builder()
                    .token_url(url)
                    .tenant_id(tenant(n))
                    .client_secret(format!("{SECRET}-{n}"))
                    .build()
                    .map_err(ResolveError::new)
            }
        }
    })
    .build();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..4 {
        for _ in 0..8 {
            let pool = pool.clone();
            tasks.spawn(async move { pool.token(&n).await.map(|_| ()) });
        }
    }
    while let Some(answer) = tasks.join_next().await {
        answer.unwrap().expect("a token");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(server.token_request_count(), 4);
}
