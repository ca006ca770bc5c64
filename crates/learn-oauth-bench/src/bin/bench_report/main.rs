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

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

mod charts;
mod format;
mod inputs;
mod memory;
mod notes;
mod peers;
mod per_call;
mod system;

use charts::Charts;
use inputs::{Inputs, tsv};
use notes::{CHANGES, NOTES};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [report, criterion, output] = args.as_slice() else {
        eprintln!("usage: bench_report <report-dir> <criterion-dir> <output.md>");
        return ExitCode::from(2);
    };
    let inputs = Inputs {
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
    };
    let charts = charts::draw(&inputs, report, output);
    match std::fs::write(output, render(&inputs, &charts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_report: writing {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

fn render(i: &Inputs, charts: &Charts) -> String {
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

    per_call::exchange(w, i);
    per_call::warm(w, i, charts);
    per_call::authorized(w, i);
    per_call::pool(w, i);
    system::fleet(w, i, charts);
    system::refresh(w, i, charts);
    system::end_to_end(w, i);
    peers::section(w);
    system::footprint(w, i);
    memory::section(w, i);
    let _ = writeln!(w, "## What these figures changed\n\n{CHANGES}");
    let _ = writeln!(w, "## Notes\n\n{NOTES}");
    md
}
