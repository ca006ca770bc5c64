//! The report's SVG charts, written into `benchmarks/` beside the report, each stamped
//! with the run's commit:
//!
//! - `refresh_under_load.svg`: p99 and maximum latency per 10 ms slot through a refresh
//!   under load, ours vs the Go-style provider, the refresh point and each side's new
//!   token marked (`refresh_series.json`, from `benches/refresh_under_load.rs`);
//! - `warm_hit_threads.svg`: warm-hit throughput at 1-8 threads, ours, `Mutex<Option>`,
//!   Go-style (criterion's `warm_hit_threads`) and the pool (`pool_threads.tsv`);
//! - `fleet.svg`: token requests per refresh period for 1, 4 and 16 replicas, with and
//!   without the shared store (`fleet.tsv`, from `fleet-report`).
//!
//! A chart whose data is missing is not drawn and an SVG left from an earlier run is
//! removed, so the report never links a stale picture.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::prelude::*;

use crate::figures::Run;

mod plot;

use plot::{chart, dashed, dotted, line};

/// Where the SVGs go, relative to the report.
pub(crate) const DIR: &str = "benchmarks";

const OURS: RGBColor = RGBColor(31, 119, 180);
const GO: RGBColor = RGBColor(214, 96, 17);
const MUTEX: RGBColor = RGBColor(120, 120, 120);
const POOL: RGBColor = RGBColor(44, 160, 44);
const MARK: RGBColor = RGBColor(40, 40, 40);

/// Each chart's outcome: drawn, or why not.
#[derive(Debug, Default)]
pub(crate) struct Drawn(BTreeMap<String, Result<(), String>>);

impl Drawn {
    /// The image link of chart `name`, or why it was not drawn.
    pub(crate) fn link(&self, name: &str, alt: &str) -> String {
        match self.0.get(name) {
            Some(Ok(())) => format!("![{alt}]({DIR}/{name})"),
            Some(Err(why)) => format!("_Chart not drawn in this run: {why}._"),
            None => format!("_No chart named {name}._"),
        }
    }
}

/// One chart's drawing into the path given.
type Draw<'a> = dyn Fn(&Path) -> Result<(), String> + 'a;

/// Draws every chart whose data the run produced into `dir`.
pub(crate) fn draw(run: &Run, dir: &Path) -> Drawn {
    let commit = run.text("meta", "commit", 0).unwrap_or_default();
    let stamp = format!(
        "commit {commit} · {}",
        run.text("meta", "date", 0).unwrap_or_default()
    );
    let mut drawn = Drawn::default();
    let charts: [(&str, &Draw<'_>); 3] = [
        ("refresh_under_load.svg", &|path| refresh(path, run, &stamp)),
        ("warm_hit_threads.svg", &|path| threads(path, run, &stamp)),
        ("fleet.svg", &|path| fleet(path, run, &stamp)),
    ];
    for (name, chart) in charts {
        let path = dir.join(name);
        let outcome = std::fs::create_dir_all(dir)
            .map_err(|e| e.to_string())
            .and_then(|()| chart(&path));
        if outcome.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        drawn.0.insert(name.to_owned(), outcome);
    }
    drawn
}

/// One refreshing run of `refresh_series.json`: its p99 and its maximum per slot, as
/// (time, latency) stretches broken by slots with no call, and when its new token arrived.
type Refresh = [Vec<Vec<(f64, f64)>>; 2];

fn refresh_run(value: &serde_json::Value, provider: &str) -> Result<(Refresh, Option<f64>), String> {
    let number = |key: &str| {
        value[key]
            .as_f64()
            .ok_or(format!("`refresh_series.json` has no `{key}`"))
    };
    let (slot_ms, window_ms) = (number("slot_ms")?, number("window_ms")?);
    let runs = value["runs"].as_array().map_or(&[][..], Vec::as_slice);
    let run = runs
        .iter()
        .find(|r| r["provider"] == provider && r["refresh"] == true);
    let run = run.ok_or_else(|| format!("`refresh_series.json` has no refreshing {provider} run"))?;
    let calls = run["calls"].as_array().map_or(&[][..], Vec::as_slice);
    let column = |key: &str| -> Vec<Vec<(f64, f64)>> {
        let values = run[key].as_array().map_or(&[][..], Vec::as_slice);
        let points: Vec<Option<(f64, f64)>> = (0u32..)
            .zip(values.iter().zip(calls))
            // The slot past the window holds only each thread's last call.
            .take_while(|(slot, _)| f64::from(*slot) * slot_ms < window_ms)
            .map(|(slot, (v, calls))| {
                let v = v.as_f64().filter(|v| *v > 0.0 && calls.as_u64() > Some(0))?;
                Some(((f64::from(slot) + 0.5) * slot_ms / 1e3, v))
            })
            .collect();
        let stretches = points.split(Option::is_none).filter(|s| !s.is_empty());
        stretches.map(|s| s.iter().flatten().copied().collect()).collect()
    };
    let p99 = column("p99_ns");
    if p99.is_empty() {
        return Err(format!("the refreshing {provider} run recorded no calls"));
    }
    Ok((
        [p99, column("max_ns")],
        run["new_token_ms"].as_f64().map(|ms| ms / 1e3),
    ))
}

/// A lighter shade of `c`, for a series drawn behind another.
fn light(c: RGBColor) -> RGBColor {
    let mix = |v: u8| u8::try_from((u16::from(v) + 2 * 255) / 3).unwrap_or(v);
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A latency in nanoseconds as a short axis label.
fn short_ns(ns: f64) -> String {
    let scales = [(1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")];
    let (scale, unit) = scales
        .into_iter()
        .find(|(scale, _)| ns >= *scale)
        .unwrap_or((1.0, "ns"));
    let v = ns / scale;
    if v < 10.0 && v.fract().abs() > 1e-9 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.0} {unit}")
    }
}

fn refresh(path: &Path, run: &Run, stamp: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(run.dir.join("refresh_series.json"))
        .map_err(|_| "the refresh run wrote no `refresh_series.json`".to_owned())?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`refresh_series.json`: {e}"))?;
    let (ours, go) = (refresh_run(&value, "ours")?, refresh_run(&value, "go-style")?);
    let all = [&ours.0, &go.0]
        .into_iter()
        .flatten()
        .flatten()
        .flatten()
        .map(|p| p.1);
    let (lo, hi) = all.fold((f64::INFINITY, 0.0), |(lo, hi), v| (v.min(lo), v.max(hi)));
    let y_lo = 10f64.powf(lo.log10().floor()).max(1.0);
    let y_hi = 10f64.powf(hi.log10().ceil()).max(y_lo * 10.0);
    let x_hi = (value["window_ms"].as_f64().unwrap_or(0.0) / 100.0).ceil() / 10.0 + 0.1;
    let point = value["refresh_point_ms"].as_f64().unwrap_or(0.0) / 1e3;
    let vertical = |t: f64| vec![(t, y_lo), (t, y_hi)];
    let [[ours_p99, ours_max], [go_p99, go_max]] = [ours.0, go.0];
    let mut lines = vec![
        line("ours: max per slot", (light(OURS), 1), ours_max),
        line("Go-style: max per slot", (light(GO), 1), go_max),
        line("ours: p99 per slot", (OURS, 2), ours_p99),
        line(
            "Go-style (mutex held across the fetch): p99 per slot",
            (GO, 2),
            go_p99,
        ),
    ];
    for (name, color, t) in [("ours", OURS, ours.1), ("Go-style", GO, go.1)] {
        lines.push(match t {
            Some(t) => dashed(
                format!("{name}: new token arrived at {t:.3} s"),
                (color, 2),
                vertical(t),
            ),
            None => dashed(format!("{name}: no new token in the run"), (color, 2), vec![]),
        });
    }
    // On top: a new token can arrive within a pixel or two of the refresh point.
    let label = format!("refresh point ({point:.1} s after the first token)");
    lines.push(line(label, (MARK, 1), vec![vertical(point)]));
    let title = format!(
        "Latency through a refresh under load ({} threads, {:.0} ms slots)",
        value["threads"].as_u64().unwrap_or(0),
        value["slot_ms"].as_f64().unwrap_or(0.0)
    );
    let axes = (0f64..x_hi, (y_lo..y_hi).log_scale());
    let desc = [
        "time since the first token arrived (s)",
        "call latency (log scale)",
    ];
    let labels = vec![("refresh point".to_owned(), (point - 0.33, y_hi / 1.6), MARK)];
    chart(path, &title, stamp, axes, desc, &|v| short_ns(*v), &lines, labels)
}

fn threads(path: &Path, run: &Run, stamp: &str) -> Result<(), String> {
    // One criterion iteration is a round of one call per thread; the pool's figure is ns
    // per call over all threads.
    let points = |per_call: &dyn Fn(u32) -> Option<f64>| -> Vec<(f64, f64)> {
        [1u32, 2, 4, 8]
            .iter()
            .filter_map(|&n| Some((f64::from(n), 1e3 / per_call(n)?)))
            .collect()
    };
    let criterion = |side: &str| {
        points(&|n| Some(run.median_ns(&format!("warm_hit_threads/{side}/{n}"))? / f64::from(n)))
    };
    let pool = points(&|n| run.text("pool_threads", &format!("pool/{n}"), 0)?.parse().ok());
    let mut lines = vec![
        dotted(
            "ours (learn-oauth-ureq TokenProvider)",
            (OURS, 3),
            criterion("ours"),
        ),
        dotted("Mutex<Option<AccessToken>>", (MUTEX, 2), criterion("mutex")),
        dotted(
            "Go-style (one mutex, held across fetches)",
            (GO, 2),
            criterion("go-style"),
        ),
        dotted("TokenPool, 10,000 keys hit in scattered order", (POOL, 2), pool),
    ];
    let missing: Vec<&str> = lines
        .iter()
        .filter(|l| l.stretches[0].is_empty())
        .map(|l| l.label.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(format!("this run has no figures for {}", missing.join(", ")));
    }
    let hi = lines
        .iter()
        .flat_map(|l| l.stretches[0].iter().map(|p| p.1))
        .fold(1.0, f64::max);
    let y_hi = (hi * 1.15 / 5.0).ceil() * 5.0;
    let cores: f64 = run
        .text("meta", "nproc", 0)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    let label = format!("the machine's cores ({cores:.0}): past it, threads share cores");
    lines.push(dashed(label, (MARK, 1), vec![(cores, 0.0), (cores, y_hi)]));
    let x = (0.85f64..9.4)
        .log_scale()
        .with_key_points(vec![1.0, 2.0, 4.0, 8.0]);
    let desc = [
        "threads calling token() (log scale)",
        "million calls/s, all threads together",
    ];
    let title = "Warm-hit throughput vs threads (token() on a warm cache)";
    chart(
        path,
        title,
        stamp,
        (x, 0f64..y_hi),
        desc,
        &|v| format!("{v:.0}"),
        &lines,
        vec![],
    )
}

fn fleet(path: &Path, run: &Run, stamp: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(run.dir.join("fleet.tsv"))
        .map_err(|_| "`fleet-report` wrote no `fleet.tsv` (it needs redis-server)".to_owned())?;
    // `replicas shared without periods`, after a header line: requests per period.
    let rows: Vec<[f64; 3]> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            match line
                .split('\t')
                .map(|c| c.parse().ok())
                .collect::<Option<Vec<f64>>>()?[..]
            {
                [n, shared, without, periods] if periods > 0.0 => {
                    Some([n, shared / periods, without / periods])
                }
                _ => None,
            }
        })
        .collect();
    if rows.is_empty() {
        return Err("`fleet.tsv` holds no rows".into());
    }
    let x_hi = rows.iter().map(|r| r[0]).fold(1.0, f64::max) * 1.25;
    let y_hi = (rows.iter().map(|r| r[1].max(r[2])).fold(1.0, f64::max) * 1.15 / 2.0).ceil() * 2.0;
    let column = |i: usize| -> Vec<(f64, f64)> { rows.iter().map(|r| (r[0], r[i])).collect() };
    let mark = vec![(0.8, 1.0), (x_hi, 1.0)];
    let lines = [
        dotted(
            "with the shared store (Redis: lease, publish, adopt)",
            (OURS, 3),
            column(1),
        ),
        dotted("without it: every replica fetches its own", (GO, 2), column(2)),
        dashed(
            "one request per period: what one replica alone makes",
            (MARK, 1),
            mark,
        ),
    ];
    // Each point's value beside it: upper left of the rising line's points, above the
    // flat line's.
    let mut labels = Vec::new();
    for (i, color, left) in [(2, GO, true), (1, OURS, false)] {
        for (x, y) in column(i).into_iter().filter(|p| p.0 > 1.0) {
            labels.push((
                format!("{y:.2}"),
                (if left { x / 1.3 } else { x * 1.03 }, y + y_hi * 0.06),
                color,
            ));
        }
    }
    let x = (0.8f64..x_hi)
        .log_scale()
        .with_key_points(rows.iter().map(|r| r[0]).collect());
    let desc = [
        "replica processes (log scale)",
        "token requests per refresh period",
    ];
    let title = "A fleet of replicas: token requests per refresh period";
    chart(
        path,
        title,
        stamp,
        (x, 0f64..y_hi),
        desc,
        &|v| format!("{v:.0}"),
        &lines,
        labels,
    )
}
