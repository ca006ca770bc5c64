//! The report's SVG charts, written into `benchmarks/` beside the report:
//!
//! - `refresh_under_load.svg`: p99 and maximum latency per 10 ms slot through a refresh
//!   under load, ours vs the Go-style provider, the refresh point and each side's new
//!   token marked (`refresh_series.json`, from `benches/refresh_under_load.rs`);
//! - `warm_hit_threads.svg`: warm-hit throughput at 1-8 threads, ours, `Mutex<Option>`,
//!   Go-style (criterion's `warm_hit_threads`) and the pool (`pool_threads.tsv`);
//! - `fleet.svg`: token requests per refresh period for 1, 4 and 16 replicas, with and
//!   without the shared store (`fleet.tsv`, from `fleet-report`).
//!
//! Each carries the commit of the run (`meta.tsv`). A chart whose data is missing is not
//! drawn: its section says why, and an SVG left from an earlier run is removed, so the
//! report never links a stale picture. One submodule per chart; the frame (title,
//! legend below the plot, stamp) is shared.

use std::path::Path;

use crate::inputs::Inputs;

mod fleet;
mod frame;
mod refresh;
mod threads;

use fleet::fleet_chart;
use refresh::refresh_chart;
#[cfg(test)]
use refresh::stretches;
use threads::threads_chart;

/// Where the SVGs go, relative to the report.
const DIR: &str = "benchmarks";

/// What each section shows for its chart: an image link, or why there is none.
#[derive(Debug, Default)]
pub(crate) struct Charts {
    /// Section 3's latency over time.
    pub(crate) refresh: String,
    /// Section 2's throughput vs threads.
    pub(crate) threads: String,
    /// Section 2d's fleet.
    pub(crate) fleet: String,
}

/// Draws every chart whose data the run produced, for the report written to `output`.
pub(crate) fn draw(inputs: &Inputs, report: &Path, output: &Path) -> Charts {
    let dir = output.parent().unwrap_or(Path::new("")).join(DIR);
    let stamp = format!("commit {} · {}", inputs.meta("commit"), inputs.meta("date"));
    let made = std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()));
    let place = |name: &str, alt: &str, draw: &dyn Fn(&Path) -> Result<Vec<String>, String>| {
        let path = dir.join(name);
        match made.clone().and_then(|()| draw(&path)) {
            Ok(notes) => {
                let mut md = format!("![{alt}]({DIR}/{name})\n");
                for note in notes {
                    md.push_str(&format!("\n{note}\n"));
                }
                md
            }
            Err(why) => {
                remove_stale(&path);
                format!("_Chart not drawn in this run: {why}._\n")
            }
        }
    };
    let charts = Charts {
        refresh: place(
            "refresh_under_load.svg",
            "p99 and maximum latency per 10 ms slot through a refresh under load, ours vs the Go-style provider",
            &|path| {
                refresh_chart(path, report, &stamp).map(|()| {
                    vec![
                        "Each point is one 10 ms slot of the refreshing runs: the p99 and the maximum of the \
                         calls that ended in it. The dashed lines mark when each side's new token arrived \
                         (its `received_at`, read after the run); a slot with no call breaks the line. The \
                         maxima are mostly the scheduler's (8 busy threads on the machine's cores)."
                            .to_owned(),
                    ]
                })
            },
        ),
        threads: place(
            "warm_hit_threads.svg",
            "warm-hit throughput in million calls/s at 1, 2, 4 and 8 threads: ours, Mutex<Option>, Go-style and the 10,000-key pool",
            &|path| threads_chart(path, inputs, &stamp),
        ),
        fleet: place(
            "fleet.svg",
            "token requests per refresh period for 1, 4 and 16 replicas, with and without the shared store",
            &|path| {
                fleet_chart(path, report, &stamp).map(|()| {
                    vec![
                        "The table's per-period columns, drawn: token requests divided by the refresh \
                          periods one replica alone spanned."
                            .to_owned(),
                    ]
                })
            },
        ),
    };
    // Nothing drawn: leave no empty directory (a directory with charts stays).
    let _ = std::fs::remove_dir(&dir);
    charts
}

fn remove_stale(path: &Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        eprintln!("bench_report: removing the stale {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;

    /// A scratch directory of its own under the system's temporary one.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bench-report-charts-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    }

    fn inputs(report: &Path) -> Inputs {
        let mut meta = BTreeMap::new();
        meta.insert("commit".to_owned(), vec!["abc1234".to_owned()]);
        meta.insert("nproc".to_owned(), vec!["2".to_owned()]);
        Inputs {
            meta,
            callgrind: BTreeMap::new(),
            warm_callgrind: BTreeMap::new(),
            auth_callgrind: BTreeMap::new(),
            pool_callgrind: BTreeMap::new(),
            pool_threads: std::fs::read_to_string(report.join("pool_threads.tsv")).unwrap_or_default(),
            fleet: String::new(),
            pool_footprint: BTreeMap::new(),
            footprint: BTreeMap::new(),
            refresh: None,
            criterion: report.join("criterion"),
        }
    }

    #[test]
    fn missing_data_says_why_and_removes_a_stale_chart() {
        let dir = scratch("missing");
        let charts_dir = dir.join(DIR);
        std::fs::create_dir_all(&charts_dir).expect("the charts' directory");
        std::fs::write(charts_dir.join("fleet.svg"), "<svg/>").expect("a stale chart");
        let charts = draw(&inputs(&dir), &dir, &dir.join("BENCHMARKS.md"));
        for md in [&charts.refresh, &charts.threads, &charts.fleet] {
            assert!(md.starts_with("_Chart not drawn in this run: "), "{md}");
        }
        assert!(charts.fleet.contains("fleet.tsv"), "{}", charts.fleet);
        assert!(!charts_dir.join("fleet.svg").exists(), "the stale chart is left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn charts_carry_their_data_and_the_commit() {
        let dir = scratch("drawn");
        std::fs::write(
            dir.join("fleet.tsv"),
            "replicas\tshared\twithout\tperiods\n1\t6\t6\t6\n4\t6\t24\t6\n16\t7\t96\t6\n",
        )
        .expect("fleet.tsv");
        std::fs::write(dir.join("pool_threads.tsv"), "pool\t1\t1000.0\npool\t2\t250.0\n")
            .expect("pool_threads.tsv");
        let slots = 4;
        let runs: Vec<serde_json::Value> = ["ours", "go-style"]
            .iter()
            .map(|p| {
                serde_json::json!({
                    "provider": p, "refresh": true, "new_token_ms": 21.6,
                    "calls": vec![100; slots], "p99_ns": vec![250; slots], "max_ns": vec![40_000; slots],
                })
            })
            .collect();
        let series = serde_json::json!({
            "threads": 8, "slot_ms": 10.0, "window_ms": 30.0, "refresh_point_ms": 20.0, "runs": runs,
        });
        std::fs::write(dir.join("refresh_series.json"), series.to_string()).expect("refresh_series.json");
        let charts = draw(&inputs(&dir), &dir, &dir.join("BENCHMARKS.md"));
        assert!(charts.fleet.starts_with("![") && charts.fleet.contains("](benchmarks/fleet.svg)"));
        assert!(
            charts.refresh.contains("](benchmarks/refresh_under_load.svg)"),
            "{}",
            charts.refresh
        );
        // No criterion data here: the pool alone, and the section says what is missing.
        assert!(
            charts.threads.contains("](benchmarks/warm_hit_threads.svg)"),
            "{}",
            charts.threads
        );
        assert!(
            charts.threads.contains("Not in this run's chart: ours"),
            "{}",
            charts.threads
        );
        for name in ["fleet.svg", "refresh_under_load.svg", "warm_hit_threads.svg"] {
            let svg = std::fs::read_to_string(dir.join(DIR).join(name)).expect("an SVG");
            assert!(svg.contains("commit abc1234"), "{name} has no commit");
        }
        let fleet = std::fs::read_to_string(dir.join(DIR).join("fleet.svg")).expect("fleet.svg");
        assert!(
            fleet.contains("16.00") && fleet.contains("1.17"),
            "the fleet's values"
        );
        let refresh = std::fs::read_to_string(dir.join(DIR).join("refresh_under_load.svg")).expect("svg");
        assert!(
            refresh.contains("new token arrived at 0.022 s"),
            "the new token's instant"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_slot_breaks_the_line() {
        let p = |x: f64| Some((x, 1.0));
        let s = stretches(&[None, p(1.0), p(2.0), None, None, p(3.0), None]);
        assert_eq!(s, vec![vec![(1.0, 1.0), (2.0, 1.0)], vec![(3.0, 1.0)]]);
    }
}
