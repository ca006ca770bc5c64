//! Part 3 (the report's section 3 says what and why): [`THREADS`] threads call `token()`
//! through a refresh, and without one, every call's latency in an `hdrhistogram`. Asserts
//! that exactly one token request reached the mock during each refreshing run.
//! Prints `provider/refresh calls p50 p99 p99.9 max requests` lines (nanoseconds); with
//! `BENCH_REPORT_DIR` set, also writes them to `refresh.tsv` there for
//! `scripts/bench-report.sh`, and the refreshing runs' time series to
//! `refresh_series.tsv` for the report's chart ([`series_tsv`]).
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use learn_oauth_bench::baseline::GoStyleProvider;
use learn_oauth_bench::fixture::{TENANT_ID, config_at};
use learn_oauth_bench::loopback::start_mock;
use learn_oauth_mock::MockServer;
use learn_oauth_proto::{AccessToken, RefreshPolicy};

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

/// A latency histogram in nanoseconds, up to a minute (longer calls count as a minute),
/// allocated once: recording never allocates. Two significant digits overall (within
/// 1 %), one per slot (within about 6 %: 321 slots on each thread).
fn histogram<T: hdrhistogram::Counter>(digits: u8) -> Histogram<T> {
    Histogram::new_with_bounds(1, 60_000_000_000, digits).expect("valid bounds")
}

/// Latencies of calls by the [`SLOT`] in which they ended, from `origin` on (a call past
/// the last slot counts in the last).
struct Slots {
    origin: Instant,
    slots: Vec<Histogram<u32>>,
    /// The slot the last call ended in, and when it ends (a comparison per call, not a
    /// division).
    current: usize,
    current_end: Instant,
}

impl Slots {
    fn new(origin: Instant) -> Self {
        Self {
            origin,
            slots: vec![histogram(1); SLOTS],
            current: 0,
            current_end: origin + SLOT,
        }
    }

    #[inline]
    fn record(&mut self, end: Instant, ns: u64) {
        if end >= self.current_end {
            self.advance(end);
        }
        self.slots[self.current].saturating_record(ns);
    }

    #[cold]
    fn advance(&mut self, end: Instant) {
        let index = end.saturating_duration_since(self.origin).as_nanos() / SLOT.as_nanos();
        self.current = usize::try_from(index).map_or(SLOTS - 1, |i| i.min(SLOTS - 1));
        self.current_end = if self.current == SLOTS - 1 {
            end + Duration::from_secs(3600)
        } else {
            self.origin + SLOT * u32::try_from(self.current + 1).unwrap_or(u32::MAX)
        };
    }
}

/// One run's outcome.
struct Outcome {
    /// `ours` or `go-style`.
    provider: &'static str,
    refresh: bool,
    latencies: Histogram<u64>,
    /// Latency per [`SLOT`] from the first token's arrival on.
    series: Slots,
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
fn hammer<F: Fn() + Sync>(origin: Instant, call: &F) -> (Histogram<u64>, Slots) {
    let deadline = origin + WINDOW;
    let start = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let (mut latencies, mut series) = (histogram(2), Slots::new(origin));
                    start.wait();
                    let mut before = Instant::now();
                    while before < deadline {
                        call();
                        let after = Instant::now();
                        let ns = u64::try_from((after - before).as_nanos()).unwrap_or(u64::MAX);
                        latencies.saturating_record(ns);
                        series.record(after, ns);
                        before = after;
                    }
                    (latencies, series)
                })
            })
            .collect();
        let (mut all, mut all_series) = (histogram(2), Slots::new(origin));
        for handle in handles {
            let (latencies, series) = handle.join().expect("a hammering thread");
            all.add(&latencies).expect("the same bounds");
            for (a, b) in all_series.slots.iter_mut().zip(&series.slots) {
                a.add(b).expect("the same bounds");
            }
        }
        (all, all_series)
    })
}

/// One run of `provider`, refreshing or not, against a mock of its own.
fn run(provider: &'static str, refresh: bool) -> Outcome {
    let lifetime = if refresh {
        SHORT_LIFETIME
    } else {
        Duration::from_secs(3600)
    };
    let server = start_mock(lifetime);
    let config = config_at(&server.token_url(TENANT_ID));
    let outcome = if provider == "ours" {
        let ours = learn_oauth_ureq::TokenProvider::builder(config).policy(policy());
        let ours = ours.build().expect("a provider");
        measure(provider, refresh, &server, || ours.token().expect("a token"))
    } else {
        let transport = learn_oauth_ureq::Transport::new().expect("a transport");
        let go = GoStyleProvider::new(config, transport, REFRESH_AHEAD);
        measure(provider, refresh, &server, || go.token().expect("a token"))
    };
    let (requests, expected) = (outcome.requests, usize::from(refresh));
    assert_eq!(
        requests, expected,
        "{provider} (refresh: {refresh}): {requests} token requests reached the mock during the run, expected {expected}"
    );
    outcome
}

/// Takes a first token, hammers `token` from its arrival on, and counts the token
/// requests that reached `server` meanwhile.
fn measure<F: Fn() -> AccessToken + Sync>(
    provider: &'static str,
    refresh: bool,
    server: &MockServer,
    token: F,
) -> Outcome {
    let first = token();
    let before = server.token_request_count();
    let (latencies, series) = hammer(first.received_at(), &|| {
        black_box(token());
    });
    let requests = server.token_request_count() - before;
    let (first, last) = (first.received_at(), token().received_at());
    Outcome {
        provider,
        refresh,
        latencies,
        series,
        new_token_after: (last != first).then(|| last.saturating_duration_since(first)),
        requests,
    }
}

/// The refreshing runs' time series: `# name value` lines (threads, slot and refresh
/// point in ms, when each side's new token arrived in ms or `NaN`), then one line per
/// [`SLOT`] of the window: its middle in seconds, then ours' and the Go-style provider's
/// p99 and maximum latency in ns (`NaN` where no call ended in the slot).
fn series_tsv(outcomes: &[Outcome]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let runs: Vec<&Outcome> = outcomes.iter().filter(|o| o.refresh).collect();
    let point = ms(SHORT_LIFETIME - REFRESH_AHEAD);
    let mut tsv = format!(
        "# threads {THREADS}\n# slot_ms {}\n# refresh_point_ms {point}\n",
        ms(SLOT)
    );
    for o in &runs {
        let arrived = o.new_token_after.map_or(f64::NAN, ms);
        let _ = writeln!(tsv, "# new_token_ms/{} {arrived:.1}", o.provider);
    }
    // The slot past the window holds only each thread's last call.
    for slot in 0..SLOTS - 1 {
        let _ = write!(tsv, "{:.3}", (slot as f64 + 0.5) * SLOT.as_secs_f64());
        for h in runs.iter().map(|o| &o.series.slots[slot]) {
            let _ = match h.len() {
                0 => write!(tsv, "\tNaN\tNaN"),
                _ => write!(tsv, "\t{}\t{}", h.value_at_quantile(0.99), h.max()),
            };
        }
        tsv.push('\n');
    }
    tsv
}

fn main() {
    // `cargo bench` passes `--bench` and any filter; run unless a filter excludes us.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "refresh_under_load".contains(f.as_str())) {
        return;
    }
    let mut outcomes = Vec::new();
    for provider in ["ours", "go-style"] {
        for refresh in [false, true] {
            outcomes.push(run(provider, refresh));
        }
    }
    let mut tsv = String::new();
    for o in &outcomes {
        let (h, refresh) = (&o.latencies, if o.refresh { "yes" } else { "no" });
        let _ = writeln!(
            tsv,
            "{}/{refresh}\t{}\t{}\t{}\t{}\t{}\t{}",
            o.provider,
            h.len(),
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.value_at_quantile(0.999),
            h.max(),
            o.requests
        );
    }
    print!("provider/refresh\tcalls\tp50 ns\tp99 ns\tp99.9 ns\tmax ns\trequests\n{tsv}");
    if let Some(dir) = std::env::var_os("BENCH_REPORT_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("refresh.tsv"), tsv).expect("write refresh.tsv");
        let series = series_tsv(&outcomes);
        std::fs::write(dir.join("refresh_series.tsv"), series).expect("write refresh_series.tsv");
    }
}
