//! A pool's bound on its token requests in flight, against the mock on loopback, for
//! both flavours: the endpoint never sees more than the bound at once, every key in line
//! still gets its token, a caller in line is answered within its `max_wait`, and the
//! default applies when none is set.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use learn_oauth_driver::pool::{DEFAULT_MAX_CONCURRENT_FETCHES, PoolError, PoolKey};
use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::{ClientConfig, RefreshPolicy, TransportErrorKind};
use learn_oauth_testkit::fixtures::{self, SECRET};
use learn_oauth_testkit::{VirtualClock, expect};

type AsyncPool = learn_oauth_reqwest::TokenPool;
type AsyncPoolBuilder = learn_oauth_reqwest::TokenPoolBuilder;
type BlockingPool = learn_oauth_ureq::TokenPool;
type BlockingPoolBuilder = learn_oauth_ureq::TokenPoolBuilder;

/// How long the mock holds each admitted token request: long enough that the requests
/// a pool lets out overlap at the mock however busy the machine.
const HOLD: Duration = Duration::from_millis(300);

fn tenant(n: usize) -> String {
    format!("tenant-{n:04}")
}

/// A mock serving `n` tenants that holds each of the next `n` token requests for `hold`.
fn mock(n: usize, hold: Duration) -> MockServer {
    let mut builder = MockServer::builder().max_records(16);
    for i in 0..n {
        builder = builder.tenant(Tenant::new(tenant(i), format!("{SECRET}-{i}")));
    }
    let server = builder.start().expect("mock starts");
    server.enqueue_n(n, Fault::Delay(hold));
    server
}

fn config(server: &MockServer, n: usize) -> ClientConfig {
    ClientConfig::builder()
        .token_url(server.token_url(&tenant(n)))
        .tenant_id(tenant(n))
        .client_secret(format!("{SECRET}-{n}"))
        .build()
        .expect("a config")
}

fn async_builder() -> AsyncPoolBuilder {
    AsyncPool::builder(learn_oauth_reqwest::Transport::new().unwrap()).policy(fixtures::policy())
}

fn blocking_builder() -> BlockingPoolBuilder {
    BlockingPool::builder(learn_oauth_ureq::Transport::new().unwrap()).policy(fixtures::policy())
}

/// Asks for every key at once, one task per key; every answer.
async fn all_keys_at_once(pool: &AsyncPool, keys: &[PoolKey]) -> Vec<Result<String, PoolError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for key in keys {
        let (pool, key) = (pool.clone(), key.clone());
        tasks.spawn(async move { pool.token(&key).await.map(|t| t.expose_secret().to_owned()) });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.expect("a caller panicked"));
    }
    answers
}

/// Asks for every key at once, one thread per key; every answer.
fn all_keys_at_once_blocking(pool: &BlockingPool, keys: &[PoolKey]) -> Vec<Result<String, PoolError>> {
    let next = AtomicUsize::new(0);
    learn_oauth_testkit::storm::threads(keys.len(), || {
        let key = &keys[next.fetch_add(1, Ordering::Relaxed)];
        pool.token(key).map(|t| t.expose_secret().to_owned())
    })
}

/// Every answer a token, each key its own.
fn assert_every_key_got_its_token(answers: Vec<Result<String, PoolError>>, keys: usize) {
    let tokens: std::collections::HashSet<String> = answers
        .into_iter()
        .map(|answer| answer.expect("every key in line gets its token"))
        .collect();
    assert_eq!(tokens.len(), keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_pool_never_has_more_than_its_bound_in_flight_and_every_key_in_line_gets_its_token() {
    const KEYS: usize = 40;
    let server = mock(KEYS, HOLD);
    let pool = async_builder().max_concurrent_fetches(4).build();
    let keys: Vec<PoolKey> = (0..KEYS)
        .map(|n| pool.insert(config(&server, n)).unwrap().0)
        .collect();

    assert_every_key_got_its_token(all_keys_at_once(&pool, &keys).await, KEYS);
    assert_eq!(server.token_request_count(), KEYS, "one request per key");
    assert_eq!(
        server.peak_concurrent_token_requests(),
        4,
        "the bound, and no more"
    );
    assert!(
        server.peak_connections() <= 4,
        "{} connections",
        server.peak_connections()
    );
}

#[test]
fn a_blocking_pool_never_has_more_than_its_bound_in_flight_and_every_key_in_line_gets_its_token() {
    const KEYS: usize = 40;
    let server = mock(KEYS, HOLD);
    let pool = blocking_builder().max_concurrent_fetches(4).build();
    let keys: Vec<PoolKey> = (0..KEYS)
        .map(|n| pool.insert(config(&server, n)).unwrap().0)
        .collect();

    assert_every_key_got_its_token(all_keys_at_once_blocking(&pool, &keys), KEYS);
    assert_eq!(server.token_request_count(), KEYS, "one request per key");
    assert_eq!(
        server.peak_concurrent_token_requests(),
        4,
        "the bound, and no more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_setting_the_default_bound_applies() {
    let keys_n = 2 * DEFAULT_MAX_CONCURRENT_FETCHES;
    let server = mock(keys_n, HOLD);
    let pool = async_builder().build();
    let keys: Vec<PoolKey> = (0..keys_n)
        .map(|n| pool.insert(config(&server, n)).unwrap().0)
        .collect();

    assert_every_key_got_its_token(all_keys_at_once(&pool, &keys).await, keys_n);
    assert_eq!(
        server.peak_concurrent_token_requests(),
        DEFAULT_MAX_CONCURRENT_FETCHES
    );
}

/// A policy whose callers wait 300 ms at most, while a request may take a minute: a
/// caller's wait ends long before the request it waits for could time out.
fn short_wait() -> RefreshPolicy {
    let mut policy = fixtures::policy();
    policy.max_wait = Duration::from_millis(300);
    policy.request_timeout = Duration::from_secs(60);
    policy
}

/// How long past its `max_wait` a caller may be answered: scheduling slack on a busy
/// machine, far below the minute the request in the one slot is held.
const SLACK: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_caller_in_line_is_answered_within_its_max_wait_with_a_timeout() {
    let server = mock(1, Duration::from_secs(60));
    let server_b = mock(1, Duration::ZERO);
    let pool = async_builder()
        .policy(short_wait())
        .max_concurrent_fetches(1)
        .build();
    let (a, _) = pool.insert(config(&server, 0)).unwrap();
    let (b, _) = pool.insert(config(&server_b, 0)).unwrap();

    // a's request takes the one slot, and the mock holds it for a minute.
    let holder = tokio::spawn({
        let (pool, a) = (pool.clone(), a.clone());
        async move { pool.token(&a).await }
    });
    // Not a sleep: the mock counts a request once it has read it.
    while server.peak_concurrent_token_requests() == 0 {
        tokio::task::yield_now().await;
    }

    let started = Instant::now();
    let error = pool.token(&b).await.expect_err("no slot for b's request");
    let waited = started.elapsed();
    let error = error.token_error().expect("a token error");
    assert_eq!(expect::transport_kind(error), TransportErrorKind::Timeout);
    assert!(
        waited >= Duration::from_millis(250) && waited < short_wait().max_wait + SLACK,
        "answered after {waited:?}"
    );
    assert_eq!(
        server_b.token_request_count(),
        0,
        "b's request never left the line"
    );
    holder.abort();
}

#[test]
fn a_blocking_caller_in_line_is_answered_within_its_max_wait_with_a_timeout() {
    let server = mock(1, Duration::from_secs(60));
    let server_b = mock(1, Duration::ZERO);
    let pool = blocking_builder()
        .policy(short_wait())
        .max_concurrent_fetches(1)
        .build();
    let (a, _) = pool.insert(config(&server, 0)).unwrap();
    let (b, _) = pool.insert(config(&server_b, 0)).unwrap();

    // a's request takes the one slot (on a thread of its own: it outlasts its caller's
    // wait), and the mock holds it for a minute.
    let holder = std::thread::spawn({
        let (pool, a) = (pool.clone(), a.clone());
        move || pool.token(&a)
    });
    while server.peak_concurrent_token_requests() == 0 {
        std::thread::yield_now();
    }

    let started = Instant::now();
    let error = pool.token(&b).expect_err("no slot for b's request");
    let waited = started.elapsed();
    let error = error.token_error().expect("a token error");
    assert_eq!(expect::transport_kind(error), TransportErrorKind::Timeout);
    assert!(
        waited >= Duration::from_millis(250) && waited < short_wait().max_wait + SLACK,
        "answered after {waited:?}"
    );
    assert_eq!(
        server_b.token_request_count(),
        0,
        "b's request never left the line"
    );
    let holder = holder.join().expect("a's caller");
    assert!(holder.is_err(), "a's caller too is answered at its max_wait");
}

#[test]
fn a_refresh_ahead_waits_in_line_in_the_background_while_callers_keep_the_valid_token() {
    let server_a = mock(2, Duration::ZERO);
    let server_b = mock(1, Duration::from_secs(60));
    let clock = VirtualClock::new();
    let pool = blocking_builder()
        .clock(clock.clone())
        .max_concurrent_fetches(1)
        .build();
    let (a, _) = pool.insert(config(&server_a, 0)).unwrap();
    let (b, _) = pool.insert(config(&server_b, 0)).unwrap();
    let token_a = pool.token(&a).unwrap();

    // b's cold request takes the one slot, and the mock holds it.
    let holder = std::thread::spawn({
        let (pool, b) = (pool.clone(), b.clone());
        move || pool.token(&b)
    });
    while server_b.peak_concurrent_token_requests() == 0 {
        std::thread::yield_now();
    }

    // Past a's refresh point (a minute before expiry), its token still usable: the
    // refresh is handed out and waits for the slot, and a's callers are not held up.
    clock.advance(Duration::from_secs(3600 - 55));
    let started = Instant::now();
    for _ in 0..100 {
        assert!(pool.token(&a).unwrap().same_as(&token_a));
    }
    assert!(
        started.elapsed() < SLACK,
        "a's callers waited: {:?}",
        started.elapsed()
    );
    let stats = pool.stats(&a).unwrap();
    assert_eq!((stats.fetches, stats.refreshes_ahead), (2, 1), "{stats:?}");
    assert_eq!(server_a.token_request_count(), 1, "the refresh is still in line");

    drop(server_b);
    let _ = holder.join().expect("b's caller");
}
