//! Section 6, memory: `memory.tsv` and `storm.tsv`, written by `scripts/bench-memory.sh`
//! (`memory_report` against the mock binary), and the pool entry of `pool_footprint.tsv`.
//! A missing file is one "not measured in this run" line, never a failure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::format::{count, opt, ratio};
use crate::inputs::Inputs;

/// The per-provider target, in bytes: 64 KB.
const PROVIDER_TARGET: f64 = 64_000.0;
/// The per-pool-entry target, in bytes: 4 KB.
const ENTRY_TARGET: f64 = 4_000.0;

/// The report directory: `bench_report`'s first argument (`main` parses the same one;
/// reading it here keeps this section's inputs out of `main.rs`).
fn report_dir() -> Option<PathBuf> {
    std::env::args_os().nth(1).map(PathBuf::from)
}

/// `<file>` of the report directory as key -> values, or why it is not there.
fn table(file: &str) -> Result<BTreeMap<String, Vec<f64>>, String> {
    let dir = report_dir().ok_or("no report directory given")?;
    let text = std::fs::read_to_string(dir.join(file)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("`{file}` is missing (`scripts/bench-memory.sh` did not run)")
        }
        _ => format!("`{file}` could not be read ({e})"),
    })?;
    let rows: BTreeMap<String, Vec<f64>> = text
        .lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let key = cols.next()?.to_owned();
            Some((key, cols.filter_map(|c| c.parse().ok()).collect()))
        })
        .collect();
    if rows.is_empty() {
        return Err(format!("`{file}` is empty"));
    }
    Ok(rows)
}

fn col(rows: &BTreeMap<String, Vec<f64>>, key: &str, i: usize) -> Option<f64> {
    rows.get(key)?.get(i).copied()
}

fn bytes(v: f64) -> String {
    format!("{} B", count(v))
}

/// `/proc/self/status`'s unit, kept as it is.
fn kb(v: f64) -> String {
    format!("{} kB", count(v))
}

fn fmt_1(v: f64) -> String {
    format!("{v:.1}")
}

/// "met" or by how much the figure misses `target`.
fn verdict(v: Option<f64>, target: f64) -> String {
    match v {
        Some(v) if v <= target => "met".into(),
        Some(v) => format!("over by {}", bytes(v - target)),
        None => "n/a".into(),
    }
}

/// Writes section 6.
pub(crate) fn section(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 6. Memory\n\n\
         Measured by `memory_report` (`scripts/bench-memory.sh`) with a counting allocator \
         (`stats_alloc`) over every thread of its process; the mock (`learn-oauth-mock`) runs in a \
         process of its own, so none of its allocations count. *Held by one provider*: live bytes after \
         the first `token()` minus live bytes before building it — the client, its pooled connection \
         and the token. Ours is each adapter's `TokenProvider` with its default transport; `oauth2` 5 has \
         no provider, so its side is the `BasicClient`, its HTTP client (ureq 2 agent / reqwest 0.12 \
         client, as in section 4) and one token response. Each side is measured twice in a row and the \
         second figure shown (another provider's cost; the first also pays for state built once per \
         process). Over HTTPS every side trusts only the mock's throwaway CA: the TLS session is \
         counted, not a root store of Mozilla's 150 roots. KB = 1,000 bytes.\n"
    );
    match table("memory.tsv") {
        Ok(rows) => memory_tables(w, &rows),
        Err(why) => {
            let _ = writeln!(w, "Not measured in this run: {why}.\n");
        }
    }
    storm(w);
    let entry = i
        .pool_footprint
        .get("entry_bytes")
        .and_then(|v| v.first())
        .and_then(|v| v.parse::<f64>().ok());
    match entry {
        Some(entry) => {
            let _ = writeln!(
                w,
                "In a pool the providers share one transport (section 2c): each tenant adds its token and \
                 lifecycle only, **{}** per entry (`pool_footprint`, 10,000 entries; target ≤ 4 KB: {}).\n",
                bytes(entry),
                verdict(Some(entry), ENTRY_TARGET)
            );
        }
        None => {
            let _ = writeln!(
                w,
                "Per pool entry: not measured in this run (`pool_footprint.tsv` is missing; section 2c \
                 writes it).\n"
            );
        }
    }
}

fn memory_tables(w: &mut String, rows: &BTreeMap<String, Vec<f64>>) {
    let _ = writeln!(
        w,
        "| heap held by one provider with a token | ours | oauth2 5 | oauth2 ÷ ours | ours, first in the process | ours: target ≤ 64 KB |\n\
         |---|---:|---:|---:|---:|---|"
    );
    for (suffix, label) in [
        ("ureq", "ureq, HTTP"),
        ("reqwest", "reqwest, HTTP"),
        ("ureq-tls", "ureq, HTTPS"),
        ("reqwest-tls", "reqwest, HTTPS"),
    ] {
        let ours = col(rows, &format!("provider/ours-{suffix}"), 0);
        let first = col(rows, &format!("provider/ours-{suffix}"), 1);
        let peer = col(rows, &format!("provider/oauth2-{suffix}"), 0);
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} | {} |",
            opt(ours, bytes),
            opt(peer, bytes),
            ratio(peer, ours),
            opt(first, bytes),
            verdict(ours, PROVIDER_TARGET)
        );
    }
    let ureq_default_roots = col(rows, "provider/ours-ureq-tls", 0)
        .zip(col(rows, "roots/mozilla-store", 0))
        .map(|(p, r)| p + r);
    let _ = writeln!(
        w,
        "\nThe ureq adapter's default agent gives each connection a 10 KiB input and a 4 KiB output \
         buffer and caps a response head at 8 KiB (ureq's defaults, 128 KiB each way, made a provider \
         hold 268 KB). Over HTTPS ureq keeps a second pair of buffers in its TLS layer, beside rustls' \
         own. reqwest 0.13 does not expose hyper's buffer sizes. Not in the HTTPS rows: the root \
         store. Our reqwest transports with the default roots share one; ureq 3 builds its own per \
         agent from Mozilla's roots, {} more per ureq provider with the default roots (measured alone): \
         about {} for a ureq provider over HTTPS with the default roots, target ≤ 64 KB: {}.\n",
        opt(col(rows, "roots/mozilla-store", 0), bytes),
        opt(ureq_default_roots, bytes),
        verdict(ureq_default_roots, PROVIDER_TARGET)
    );

    let _ = writeln!(
        w,
        "| per exchange, in memory (section 1's exchange; 10,000 after 10,000 to warm up) | allocations | bytes allocated | oauth2 ÷ this, allocations |\n\
         |---|---:|---:|---:|"
    );
    let peer = col(rows, "exchange/oauth2", 0);
    for (side, label) in [
        ("ours", "ours, core only"),
        ("ours-via-client", "ours, through the same in-memory client"),
        ("oauth2", "oauth2 5"),
        ("floor", "floor"),
    ] {
        let key = format!("exchange/{side}");
        let allocs = col(rows, &key, 0);
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} |",
            opt(allocs, fmt_1),
            opt(col(rows, &key, 1), bytes),
            ratio(peer, allocs)
        );
    }
    let _ = writeln!(
        w,
        "\n| per loopback token (section 4's one-shot fetch; 2,000 after 200) | ours: allocations | ours: bytes | oauth2 5: allocations | oauth2 5: bytes | oauth2 ÷ ours, allocations |\n\
         |---|---:|---:|---:|---:|---:|"
    );
    for transport in ["ureq", "reqwest"] {
        let ours = format!("loopback/ours-{transport}");
        let peer = format!("loopback/oauth2-{transport}");
        let _ = writeln!(
            w,
            "| {transport} | {} | {} | {} | {} | {} |",
            opt(col(rows, &ours, 0), fmt_1),
            opt(col(rows, &ours, 1), bytes),
            opt(col(rows, &peer, 0), fmt_1),
            opt(col(rows, &peer, 1), bytes),
            ratio(col(rows, &peer, 0), col(rows, &ours, 0))
        );
    }
    let _ = writeln!(w);
}

fn storm(w: &mut String) {
    let rows = match table("storm.tsv") {
        Ok(rows) => rows,
        Err(why) => {
            let _ = writeln!(w, "Cold storm: not measured in this run: {why}.\n");
            return;
        }
    };
    let get = |key: &str| col(&rows, &format!("storm/{key}"), 0);
    let before = get("rss_before_kb");
    let after = get("hwm_after_kb");
    let _ = writeln!(
        w,
        "| cold storm: {} Tokio tasks (multi-thread runtime) call `token()` at once on a cold async provider, in a process of their own | |\n\
         |---|---:|\n\
         | resident before the storm (VmRSS; runtime and provider built) | {} |\n\
         | peak resident after it (VmHWM) | {} |\n\
         | growth | {} |\n\
         | distinct tokens the tasks got (one request) | {} |\n",
        opt(get("tasks"), count),
        opt(before, kb),
        opt(after, kb),
        opt(after.zip(before).map(|(a, b)| a - b), kb),
        opt(get("distinct_tokens"), count)
    );
}
