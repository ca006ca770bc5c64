//! Part 3: 8 threads call `token()` as fast as they can while the token passes its
//! refresh point; the latency of every call goes into a histogram. The same run without
//! a refresh (a long-lived token) is the reference. Ours refreshes on a background
//! thread while callers keep the current token; the Go-style provider fetches with its
//! mutex held, so callers wait for the request.
//!
//! Asserts that exactly one token request reached the mock during each refreshing run.
//! Prints a table; with `BENCH_REPORT_DIR` set, also writes `refresh_under_load.json`
//! there for `scripts/bench-report.sh`, and `refresh_series.json`: each run's calls, p99
//! and maximum latency per 10 ms slot from the first token on, the refresh point and
//! when the new token arrived (for the report's chart).
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use learn_oauth_bench::baseline::GoStyleProvider;
use learn_oauth_bench::latency::Histogram;
use learn_oauth_bench::loopback::{our_config, start_mock};
use learn_oauth_bench::series::TimeSeries;
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
/// The time series' slot length.
const SLOT: Duration = Duration::from_millis(10);
/// Slots from the first token on: the window, plus one for calls that end just past it.
const SLOTS: usize = 321;

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
    /// Latency per [`SLOT`] from the first token's arrival on.
    series: TimeSeries,
    /// When the token handed out after the run arrived, if it is not the first one.
    new_token_after: Option<Duration>,
    requests: usize,
}

fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.refresh_ahead = REFRESH_AHEAD;
    policy.refresh_jitter = 0.0;
    policy.safety_margin = Duration::from_millis(500);
    policy
}

/// Calls `call` on [`THREADS`] threads from `origin` until [`WINDOW`] after it, recording
/// each call's latency, overall and by the slot it ended in.
fn hammer<F: Fn() + Sync>(origin: Instant, call: &F) -> (Histogram, TimeSeries) {
    let deadline = origin + WINDOW;
    let start = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let mut latencies = Histogram::new();
                    let mut series = TimeSeries::new(origin, SLOT, SLOTS);
                    start.wait();
                    let mut before = Instant::now();
                    while before < deadline {
                        call();
                        let after = Instant::now();
                        latencies.record(after - before);
                        series.record(after, after - before);
                        before = after;
                    }
                    (latencies, series)
                })
            })
            .collect();
        let mut all = Histogram::new();
        let mut all_series = TimeSeries::new(origin, SLOT, SLOTS);
        for handle in handles {
            let (latencies, series) = handle.join().expect("a hammering thread");
            all.merge(&latencies);
            all_series.merge(&series);
        }
        (all, all_series)
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
    let ((latencies, series), requests, new_token_after) = match kind {
        Kind::Ours => {
            let provider = learn_oauth_ureq::TokenProvider::builder(config)
                .policy(policy())
                .build()
                .expect("a provider");
            let first = provider.token().expect("a first token");
            let before = server.token_request_count();
            let measured = hammer(first.received_at(), &|| {
                black_box(provider.token().expect("a token"));
            });
            let requests = server.token_request_count() - before;
            let last = provider.token().expect("a token after the run");
            (measured, requests, arrived_after(&first, &last))
        }
        Kind::GoStyle => {
            let transport = learn_oauth_ureq::Transport::new().expect("a transport");
            let provider = GoStyleProvider::new(config, transport, REFRESH_AHEAD);
            let first = provider.token().expect("a first token");
            let before = server.token_request_count();
            let measured = hammer(first.received_at(), &|| {
                black_box(provider.token().expect("a token"));
            });
            let requests = server.token_request_count() - before;
            let last = provider.token().expect("a token after the run");
            (measured, requests, arrived_after(&first, &last))
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
        series,
        new_token_after,
        requests,
    }
}

/// When `last` arrived after `first`, if it is another token.
fn arrived_after(
    first: &learn_oauth_proto::AccessToken,
    last: &learn_oauth_proto::AccessToken,
) -> Option<Duration> {
    (last.received_at() != first.received_at())
        .then(|| last.received_at().saturating_duration_since(first.received_at()))
}

/// Each run's time series, as `refresh_series.json` holds it.
fn series_json(outcomes: &[Outcome]) -> serde_json::Value {
    let runs: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let slots = o.series.summary(99.0);
            let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
            serde_json::json!({
                "provider": name(o.kind),
                "refresh": o.refresh,
                "new_token_ms": o.new_token_after.map(|d| d.as_secs_f64() * 1e3),
                "calls": slots.iter().map(|s| s.calls).collect::<Vec<_>>(),
                "p99_ns": slots.iter().map(|s| ns(s.percentile)).collect::<Vec<_>>(),
                "max_ns": slots.iter().map(|s| ns(s.max)).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "threads": THREADS,
        "slot_ms": SLOT.as_secs_f64() * 1e3,
        "window_ms": WINDOW.as_secs_f64() * 1e3,
        "refresh_point_ms": (SHORT_LIFETIME - REFRESH_AHEAD).as_secs_f64() * 1e3,
        "runs": runs,
    })
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Ours => "ours",
        Kind::GoStyle => "go-style",
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
        let name = name(o.kind);
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
        let path = std::path::Path::new(&dir).join("refresh_series.json");
        let text = serde_json::to_string(&series_json(&outcomes)).expect("json");
        std::fs::write(&path, text).expect("write refresh_series.json");
    }
}
