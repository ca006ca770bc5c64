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
//! report never links a stale picture.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::Inputs;

/// Where the SVGs go, relative to the report.
const DIR: &str = "benchmarks";
/// Every chart's size in pixels.
const SIZE: (u32, u32) = (960, 560);
const FONT: &str = "sans-serif";

const OURS: RGBColor = RGBColor(31, 119, 180);
const GO: RGBColor = RGBColor(214, 96, 17);
const MUTEX: RGBColor = RGBColor(120, 120, 120);
const POOL: RGBColor = RGBColor(44, 160, 44);
const MARK: RGBColor = RGBColor(40, 40, 40);

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

/// One line of a chart: its legend text, colour, width and points.
struct Series {
    label: String,
    short: &'static str,
    color: RGBColor,
    width: u32,
    points: Vec<(f64, f64)>,
}

/// A legend entry drawn below the plot (so it never covers data).
struct Entry {
    label: String,
    color: RGBColor,
    width: u32,
    dashed: bool,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// The whole picture: white, a title on top, the legend and the stamp below; the
/// returned area is for the plot.
fn frame<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    title: &str,
    legend: &[Entry],
    stamp: &str,
) -> Result<DrawingArea<SVGBackend<'a>, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let rows = legend.len().div_ceil(2);
    let legend_height = 24 * u32::try_from(rows).unwrap_or(4) + 34;
    let (plot, below) = root.split_vertically(SIZE.1 - legend_height);
    let column = SIZE.0 / 2 - 40;
    for (index, entry) in legend.iter().enumerate() {
        let x = 70 + i32::try_from(column).unwrap_or(400) * i32::try_from(index % 2).unwrap_or(0);
        let y = 12 + 24 * i32::try_from(index / 2).unwrap_or(0);
        let style = entry.color.stroke_width(entry.width.max(2));
        if entry.dashed {
            below
                .draw(&DashedPathElement::new(vec![(x, y), (x + 34, y)], 6, 4, style))
                .map_err(err)?;
        } else {
            below
                .draw(&PathElement::new(vec![(x, y), (x + 34, y)], style))
                .map_err(err)?;
        }
        below
            .draw(&Text::new(
                entry.label.clone(),
                (x + 44, y - 8),
                (FONT, 15).into_font(),
            ))
            .map_err(err)?;
    }
    let stamp_style = (FONT, 13).into_font().color(&RGBColor(90, 90, 90));
    let (_, h) = below.dim_in_pixel();
    below
        .draw(&Text::new(
            stamp.to_owned(),
            (
                i32::try_from(SIZE.0).unwrap_or(960) - 12 - text_width(stamp, 13),
                i32::try_from(h).unwrap_or(40) - 20,
            ),
            stamp_style,
        ))
        .map_err(err)?;
    let plot = plot.titled(title, (FONT, 20).into_font()).map_err(err)?;
    Ok(plot)
}

/// Roughly how wide `text` is (plotters' own estimate for SVG, counting characters).
fn text_width(text: &str, size: u32) -> i32 {
    let em = f64::from(size) / 1.24 / 1.24;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let w = (em * 0.7 * text.chars().count() as f64).round() as i32;
    w
}

/// A latency in nanoseconds as a short axis label.
fn short_ns(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let digits = if v < 10.0 && (v - v.round()).abs() > 1e-9 {
        1
    } else {
        0
    };
    format!("{v:.digits$} {unit}")
}

// --- 1. latency over time through a refresh ------------------------------------------

/// One refreshing run's series.
struct Run {
    p99: Vec<Option<(f64, f64)>>,
    max: Vec<Option<(f64, f64)>>,
    new_token_s: Option<f64>,
}

struct RefreshData {
    slot_ms: f64,
    window_s: f64,
    refresh_point_s: f64,
    threads: u64,
    ours: Run,
    go: Run,
}

fn refresh_data(report: &Path) -> Result<RefreshData, String> {
    let path = report.join("refresh_series.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|_| "the refresh run wrote no `refresh_series.json`".to_owned())?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`refresh_series.json` does not parse: {e}"))?;
    let number = |key: &str| {
        value[key]
            .as_f64()
            .ok_or_else(|| format!("`refresh_series.json` has no `{key}`"))
    };
    let slot_ms = number("slot_ms")?;
    let window_ms = number("window_ms")?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let slots_in_window = (window_ms / slot_ms).ceil() as usize;
    let run = |provider: &str| -> Result<Run, String> {
        let r = value["runs"]
            .as_array()
            .and_then(|runs| {
                runs.iter()
                    .find(|r| r["provider"] == provider && r["refresh"] == true)
            })
            .ok_or_else(|| format!("`refresh_series.json` has no refreshing {provider} run"))?;
        let column = |key: &str| -> Vec<Option<(f64, f64)>> {
            let calls = r["calls"].as_array().map_or(&[][..], Vec::as_slice);
            r[key]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .zip(calls)
                .enumerate()
                // The slot past the window holds only each thread's last call.
                .take(slots_in_window)
                .map(|(slot, (v, calls))| {
                    let v = v.as_f64().filter(|v| *v > 0.0)?;
                    (calls.as_u64()? > 0).then_some(())?;
                    #[allow(clippy::cast_precision_loss)]
                    let t = (slot as f64 + 0.5) * slot_ms / 1e3;
                    Some((t, v))
                })
                .collect()
        };
        let p99 = column("p99_ns");
        if p99.iter().all(Option::is_none) {
            return Err(format!("the refreshing {provider} run recorded no calls"));
        }
        Ok(Run {
            p99,
            max: column("max_ns"),
            new_token_s: r["new_token_ms"].as_f64().map(|ms| ms / 1e3),
        })
    };
    Ok(RefreshData {
        slot_ms,
        window_s: window_ms / 1e3,
        refresh_point_s: number("refresh_point_ms")? / 1e3,
        threads: value["threads"].as_u64().unwrap_or(0),
        ours: run("ours")?,
        go: run("go-style")?,
    })
}

/// Contiguous stretches of present points (an empty slot breaks the line).
fn stretches(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in points {
        match p {
            Some(p) => out.last_mut().map_or((), |s| s.push(*p)),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn refresh_chart(path: &Path, report: &Path, stamp: &str) -> Result<(), String> {
    let d = refresh_data(report)?;
    let values = || {
        [&d.ours.p99, &d.ours.max, &d.go.p99, &d.go.max]
            .into_iter()
            .flatten()
            .filter_map(|p| p.map(|(_, v)| v))
    };
    let lo = values().fold(f64::INFINITY, f64::min);
    let hi = values().fold(0.0, f64::max);
    let y_lo = 10f64.powf(lo.log10().floor()).max(1.0);
    let y_hi = 10f64.powf(hi.log10().ceil()).max(y_lo * 10.0);
    let x_hi = (d.window_s * 10.0).ceil() / 10.0 + 0.1;
    let token = |name: &str, t: Option<f64>| match t {
        Some(t) => format!("{name}: new token arrived at {t:.3} s"),
        None => format!("{name}: no new token in the run"),
    };
    let legend = [
        Entry {
            label: "ours: p99 per slot".into(),
            color: OURS,
            width: 3,
            dashed: false,
        },
        Entry {
            label: "Go-style (mutex held across the fetch): p99 per slot".into(),
            color: GO,
            width: 3,
            dashed: false,
        },
        Entry {
            label: "ours: max per slot".into(),
            color: light(OURS),
            width: 1,
            dashed: false,
        },
        Entry {
            label: "Go-style: max per slot".into(),
            color: light(GO),
            width: 1,
            dashed: false,
        },
        Entry {
            label: token("ours", d.ours.new_token_s),
            color: OURS,
            width: 2,
            dashed: true,
        },
        Entry {
            label: token("Go-style", d.go.new_token_s),
            color: GO,
            width: 2,
            dashed: true,
        },
        Entry {
            label: format!("refresh point ({:.1} s after the first token)", d.refresh_point_s),
            color: MARK,
            width: 1,
            dashed: false,
        },
    ];
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    let title = format!(
        "Latency through a refresh under load ({} threads, {:.0} ms slots)",
        d.threads, d.slot_ms
    );
    let plot = frame(&root, &title, &legend, stamp)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(44)
        .y_label_area_size(78)
        .build_cartesian_2d(0f64..x_hi, (y_lo..y_hi).log_scale())
        .map_err(err)?;
    let y_fmt = |v: &f64| short_ns(*v);
    let x_fmt = |v: &f64| format!("{v:.1}");
    chart
        .configure_mesh()
        .x_desc("time since the first token arrived (s)")
        .y_desc("call latency (log scale)")
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(12)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(244, 244, 244))
        .draw()
        .map_err(err)?;
    for (run, color) in [(&d.ours, OURS), (&d.go, GO)] {
        for stretch in stretches(&run.max) {
            chart
                .draw_series(LineSeries::new(stretch, light(color).stroke_width(1)))
                .map_err(err)?;
        }
    }
    for (run, color) in [(&d.ours, OURS), (&d.go, GO)] {
        for stretch in stretches(&run.p99) {
            chart
                .draw_series(LineSeries::new(stretch, color.stroke_width(2)))
                .map_err(err)?;
        }
    }
    let vertical = |t: f64| vec![(t, y_lo), (t, y_hi)];
    for (t, color) in [(d.ours.new_token_s, OURS), (d.go.new_token_s, GO)] {
        if let Some(t) = t {
            chart
                .draw_series(DashedLineSeries::new(vertical(t), 6, 4, color.stroke_width(2)))
                .map_err(err)?;
        }
    }
    // On top: a new token can arrive within a pixel or two of the refresh point.
    chart
        .draw_series(LineSeries::new(vertical(d.refresh_point_s), MARK.stroke_width(1)))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(Text::new(
            "refresh point",
            (d.refresh_point_s - 0.33, y_hi / 1.6),
            (FONT, 14).into_font().color(&MARK),
        )))
        .map_err(err)?;
    root.present().map_err(err)
}

/// A lighter shade of `c`, for a series drawn behind another.
fn light(c: RGBColor) -> RGBColor {
    let mix = |v: u8| u8::try_from((u16::from(v) + 2 * 255) / 3).unwrap_or(v);
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

// --- 2. warm-hit throughput vs threads -----------------------------------------------

const THREADS: [u32; 4] = [1, 2, 4, 8];

fn threads_data(inputs: &Inputs) -> Result<Vec<Series>, String> {
    let criterion = |side: &str| -> Vec<(f64, f64)> {
        THREADS
            .iter()
            .filter_map(|&n| {
                let ns = inputs.median_ns("warm_hit_threads", &format!("{side}/{n}"))?;
                // One measured iteration is a round of one call per thread.
                Some((f64::from(n), f64::from(n) * 1e3 / ns))
            })
            .collect()
    };
    let pool: Vec<(f64, f64)> = THREADS
        .iter()
        .filter_map(|&n| {
            let ns = inputs.pool_ns("pool", &n.to_string())?;
            // ns per call over all threads: the pool's aggregate rate.
            Some((f64::from(n), 1e3 / ns))
        })
        .collect();
    let series = vec![
        Series {
            label: "ours (learn-oauth-ureq TokenProvider)".into(),
            short: "ours (no `warm_hit_threads` medians)",
            color: OURS,
            width: 3,
            points: criterion("ours"),
        },
        Series {
            label: "Mutex<Option<AccessToken>>".into(),
            short: "`Mutex<Option>` (no medians)",
            color: MUTEX,
            width: 2,
            points: criterion("mutex"),
        },
        Series {
            label: "Go-style (one mutex, held across fetches)".into(),
            short: "Go-style (no medians)",
            color: GO,
            width: 2,
            points: criterion("go-style"),
        },
        Series {
            label: "TokenPool, 10,000 keys hit in scattered order".into(),
            short: "the pool (no `pool_threads.tsv`)",
            color: POOL,
            width: 2,
            points: pool,
        },
    ];
    if series.iter().all(|s| s.points.is_empty()) {
        return Err(
            "no `warm_hit_threads` medians under the criterion directory and no `pool_threads.tsv`".into(),
        );
    }
    Ok(series)
}

/// Draws the chart; notes which series this run lacks.
fn threads_chart(path: &Path, inputs: &Inputs, stamp: &str) -> Result<Vec<String>, String> {
    let series = threads_data(inputs)?;
    let missing: Vec<&str> = series
        .iter()
        .filter(|s| s.points.is_empty())
        .map(|s| s.short)
        .collect();
    let hi = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let cores: Option<f64> = inputs.meta("nproc").parse().ok();
    let mut legend: Vec<Entry> = series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| Entry {
            label: s.label.clone(),
            color: s.color,
            width: s.width,
            dashed: false,
        })
        .collect();
    if let Some(cores) = cores {
        legend.push(Entry {
            label: format!("the machine's cores ({cores:.0}): past it, threads share cores"),
            color: MARK,
            width: 1,
            dashed: true,
        });
    }
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    let plot = frame(
        &root,
        "Warm-hit throughput vs threads (token() on a warm cache)",
        &legend,
        stamp,
    )?;
    let y_hi = (hi * 1.15 / 5.0).ceil() * 5.0;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (0.85f64..9.4)
                .log_scale()
                .with_key_points(vec![1.0, 2.0, 4.0, 8.0]),
            0f64..y_hi.max(1.0),
        )
        .map_err(err)?;
    let x_fmt = |v: &f64| format!("{v:.0}");
    let y_fmt = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .x_desc("threads calling token() (log scale)")
        .y_desc("million calls/s, all threads together")
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(244, 244, 244))
        .draw()
        .map_err(err)?;
    if let Some(cores) = cores {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(cores, 0.0), (cores, y_hi)],
                6,
                4,
                MARK.stroke_width(1),
            ))
            .map_err(err)?;
    }
    for s in &series {
        chart
            .draw_series(LineSeries::new(s.points.clone(), s.color.stroke_width(s.width)))
            .map_err(err)?;
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, s.color.filled())))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!("(Not in this run's chart: {}.)", missing.join(", "))]
    })
}

// --- 3. the fleet --------------------------------------------------------------------

struct FleetRow {
    replicas: f64,
    shared: f64,
    without: f64,
}

fn fleet_data(report: &Path) -> Result<Vec<FleetRow>, String> {
    let text = std::fs::read_to_string(report.join("fleet.tsv"))
        .map_err(|_| "`fleet-report` wrote no `fleet.tsv` (it needs redis-server)".to_owned())?;
    let rows: Vec<FleetRow> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<f64> = line.split('\t').map(|c| c.parse().ok()).collect::<Option<_>>()?;
            let [replicas, shared, without, periods] = cols.as_slice() else {
                return None;
            };
            (*periods > 0.0).then(|| FleetRow {
                replicas: *replicas,
                shared: shared / periods,
                without: without / periods,
            })
        })
        .collect();
    if rows.is_empty() {
        return Err("`fleet.tsv` holds no rows".into());
    }
    Ok(rows)
}

fn fleet_chart(path: &Path, report: &Path, stamp: &str) -> Result<(), String> {
    let rows = fleet_data(report)?;
    let hi = rows.iter().map(|r| r.shared.max(r.without)).fold(1.0, f64::max);
    let x_hi = rows.iter().map(|r| r.replicas).fold(1.0, f64::max) * 1.25;
    let legend = [
        Entry {
            label: "with the shared store (Redis: lease, publish, adopt)".into(),
            color: OURS,
            width: 3,
            dashed: false,
        },
        Entry {
            label: "without it: every replica fetches its own".into(),
            color: GO,
            width: 2,
            dashed: false,
        },
        Entry {
            label: "one request per period: what one replica alone makes".into(),
            color: MARK,
            width: 1,
            dashed: true,
        },
    ];
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    let plot = frame(
        &root,
        "A fleet of replicas: token requests per refresh period",
        &legend,
        stamp,
    )?;
    let y_hi = (hi * 1.15 / 2.0).ceil() * 2.0;
    let mut key_points: Vec<f64> = rows.iter().map(|r| r.replicas).collect();
    key_points.dedup();
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d((0.8f64..x_hi).log_scale().with_key_points(key_points), 0f64..y_hi)
        .map_err(err)?;
    let x_fmt = |v: &f64| format!("{v:.0}");
    let y_fmt = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .x_desc("replica processes (log scale)")
        .y_desc("token requests per refresh period")
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(244, 244, 244))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(0.8, 1.0), (x_hi, 1.0)],
            6,
            4,
            MARK.stroke_width(1),
        ))
        .map_err(err)?;
    let label_style = (FONT, 14).into_font();
    for (pick, color, width, above) in [
        ((|r: &FleetRow| r.without) as fn(&FleetRow) -> f64, GO, 2, true),
        (|r: &FleetRow| r.shared, OURS, 3, false),
    ] {
        let points: Vec<(f64, f64)> = rows.iter().map(|r| (r.replicas, pick(r))).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(width)))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(err)?;
        // Each point's value beside it: above the line without the store, below with it.
        // (Upper left of the rising line's points; above the flat line's.)
        chart
            .draw_series(points.iter().filter(|p| p.0 > 1.0).map(|&(x, y)| {
                let at = if above {
                    (x / 1.3, y + y_hi * 0.06)
                } else {
                    (x * 1.03, y + y_hi * 0.06)
                };
                Text::new(format!("{y:.2}"), at, label_style.clone().color(&color))
            }))
            .map_err(err)?;
    }
    root.present().map_err(err)
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
            charts: Charts::default(),
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
