//! Section 2's chart: warm-hit throughput at 1, 2, 4 and 8 threads.

use std::path::Path;

use plotters::prelude::*;

use super::frame::{Entry, FONT, GO, MARK, MUTEX, OURS, POOL, SIZE, err, frame};
use crate::inputs::Inputs;

/// One line of a chart: its legend text, colour, width and points.
struct Series {
    label: String,
    short: &'static str,
    color: RGBColor,
    width: u32,
    points: Vec<(f64, f64)>,
}

/// The thread counts measured.
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
pub(super) fn threads_chart(path: &Path, inputs: &Inputs, stamp: &str) -> Result<Vec<String>, String> {
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
