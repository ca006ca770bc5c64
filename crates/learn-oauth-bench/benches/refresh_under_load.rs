//! Part 3: 8 threads call `token()` as fast as they can while the token passes its
//! refresh point; the latency of every call goes into a histogram. The same run without
//! a refresh (a long-lived token) is the reference. Ours refreshes on a background
//! thread while callers keep the current token; the Go-style provider fetches with its
//! mutex held, so callers wait for the request.
//!
//! Asserts that exactly one token request reached the mock during each refreshing run.
//! Prints a table; with `BENCH_REPORT_DIR` set, also writes `refresh_under_load.json`
//! there for `scripts/bench-report.sh`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use learn_oauth_bench::baseline::GoStyleProvider;
use learn_oauth_bench::latency::Histogram;
use learn_oauth_bench::loopback::{our_config, start_mock};
use learn_oauth_proto::RefreshPolicy;

/// Threads calling `token()`.
const THREADS: usize = 8;
/// The short token lifetime of the refreshing runs.
const SHORT_LIFETIME: Duration = Duration::from_secs(4);
/// How long before expiry a refresh starts: the refresh point is 2.5 s after the fetch.
const REFRESH_AHEAD: Duration = Duration::from_millis(1500);
/// How long the threads hammer, from the first token on: past the refresh point, before
/// the token stops being handed out (4 s - 0.5 s safety margin).
const WINDOW: Duration = Duration::from_millis(3200);

/// The two providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ours,
    GoStyle,
}

/// One run's outcome.
struct Outcome {
    kind: Kind,
    refresh: bool,
    latencies: Histogram,
    requests: usize,
}

fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.refresh_ahead = REFRESH_AHEAD;
    policy.refresh_jitter = 0.0;
    policy.safety_margin = Duration::from_millis(500);
    policy
}

/// Calls `call` on [`THREADS`] threads until `deadline`, recording each call's latency.
fn hammer<F: Fn() + Sync>(deadline: Instant, call: &F) -> Histogram {
    let start = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let mut latencies = Histogram::new();
                    start.wait();
                    let mut before = Instant::now();
                    while before < deadline {
                        call();
                        let after = Instant::now();
                        latencies.record(after - before);
                        before = after;
                    }
                    latencies
                })
            })
            .collect();
        let mut all = Histogram::new();
        for handle in handles {
            all.merge(&handle.join().expect("a hammering thread"));
        }
        all
    })
}

fn run(kind: Kind, refresh: bool) -> Outcome {
    let lifetime = if refresh {
        SHORT_LIFETIME
    } else {
        Duration::from_secs(3600)
    };
    let server = start_mock(lifetime);
    let config = our_config(&server);
    let (latencies, requests) = match kind {
        Kind::Ours => {
            let provider = learn_oauth_ureq::TokenProvider::builder(config)
                .policy(policy())
                .build()
                .expect("a provider");
            let first = provider.token().expect("a first token");
            let before = server.token_request_count();
            let latencies = hammer(first.received_at() + WINDOW, &|| {
                black_box(provider.token().expect("a token"));
            });
            (latencies, server.token_request_count() - before)
        }
        Kind::GoStyle => {
            let transport = learn_oauth_ureq::Transport::new().expect("a transport");
            let provider = GoStyleProvider::new(config, transport, REFRESH_AHEAD);
            let first = provider.token().expect("a first token");
            let before = server.token_request_count();
            let latencies = hammer(first.received_at() + WINDOW, &|| {
                black_box(provider.token().expect("a token"));
            });
            (latencies, server.token_request_count() - before)
        }
    };
    let expected = usize::from(refresh);
    assert_eq!(
        requests, expected,
        "{kind:?} (refresh: {refresh}): {requests} token requests reached the mock during the run, expected {expected}"
    );
    Outcome {
        kind,
        refresh,
        latencies,
        requests,
    }
}

fn ns(d: Duration) -> u128 {
    d.as_nanos()
}

fn main() {
    // `cargo bench` passes `--bench` and any filter; run unless a filter excludes us.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "refresh_under_load".contains(f.as_str())) {
        return;
    }
    let mut outcomes = Vec::new();
    for kind in [Kind::Ours, Kind::GoStyle] {
        for refresh in [false, true] {
            outcomes.push(run(kind, refresh));
        }
    }
    println!(
        "refresh_under_load: {THREADS} threads, {} ms window, token lifetime {} s, refresh {} ms ahead",
        WINDOW.as_millis(),
        SHORT_LIFETIME.as_secs(),
        REFRESH_AHEAD.as_millis()
    );
    println!(
        "{:<10} {:<8} {:>10} {:>9} {:>9} {:>10} {:>11} {:>9}",
        "provider", "refresh", "calls", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "requests"
    );
    let mut json = Vec::new();
    for o in &outcomes {
        let h = &o.latencies;
        let name = match o.kind {
            Kind::Ours => "ours",
            Kind::GoStyle => "go-style",
        };
        println!(
            "{:<10} {:<8} {:>10} {:>9} {:>9} {:>10} {:>11} {:>9}",
            name,
            o.refresh,
            h.count(),
            ns(h.percentile(50.0)),
            ns(h.percentile(99.0)),
            ns(h.percentile(99.9)),
            ns(h.max()),
            o.requests
        );
        json.push(serde_json::json!({
            "provider": name,
            "refresh": o.refresh,
            "threads": THREADS,
            "calls": h.count(),
            "p50_ns": ns(h.percentile(50.0)) as u64,
            "p99_ns": ns(h.percentile(99.0)) as u64,
            "p999_ns": ns(h.percentile(99.9)) as u64,
            "max_ns": ns(h.max()) as u64,
            "requests": o.requests,
        }));
    }
    if let Some(dir) = std::env::var_os("BENCH_REPORT_DIR") {
        let path = std::path::Path::new(&dir).join("refresh_under_load.json");
        let text = serde_json::to_string_pretty(&json).expect("json");
        std::fs::write(&path, text).expect("write refresh_under_load.json");
    }
}
