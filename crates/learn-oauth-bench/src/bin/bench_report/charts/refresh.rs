//! Section 3's chart: p99 and maximum latency per slot through the refreshing runs.

use std::path::Path;

use plotters::prelude::*;

use super::frame::{Entry, FONT, GO, MARK, OURS, SIZE, err, frame, short_ns};
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
pub(super) fn stretches(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
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

pub(super) fn refresh_chart(path: &Path, report: &Path, stamp: &str) -> Result<(), String> {
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
