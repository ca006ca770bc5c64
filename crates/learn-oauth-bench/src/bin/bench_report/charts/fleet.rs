//! Section 2d's chart: token requests per refresh period vs fleet size.

use std::path::Path;

use plotters::prelude::*;

use super::frame::{Entry, FONT, GO, MARK, OURS, SIZE, err, frame};

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

pub(super) fn fleet_chart(path: &Path, report: &Path, stamp: &str) -> Result<(), String> {
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
