//! Part 2: `token()` on a provider holding a usable token — single-thread latency, and
//! throughput with 1, 2, 4 and 8 threads (blocking) and tasks (async) — for ours, a
//! `Mutex<Option<AccessToken>>` and a Go-style provider (one mutex, held across fetches).
//!
//! Throughput benchmarks report the time for one *round*: every thread (task) makes one
//! call, all in parallel; criterion's element throughput is then calls per second.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use learn_oauth_bench::baseline::{GoStyleAsyncProvider, GoStyleProvider, MutexCache};
use learn_oauth_bench::fixture::{TENANT_ID, config_at};
use learn_oauth_bench::loopback::start_mock;
use learn_oauth_mock::MockServer;
use learn_oauth_proto::RefreshPolicy;

/// Thread and task counts.
const PARALLELISM: [usize; 4] = [1, 2, 4, 8];

/// Every blocking cache, warmed up.
struct Blocking {
    ours: learn_oauth_ureq::TokenProvider,
    mutex: MutexCache,
    go: GoStyleProvider,
}

/// Every async cache, warmed up.
struct Async {
    ours: learn_oauth_reqwest::TokenProvider,
    mutex: MutexCache,
    go: GoStyleAsyncProvider,
}

fn blocking(server: &MockServer) -> Blocking {
    let config = config_at(&server.token_url(TENANT_ID));
    let ours = learn_oauth_ureq::TokenProvider::new(config.clone()).expect("a provider");
    let token = ours.token().expect("a first token");
    let transport = learn_oauth_ureq::Transport::new().expect("a transport");
    let go = GoStyleProvider::new(config, transport, RefreshPolicy::default().refresh_ahead);
    go.token().expect("a first token");
    Blocking {
        ours,
        mutex: MutexCache::new(token),
        go,
    }
}

fn asynchronous(server: &MockServer, runtime: &tokio::runtime::Runtime) -> Async {
    let config = config_at(&server.token_url(TENANT_ID));
    runtime.block_on(async {
        let ours = learn_oauth_reqwest::TokenProvider::new(config.clone()).expect("a provider");
        let token = ours.token().await.expect("a first token");
        let transport = learn_oauth_reqwest::Transport::new().expect("a transport");
        let go = GoStyleAsyncProvider::new(config, transport, RefreshPolicy::default().refresh_ahead);
        go.token().await.expect("a first token");
        Async {
            ours,
            mutex: MutexCache::new(token),
            go,
        }
    })
}

/// Runs `call` `iters` times on each of `threads` threads started together; the wall
/// time from the start signal until the last thread is done.
fn on_threads<F: Fn() + Sync>(threads: usize, iters: u64, call: &F) -> Duration {
    let start = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    for _ in 0..iters {
                        call();
                    }
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for handle in handles {
            handle.join().expect("a benchmark thread");
        }
        began.elapsed()
    })
}

fn latency(c: &mut Criterion) {
    let server = start_mock(Duration::from_secs(3600));
    let b = blocking(&server);
    let mut group = c.benchmark_group("warm_hit_latency");
    group.bench_function("blocking/ours", |bench| bench.iter(|| black_box(b.ours.token())));
    group.bench_function("blocking/mutex", |bench| {
        bench.iter(|| black_box(b.mutex.token()))
    });
    group.bench_function("blocking/go-style", |bench| {
        bench.iter(|| black_box(b.go.token()))
    });

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let runtime = runtime.expect("a runtime");
    let a = asynchronous(&server, &runtime);
    // Each measurement awaits `$call` `iters` times in one `block_on`.
    macro_rules! awaited {
        ($name:literal, $call:expr) => {
            group.bench_function($name, |bench| {
                bench.iter_custom(|iters| {
                    runtime.block_on(async {
                        let began = Instant::now();
                        for _ in 0..iters {
                            black_box($call);
                        }
                        began.elapsed()
                    })
                });
            });
        };
    }
    awaited!("async/ours", a.ours.token().await.ok());
    awaited!("async/mutex", a.mutex.token());
    awaited!("async/go-style", a.go.token().await.ok());
    group.finish();
}

fn threads(c: &mut Criterion) {
    let server = start_mock(Duration::from_secs(3600));
    let b = blocking(&server);
    let mut group = c.benchmark_group("warm_hit_threads");
    for n in PARALLELISM {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("ours", n), &n, |bench, &n| {
            bench.iter_custom(|iters| on_threads(n, iters, &|| drop(black_box(b.ours.token()))));
        });
        group.bench_with_input(BenchmarkId::new("mutex", n), &n, |bench, &n| {
            bench.iter_custom(|iters| on_threads(n, iters, &|| drop(black_box(b.mutex.token()))));
        });
        group.bench_with_input(BenchmarkId::new("go-style", n), &n, |bench, &n| {
            bench.iter_custom(|iters| on_threads(n, iters, &|| drop(black_box(b.go.token()))));
        });
    }
    group.finish();
}

/// The sides of the async throughput, in the order [`on_tasks`] numbers them.
const TASK_SIDES: [&str; 3] = ["ours", "mutex", "go-style"];

/// How many calls a benchmark task makes between yields to the scheduler.
const YIELD_EVERY: u64 = 1024;

/// Runs `iters` calls of [`TASK_SIDES`]`[side]` in each of `tasks` tasks on a
/// multi-thread runtime; the wall time until the last task is done.
fn on_tasks(
    runtime: &tokio::runtime::Runtime,
    caches: &Arc<Async>,
    side: usize,
    tasks: usize,
    iters: u64,
) -> Duration {
    runtime.block_on(async {
        let start = Arc::new(tokio::sync::Barrier::new(tasks + 1));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let caches = Arc::clone(caches);
                let start = Arc::clone(&start);
                tokio::spawn(async move {
                    start.wait().await;
                    for i in 0..iters {
                        match side {
                            0 => drop(black_box(caches.ours.token().await)),
                            1 => drop(black_box(caches.mutex.token())),
                            _ => drop(black_box(caches.go.token().await)),
                        }
                        // A warm `token()` never waits, so without this a task would
                        // hold its worker to the end and the wall time would measure
                        // how the scheduler happened to place the tasks. Yielding now
                        // and then, the same for every side, keeps both workers busy
                        // until the end.
                        if i % YIELD_EVERY == YIELD_EVERY - 1 {
                            tokio::task::yield_now().await;
                        }
                    }
                })
            })
            .collect();
        start.wait().await;
        let began = Instant::now();
        for handle in handles {
            handle.await.expect("a benchmark task");
        }
        began.elapsed()
    })
}

fn tasks(c: &mut Criterion) {
    let server = start_mock(Duration::from_secs(3600));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let caches = Arc::new(asynchronous(&server, &runtime));
    let mut group = c.benchmark_group("warm_hit_tasks");
    for n in PARALLELISM {
        group.throughput(Throughput::Elements(n as u64));
        for (side, name) in TASK_SIDES.iter().enumerate() {
            group.bench_with_input(BenchmarkId::new(*name, n), &n, |bench, &n| {
                bench.iter_custom(|iters| on_tasks(&runtime, &caches, side, n, iters));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, latency, threads, tasks);
criterion_main!(benches);
