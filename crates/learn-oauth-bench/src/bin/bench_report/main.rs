//! Writes `BENCHMARKS.md` from one run of `scripts/bench-report.sh`:
//!
//! ```text
//! bench_report <report-dir> <criterion-dir> <output.md>
//! ```
//!
//! `<report-dir>` holds what the script measured besides criterion: `meta.tsv`
//! (key, value), `callgrind.tsv` (side, instructions per exchange), `warm_callgrind.tsv`
//! (side, instructions per warm `token()`), `footprint.tsv`
//! (name, crates, seconds), `refresh_under_load.json`, and the charts' data
//! (`refresh_series.json`, `fleet.tsv`; see `charts.rs`, which writes the SVGs into
//! `benchmarks/` beside `<output.md>`). `<criterion-dir>` is criterion's
//! output (`target/criterion`); medians are read from each benchmark's `estimates.json`.
//! A figure that is missing is shown as `n/a`, never guessed.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod charts;
mod format;
mod memory;
mod notes;
mod peers;

use format::{count, nanos, opt, per_second, ratio};

use notes::{CHANGES, NOTES, UREQ_BEHIND};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [report, criterion, output] = args.as_slice() else {
        eprintln!("usage: bench_report <report-dir> <criterion-dir> <output.md>");
        return ExitCode::from(2);
    };
    let mut inputs = Inputs {
        meta: tsv(&report.join("meta.tsv")),
        callgrind: tsv(&report.join("callgrind.tsv")),
        warm_callgrind: tsv(&report.join("warm_callgrind.tsv")),
        auth_callgrind: tsv(&report.join("auth_callgrind.tsv")),
        pool_callgrind: tsv(&report.join("pool_callgrind.tsv")),
        pool_threads: std::fs::read_to_string(report.join("pool_threads.tsv")).unwrap_or_default(),
        fleet: std::fs::read_to_string(report.join("fleet.md")).unwrap_or_default(),
        pool_footprint: tsv(&report.join("pool_footprint.tsv")),
        footprint: tsv(&report.join("footprint.tsv")),
        refresh: std::fs::read_to_string(report.join("refresh_under_load.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
        criterion: criterion.clone(),
        charts: charts::Charts::default(),
    };
    inputs.charts = charts::draw(&inputs, report, output);
    match std::fs::write(output, render(&inputs)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_report: writing {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

struct Inputs {
    meta: BTreeMap<String, Vec<String>>,
    callgrind: BTreeMap<String, Vec<String>>,
    warm_callgrind: BTreeMap<String, Vec<String>>,
    auth_callgrind: BTreeMap<String, Vec<String>>,
    pool_callgrind: BTreeMap<String, Vec<String>>,
    /// `side threads ns_per_call` lines.
    pool_threads: String,
    /// The fleet table, as `fleet-report` printed it.
    fleet: String,
    pool_footprint: BTreeMap<String, Vec<String>>,
    footprint: BTreeMap<String, Vec<String>>,
    refresh: Option<serde_json::Value>,
    criterion: PathBuf,
    /// Each chart's image link, or why it was not drawn.
    charts: charts::Charts,
}

/// A tab-separated file as first column -> the other columns.
fn tsv(path: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t').map(str::to_owned);
            let key = cols.next()?;
            Some((key, cols.collect()))
        })
        .collect()
}

impl Inputs {
    fn meta(&self, key: &str) -> String {
        self.meta
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_else(|| "n/a".into())
    }

    fn instructions(&self, side: &str) -> Option<f64> {
        self.callgrind.get(side)?.first()?.parse().ok()
    }

    fn warm_instructions(&self, side: &str) -> Option<f64> {
        self.warm_callgrind.get(side)?.first()?.parse().ok()
    }

    fn auth_instructions(&self, side: &str) -> Option<f64> {
        self.auth_callgrind.get(side)?.first()?.parse().ok()
    }

    fn pool_instructions(&self, side: &str) -> Option<f64> {
        self.pool_callgrind.get(side)?.first()?.parse().ok()
    }

    /// Nanoseconds per warm hit of `side` at `threads` threads.
    fn pool_ns(&self, side: &str, threads: &str) -> Option<f64> {
        self.pool_threads.lines().find_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.first() == Some(&side) && cols.get(1) == Some(&threads))
                .then(|| cols.get(2)?.parse().ok())?
        })
    }

    /// Criterion's median time of `group/id`, in nanoseconds.
    fn median_ns(&self, group: &str, id: &str) -> Option<f64> {
        // Criterion writes `a/b` function ids as `a_b`, and `BenchmarkId`s as `name/param`.
        let text = [id.replace('/', "_"), id.to_owned()].iter().find_map(|dir| {
            let path = self.criterion.join(group).join(dir).join("new/estimates.json");
            std::fs::read_to_string(path).ok()
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value["median"]["point_estimate"].as_f64()
    }

    fn footprint(&self, name: &str) -> (Option<f64>, Option<f64>) {
        let cols = self.footprint.get(name);
        let col = |i: usize| cols.and_then(|c| c.get(i)).and_then(|v| v.parse().ok());
        (col(0), col(1))
    }
}

fn render(i: &Inputs) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `scripts/bench-report.sh` (do not edit by hand). Ours is `learn-oauth`; the peer is \
         `oauth2` 5 (the crate Rust users pick today); the floor is the least any client must do. \
         Ratios are *ours relative to the other side*, oriented so that above 1.00× means ours is better \
         unless the column says otherwise.\n"
    );
    let _ = writeln!(w, "| run | |\n|---|---|");
    for (key, label) in [
        ("date", "date"),
        ("rustc", "rustc"),
        ("nproc", "cores (`nproc`)"),
        ("cpu", "CPU"),
        ("commit", "commit"),
        ("duration", "script run time"),
    ] {
        let _ = writeln!(w, "| {label} | {} |", i.meta(key));
    }
    let _ = writeln!(w, "| noise | {} |\n", i.meta("noise"));

    exchange(w, i);
    warm(w, i);
    authorized(w, i);
    pool(w, i);
    fleet(w, i);
    refresh(w, i);
    end_to_end(w, i);
    peers::section(w);
    footprint(w, i);
    memory::section(w, i);
    let _ = writeln!(w, "## What these figures changed\n\n{CHANGES}");
    let _ = writeln!(w, "## Notes\n\n{NOTES}");
    md
}

fn exchange(w: &mut String, i: &Inputs) {
    let ours = i.instructions("ours");
    let via = i.instructions("ours-via-client");
    let peer = i.instructions("oauth2");
    let floor = i.instructions("floor");
    let client = i.instructions("client");
    let t = |id| i.median_ns("exchange", id);
    let _ = writeln!(
        w,
        "## 1. Exchange CPU cost (in memory, no network)\n\n\
         Build one token request and parse one canned 200 response (the spec's shape, a 250-byte JWT, \
         `api/read api/write`, `expires_in: 3600`). Instructions are counted with callgrind \
         (difference between 11,000 and 1,000 exchanges, divided by 10,000); times are criterion medians.\n"
    );
    let _ = writeln!(
        w,
        "| figure | ours | oauth2 5 | floor | oauth2 ÷ ours (target ≥ 3×) | ours ÷ floor (target ≤ 1.5×) |\n|---|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        w,
        "| instructions per exchange, core only | {} | {} | {} | {} | {} |",
        opt(ours, count),
        opt(peer, count),
        opt(floor, count),
        ratio(peer, ours),
        ratio(ours, floor)
    );
    let _ = writeln!(
        w,
        "| instructions per exchange, both through the same in-memory client | {} | {} | — | {} | — |",
        opt(via, count),
        opt(peer, count),
        ratio(peer, via)
    );
    let _ = writeln!(
        w,
        "| time per exchange, core only | {} | {} | {} | {} | {} |",
        opt(t("ours"), nanos),
        opt(t("oauth2"), nanos),
        opt(t("floor"), nanos),
        ratio(t("oauth2"), t("ours")),
        ratio(t("ours"), t("floor"))
    );
    let _ = writeln!(
        w,
        "| time per exchange, same in-memory client | {} | {} | — | {} | — |\n",
        opt(t("ours-via-client"), nanos),
        opt(t("oauth2"), nanos),
        ratio(t("oauth2"), t("ours-via-client"))
    );
    let _ = writeln!(
        w,
        "The in-memory client (`oauth2` needs one: it takes an owned `http::Response`) costs {} instructions \
         ({}) per call on its own: a copy of the body and a one-entry header map.\n",
        opt(client, count),
        opt(t("client"), nanos)
    );
}

fn warm(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 2. Warm-cache hit\n\n`token()` on a provider holding a usable token (ours: `learn-oauth-ureq` / \
         `learn-oauth-reqwest` `TokenProvider`). Baselines: a `Mutex<Option<AccessToken>>` with an expiry \
         check, and a Go-style provider whose one mutex is also held across fetches. Every side reads \
         `Instant::now()` once per call.\n"
    );
    let _ = writeln!(
        w,
        "| single-thread latency (median) | ours | Mutex<Option> | Go-style | ours vs Mutex (time ratio, lower is better) | ours vs Go-style |\n|---|---:|---:|---:|---:|---:|"
    );
    for kind in ["blocking", "async"] {
        let get = |side: &str| i.median_ns("warm_hit_latency", &format!("{kind}/{side}"));
        let (o, m, g) = (get("ours"), get("mutex"), get("go-style"));
        let _ = writeln!(
            w,
            "| {kind} | {} | {} | {} | {} | {} |",
            opt(o, nanos),
            opt(m, nanos),
            opt(g, nanos),
            ratio(o, m),
            ratio(o, g)
        );
    }
    let ins = |side: &str| i.warm_instructions(side);
    let floor = ins("floor");
    let _ = writeln!(
        w,
        "\n| instructions per warm hit (callgrind, 101,000 minus 1,000 calls) | count | ÷ floor | target |\n|---|---:|---:|---|"
    );
    for (side, label, target) in [
        ("blocking", "ours, blocking `token()`", "≤ 150"),
        (
            "blocking-store",
            "ours, blocking, with a shared store configured (never touched when warm)",
            "= blocking",
        ),
        (
            "async",
            "ours, async `token()` polled once (includes the poll)",
            "≤ 150",
        ),
        (
            "polled-blocking",
            "the poll alone: blocking `token()` in `std::future::ready`, polled the same way",
            "—",
        ),
        ("mutex", "`Mutex<Option<AccessToken>>`", "—"),
        (
            "floor",
            "floor: clock read, `ArcSwap` load, compare, `Arc` clone",
            "—",
        ),
    ] {
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {target} |",
            opt(ins(side), count),
            ratio(ins(side), floor)
        );
    }
    for (group, what) in [
        ("warm_hit_threads", "threads"),
        (
            "warm_hit_tasks",
            "tasks (2 worker threads, each task yields every 1,024 calls)",
        ),
    ] {
        let _ = writeln!(
            w,
            "\n| throughput, {what}: million calls/s | ours | Mutex<Option> | Go-style | ours ÷ Mutex | ours ÷ Go-style |\n|---|---:|---:|---:|---:|---:|"
        );
        for n in [1u32, 2, 4, 8] {
            // One measured iteration is a round of one call per thread.
            let get = |side: &str| {
                i.median_ns(group, &format!("{side}/{n}"))
                    .map(|ns| per_second(ns) * f64::from(n) / 1e6)
            };
            let (o, m, g) = (get("ours"), get("mutex"), get("go-style"));
            let f = |v: f64| format!("{v:.1}");
            let _ = writeln!(
                w,
                "| {n} | {} | {} | {} | {} | {} |",
                opt(o, f),
                opt(m, f),
                opt(g, f),
                ratio(o, m),
                ratio(o, g)
            );
        }
        if group == "warm_hit_threads" {
            let _ = write!(w, "\n{}", i.charts.threads);
        }
    }
    let _ = writeln!(w);
}

fn authorized(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 2b. An authorized request on the warm path: the tower layer vs by hand\n\n\
         One request to an in-memory service that answers 200 at once, with the async provider holding a \
         fresh token (`src/auth.rs`). *By hand* is `token()` polled once plus \
         `headers.insert(AUTHORIZATION, token.authorization_header())`; the layer also clones the request \
         for a possible 401 retry (`CloneBody`; `NoReplay` skips that), boxes its future and reads the \
         verdict. The reqwest middleware runs the same `BearerAttempt` plus `Request::try_clone`. \
         Instructions per request (callgrind, 101,000 minus 1,000 requests).\n"
    );
    let _ = writeln!(
        w,
        "| side | instructions | over the inner call alone | layer ÷ by hand |\n|---|---:|---:|---:|"
    );
    let inner = i.auth_instructions("inner");
    let by_hand = i.auth_instructions("by-hand");
    for (side, label) in [
        ("layer", "`AuthLayer` (replay by clone)"),
        ("layer-no-replay", "`AuthLayer::without_retry()`"),
        ("by-hand", "token attached by hand"),
        ("inner", "the inner call alone"),
    ] {
        let n = i.auth_instructions(side);
        let over = n.zip(inner).map(|(n, inner)| n - inner);
        let vs = match side {
            "layer" | "layer-no-replay" => n
                .zip(by_hand)
                .map_or("n/a".into(), |(n, b)| format!("{:.2}×", n / b)),
            _ => String::new(),
        };
        let _ = writeln!(w, "| {label} | {} | {} | {vs} |", opt(n, count), opt(over, count));
    }
    let _ = writeln!(w);
}

fn pool(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 2c. Many tenants: the token pool\n\n\
         Warm hits through a `TokenPool` of 10,000 keys (each holding a token; the key `insert` \
         returned), one provider's warm hit, and a `Mutex<HashMap<PoolKey, Provider>>` of 10,000 keys \
         (lock, look up, clone the provider, unlock, `token()`), over the canned in-memory exchange \
         (`src/pool.rs`). Keys come in a scattered order, as many tenants' requests do: 10,000 \
         providers do not fit in cache, so at 1–2 threads both sides wait on memory (four or five \
         cache lines a hit), and the lock shows only once threads outnumber the cores. The pool's shards are copy-on-write `hashbrown` tables behind \
         `ArcSwap` (lock-free reads; one foldhash per lookup): chosen over `dashmap` (a read lock per \
         hit) and `papaya`/`scc` (new dependencies for what arc-swap, already ours, does). A resolved \
         entry keeps a copy of its provider's published snapshot beside it in the table, with the \
         provider's snapshot generation: a hit checks the generation (one atomic load) and reads the \
         copy, instead of loading the provider's own `ArcSwap` after the shard's; when the provider has \
         published since (a new token, a refresh started, an invalidation), the hit goes through the \
         provider and the slow path puts a new copy in the table.\n"
    );
    let _ = writeln!(
        w,
        "| instructions per warm hit (callgrind: inside one out-of-line function per side, `pool_count::hit_*`, 100,000 calls; the key is chosen outside it; the call's own entry and exit included) | count | pool ÷ this | target |\n|---|---:|---:|---|"
    );
    let pool = i.pool_instructions("pool");
    for (side, label, target) in [
        ("pool", "pool, 10,000 keys", ""),
        ("provider", "one provider", "pool within 1.5×"),
        ("mutex-map", "`Mutex<HashMap>`, 10,000 keys", ""),
    ] {
        let n = i.pool_instructions(side);
        let vs = pool
            .zip(n)
            .map_or("n/a".into(), |(p, n)| format!("{:.2}×", p / n));
        let _ = writeln!(w, "| {label} | {} | {vs} | {target} |", opt(n, count));
    }
    let _ = writeln!(
        w,
        "\n| warm hit, ns per call (median of 5 runs, the sides' runs interleaved) | 1 thread | 2 | 4 | 8 |\n|---|---:|---:|---:|---:|"
    );
    for side in ["pool", "provider", "mutex-map"] {
        let cells: Vec<String> = ["1", "2", "4", "8"]
            .iter()
            .map(|t| opt(i.pool_ns(side, t), nanos))
            .collect();
        let _ = writeln!(w, "| {side} | {} |", cells.join(" | "));
    }
    let ratios: Vec<String> = ["1", "2", "4", "8"]
        .iter()
        .map(|t| match (i.pool_ns("mutex-map", t), i.pool_ns("pool", t)) {
            (Some(m), Some(p)) => format!("{:.2}×", m / p),
            _ => "n/a".into(),
        })
        .collect();
    let _ = writeln!(
        w,
        "| pool vs `Mutex<HashMap>` (target ≥ 2× at 2, 4, 8) | {} |",
        ratios.join(" | ")
    );
    let entry = i
        .pool_footprint
        .get("entry_bytes")
        .and_then(|v| v.first())
        .cloned();
    let _ = writeln!(
        w,
        "\nHeap held per pool entry with a token (counting allocator, 10,000 entries): **{} bytes** \
         (target ≤ 4 KB); the entries share one transport, so a real client's buffers are paid once per \
         pool, not per tenant.\n",
        entry.unwrap_or_else(|| "n/a".into())
    );
}

fn fleet(w: &mut String, i: &Inputs) {
    let table = if i.fleet.trim().is_empty() {
        "n/a (the run did not produce it)\n"
    } else {
        i.fleet.as_str()
    };
    let _ = writeln!(
        w,
        "## 2d. A fleet sharing tokens through Redis\n\n`fleet-report` (learn-oauth-testkit) starts a \
         `redis-server` on a free loopback port and the mock, then N `fleet-replica` processes at once on a \
         cold cache, each a blocking provider calling `token()` every 20 ms; with the shared store they \
         coordinate through Redis (lease, publish, adopt), without it each fetches its own. The \
         per-period columns divide by the refresh periods the run spanned: the requests of one \
         replica alone.\n\n{table}"
    );
    let _ = writeln!(w, "{}", i.charts.fleet);
}

fn refresh(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 3. Refresh under load\n\n8 threads call `token()` in a loop for 3.2 s from the first fetch; the \
         token lives 4 s and its refresh point (1.5 s ahead, no jitter) falls 2.5 s in. Each call's latency \
         (including one `Instant::now()`) goes into a histogram. Reference: the same run with a 1-hour token. \
         Ours refreshes on a background thread; the Go-style provider fetches with its mutex held. The bench \
         asserts that exactly one token request reached the mock during each refreshing run.\n"
    );
    let Some(rows) = i.refresh.as_ref().and_then(|v| v.as_array()) else {
        let _ = writeln!(w, "n/a (not measured in this run)\n");
        let _ = writeln!(w, "{}", i.charts.refresh);
        return;
    };
    let _ = writeln!(
        w,
        "| provider | refresh in the run | calls | p50 | p99 | p99.9 | max | token requests during the run |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        #[allow(clippy::cast_precision_loss)]
        let ns = |key: &str| r[key].as_u64().map_or_else(|| "n/a".into(), |v| nanos(v as f64));
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r["provider"].as_str().unwrap_or("?"),
            if r["refresh"].as_bool().unwrap_or(false) {
                "yes"
            } else {
                "no"
            },
            r["calls"]
                .as_u64()
                .map_or_else(|| "n/a".into(), |c| count(c as f64)),
            ns("p50_ns"),
            ns("p99_ns"),
            ns("p999_ns"),
            ns("max_ns"),
            r["requests"]
        );
    }
    let _ = writeln!(w, "\n{}", i.charts.refresh);
}

fn end_to_end(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 4. End to end over loopback\n\nOne token request per token against the embedded mock (plain \
         HTTP/1.1 on 127.0.0.1, keep-alive; one server thread shared by both sides). Ours: each adapter's \
         one-shot `Transport::fetch_token`. Peer: `oauth2` 5 over its own clients (reqwest 0.12 / ureq 2, \
         redirects off). Both reuse their connection.\n"
    );
    let _ = writeln!(
        w,
        "| transport | ours: tokens/s | oauth2 5: tokens/s | ours ÷ oauth2 (target ≥ 1.0×) |\n|---|---:|---:|---:|"
    );
    let mut ureq_behind = false;
    for t in ["reqwest", "ureq"] {
        let o = i.median_ns("end_to_end", &format!("{t}/ours")).map(per_second);
        let p = i.median_ns("end_to_end", &format!("{t}/oauth2")).map(per_second);
        let f = |v: f64| count(v);
        let _ = writeln!(w, "| {t} | {} | {} | {} |", opt(o, f), opt(p, f), ratio(o, p));
        if t == "ureq" {
            ureq_behind = matches!((o, p), (Some(o), Some(p)) if o < p);
        }
    }
    let _ = writeln!(w);
    if ureq_behind {
        let _ = writeln!(w, "{UREQ_BEHIND}\n");
    }
}

fn footprint(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 5. Footprint\n\nCrates in the normal dependency graph (`cargo tree -e normal --prefix none`, \
         unique names, the crate itself included) and one clean release build (own `CARGO_TARGET_DIR`, \
         `CARGO_PROFILE_RELEASE_DEBUG=false`, `cargo build --release`, measured once each, one after the \
         other). The peer is `oauth2` 5 with default features (reqwest 0.12 + rustls), built from a \
         throwaway crate the script creates under `target/bench-footprint/`.\n"
    );
    let (pc, pt) = i.footprint("oauth2");
    let _ = writeln!(
        w,
        "| crate | crates | build time | oauth2 ÷ ours, crates | oauth2 ÷ ours, build time |\n|---|---:|---:|---:|---:|"
    );
    for name in [
        "learn-oauth-proto",
        "learn-oauth-ureq",
        "learn-oauth-reqwest",
        "oauth2",
    ] {
        let (c, t) = i.footprint(name);
        let shown = if name == "oauth2" {
            "oauth2 5 (default features)"
        } else {
            name
        };
        let (rc, rt) = if name == "oauth2" {
            ("—".to_owned(), "—".to_owned())
        } else {
            (ratio(pc, c), ratio(pt, t))
        };
        let _ = writeln!(
            w,
            "| {shown} | {} | {} | {rc} | {rt} |",
            opt(c, count),
            opt(t, |s| format!("{s:.0} s"))
        );
    }
    let _ = writeln!(w);
}
