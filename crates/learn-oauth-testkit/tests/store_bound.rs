//! The blocking Redis store's bound without a thread per operation: operations on a kept
//! connection spawn no thread, and a Redis that accepts and never answers, or one that
//! hangs with connections open, costs each operation its timeout and no more.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    AsyncStore, BlockingStore, Sealing, SealingKey, SharedStore, StoreError, StoreErrorKind, StoreKeyNames,
    StoreTime,
};
use learn_oauth_redis::{AsyncRedisStore, RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::redis_server::RedisServer;

/// The tests here count the store's threads: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Short, so a test waits little, long enough to tell from an immediate failure.
const TIMEOUT: Duration = Duration::from_millis(300);

/// What an operation may take beyond its timeout (scheduling on a shared machine).
const MARGIN: Duration = Duration::from_millis(150);

fn names() -> StoreKeyNames {
    let key = SealingKey::new(1, &[7; 32]).expect("32 bytes");
    let store = SharedStore::blocking(
        RedisStore::open(RedisConfig::node("redis://127.0.0.1:1/").expect("a url")),
        Sealing::new(key),
    );
    store.key_names_for(&fixtures::memory_config())
}

/// The store's threads alive now (their names, as the kernel keeps them, start so).
fn store_threads() -> BTreeSet<String> {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .filter_map(|task| {
            let task = task.ok()?;
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?;
            name.starts_with("learn-oauth-red")
                .then(|| format!("{} {}", task.file_name().to_string_lossy(), name.trim()))
        })
        .collect()
}

/// The store's five operations: `n` picks one.
const OPERATIONS: usize = 5;

fn operation(
    store: &RedisStore,
    names: &StoreKeyNames,
    n: usize,
    timeout: Duration,
) -> Result<(), StoreError> {
    let far = StoreTime(u64::MAX / 4);
    match n {
        0 => store.read(names, timeout).map(drop),
        1 => store
            .try_lease(names, "owner", Duration::from_secs(5), timeout)
            .map(drop),
        2 => store.publish(names, b"value", far, "owner", timeout),
        3 => store.cool_down(names, b"marker", far, "owner", timeout),
        _ => store.release(names, "owner", timeout),
    }
}

/// Every operation once with [`TIMEOUT`], each with what it took.
fn each_operation_timed(
    store: &RedisStore,
    names: &StoreKeyNames,
) -> Vec<(Result<(), StoreError>, Duration)> {
    (0..OPERATIONS)
        .map(|n| {
            let started = Instant::now();
            let result = operation(store, names, n, TIMEOUT);
            (result, started.elapsed())
        })
        .collect()
}

#[test]
fn operations_on_a_kept_connection_spawn_no_thread() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let redis = RedisServer::start();
    let store = RedisStore::open(redis.config());
    let names = names();
    store.read(&names, Duration::from_secs(5)).expect("connected");
    // The connecting thread ends once it has handed the connection over.
    let started = Instant::now();
    while !store_threads().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            store_threads()
        );
        std::thread::yield_now();
    }

    // A watcher lists the process's threads as fast as it can while 100 operations run.
    let done = Arc::new(AtomicBool::new(false));
    let looks = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (done, looks) = (Arc::clone(&done), Arc::clone(&looks));
        std::thread::spawn(move || {
            let mut seen = BTreeSet::new();
            while !done.load(Ordering::Relaxed) {
                seen.extend(store_threads());
                looks.fetch_add(1, Ordering::Relaxed);
            }
            seen
        })
    };
    let started = Instant::now();
    while looks.load(Ordering::Relaxed) == 0 {
        assert!(started.elapsed() < Duration::from_secs(5), "the watcher started");
        std::thread::yield_now();
    }
    let tasks_before = std::fs::read_dir("/proc/self/task").expect("tasks").count();
    let started = Instant::now();
    for n in 0..100 {
        operation(&store, &names, n % OPERATIONS, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("operation {n}: {e}"));
    }
    println!("100 operations on a kept connection: {:?}", started.elapsed());
    let tasks_after = std::fs::read_dir("/proc/self/task").expect("tasks").count();
    done.store(true, Ordering::Relaxed);
    let seen = watcher.join().expect("the watcher");
    let looks = looks.load(Ordering::Relaxed);
    assert!(looks > 1, "the watcher looked {looks} times");
    assert!(seen.is_empty(), "threads spawned for operations: {seen:?}");
    assert_eq!(tasks_before, tasks_after);
}

/// A listener on loopback that accepts every connection and never answers; it keeps them
/// open (reading nothing: what a client sends waits in the socket's buffer) until dropped.
struct Silent {
    port: u16,
    stop: Arc<AtomicBool>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl Silent {
    fn start() -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
        let port = listener.local_addr().expect("an address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let accepting = std::thread::spawn(move || {
            let mut open = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                open.extend(stream.ok());
            }
        });
        Self {
            port,
            stop,
            accepting: Some(accepting),
        }
    }

    fn config(&self) -> RedisConfig {
        RedisConfig::node(&format!("redis://127.0.0.1:{}/", self.port)).expect("a url")
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread, which then sees `stop`.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

/// `took` is the timeout, give or take the margin (not an immediate failure either).
fn within_bound(what: &str, took: Duration) {
    assert!(
        took + MARGIN / 3 >= TIMEOUT,
        "{what}: gave up early, after {took:?}"
    );
    assert!(took < TIMEOUT + MARGIN, "{what}: {took:?}");
}

#[test]
fn a_redis_that_accepts_and_never_answers_costs_each_operation_its_timeout() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let silent = Silent::start();
    let store = RedisStore::open(silent.config());
    let names = names();
    for round in 0..2 {
        for (n, (result, took)) in each_operation_timed(&store, &names).into_iter().enumerate() {
            let error = result.expect_err("no answer");
            assert_eq!(
                error.kind(),
                StoreErrorKind::Timeout,
                "op {n}, round {round}: {error}"
            );
            within_bound(&format!("op {n}, round {round}"), took);
        }
    }
}

#[test]
fn a_redis_hung_with_a_kept_connection_costs_each_operation_its_timeout() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let redis = RedisServer::start();
    let store = RedisStore::open(redis.config());
    let names = names();
    store.read(&names, Duration::from_secs(5)).expect("connected");
    redis.pause();
    let timed = each_operation_timed(&store, &names);
    redis.resume();
    for (n, (result, took)) in timed.into_iter().enumerate() {
        let error = result.expect_err("no answer");
        assert_eq!(error.kind(), StoreErrorKind::Timeout, "op {n}: {error}");
        within_bound(&format!("op {n}"), took);
    }
    // Back to answering: the store finds it again.
    store.read(&names, Duration::from_secs(5)).expect("recovered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_store_against_a_redis_that_never_answers_times_out_too() {
    let silent = Silent::start();
    let store = AsyncRedisStore::open(silent.config());
    let names = names();
    for _ in 0..2 {
        let started = Instant::now();
        let error = store.read(&names, TIMEOUT).await.expect_err("no answer");
        let took = started.elapsed();
        assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error}");
        assert!(took < TIMEOUT + MARGIN, "{took:?}");
    }
}
