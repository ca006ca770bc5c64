//! What every chart shares: its size, font and colours, the legend entry, and the frame
//! (title, legend below the plot, stamp).

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Every chart's size in pixels.
pub(super) const SIZE: (u32, u32) = (960, 560);
pub(super) const FONT: &str = "sans-serif";

pub(super) const OURS: RGBColor = RGBColor(31, 119, 180);
pub(super) const GO: RGBColor = RGBColor(214, 96, 17);
pub(super) const MUTEX: RGBColor = RGBColor(120, 120, 120);
pub(super) const POOL: RGBColor = RGBColor(44, 160, 44);
pub(super) const MARK: RGBColor = RGBColor(40, 40, 40);

/// A legend entry drawn below the plot (so it never covers data).
pub(super) struct Entry {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) dashed: bool,
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// The whole picture: white, a title on top, the legend and the stamp below; the
/// returned area is for the plot.
pub(super) fn frame<'a>(
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
pub(super) fn short_ns(ns: f64) -> String {
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
