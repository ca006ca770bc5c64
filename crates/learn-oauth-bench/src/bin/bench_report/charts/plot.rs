//! What every chart shares: a line (in the legend and on the plot), and the frame: the
//! title, the legend and the run's stamp below the plot, the axes.

use std::path::Path;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Every chart's size in pixels.
const SIZE: (u32, u32) = (960, 560);
const FONT: &str = "sans-serif";

/// One line of a chart, in its legend (when it has a label) and on the plot: each
/// stretch of points drawn unbroken, dashed or not, with a dot at each point or not.
pub(super) struct Line {
    pub(super) label: String,
    color: RGBColor,
    width: u32,
    dashed: bool,
    dots: bool,
    pub(super) stretches: Vec<Vec<(f64, f64)>>,
}

pub(super) fn line(
    label: impl Into<String>,
    (color, width): (RGBColor, u32),
    stretches: Vec<Vec<(f64, f64)>>,
) -> Line {
    let label = label.into();
    Line {
        label,
        color,
        width,
        dashed: false,
        dots: false,
        stretches,
    }
}

pub(super) fn dashed(
    label: impl Into<String>,
    (color, width): (RGBColor, u32),
    points: Vec<(f64, f64)>,
) -> Line {
    Line {
        dashed: true,
        ..line(label, (color, width), vec![points])
    }
}

pub(super) fn dotted(label: &str, (color, width): (RGBColor, u32), points: Vec<(f64, f64)>) -> Line {
    Line {
        dots: true,
        ..line(label, (color, width), vec![points])
    }
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// One chart into `path`: white, a title on top, the legend and the stamp below (so the
/// legend never covers data), then the axes (`x` and `y`, described as `desc` says), the
/// lines and the labels (text, where, colour).
#[allow(clippy::too_many_arguments)]
pub(super) fn chart<X, Y>(
    path: &Path,
    title: &str,
    stamp: &str,
    (x, y): (X, Y),
    desc: [&str; 2],
    y_label: &dyn Fn(&f64) -> String,
    lines: &[Line],
    labels: Vec<(String, (f64, f64), RGBColor)>,
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let legend: Vec<&Line> = lines.iter().filter(|l| !l.label.is_empty()).collect();
    let rows = u32::try_from(legend.len().div_ceil(2)).unwrap_or(4);
    let (area, below) = root.split_vertically(SIZE.1 - 24 * rows - 34);
    for (index, entry) in (0i32..).zip(legend) {
        let (x, y) = (70 + 440 * (index % 2), 12 + 24 * (index / 2));
        let (points, style) = (
            vec![(x, y), (x + 34, y)],
            entry.color.stroke_width(entry.width.max(2)),
        );
        if entry.dashed {
            below
                .draw(&DashedPathElement::new(points, 6, 4, style))
                .map_err(err)?;
        } else {
            below.draw(&PathElement::new(points, style)).map_err(err)?;
        }
        let text = Text::new(entry.label.clone(), (x + 44, y - 8), (FONT, 15).into_font());
        below.draw(&text).map_err(err)?;
    }
    // Right-aligned by plotters' own estimate of a character's width in an SVG.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let width = (13.0 / 1.24 / 1.24 * 0.7 * stamp.chars().count() as f64).round() as i32;
    let at = (
        948 - width,
        i32::try_from(below.dim_in_pixel().1).unwrap_or(40) - 20,
    );
    let grey = (FONT, 13).into_font().color(&RGBColor(90, 90, 90));
    below.draw(&Text::new(stamp.to_owned(), at, grey)).map_err(err)?;
    let area = area.titled(title, (FONT, 20).into_font()).map_err(err)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(44)
        .y_label_area_size(78)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    let x_label = |v: &f64| {
        if *v < 10.0 && v.fract() != 0.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(desc[0])
        .y_desc(desc[1])
        .x_label_formatter(&x_label)
        .y_label_formatter(y_label);
    mesh.x_labels(12)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15));
    mesh.light_line_style(RGBColor(244, 244, 244))
        .draw()
        .map_err(err)?;
    for line in lines {
        let style = line.color.stroke_width(line.width);
        for stretch in &line.stretches {
            if line.dashed {
                chart
                    .draw_series(DashedLineSeries::new(stretch.clone(), 6, 4, style))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(stretch.clone(), style))
                    .map_err(err)?;
            }
            if line.dots {
                let dots = stretch.iter().map(|&p| Circle::new(p, 4, line.color.filled()));
                chart.draw_series(dots).map_err(err)?;
            }
        }
    }
    let labels = labels
        .into_iter()
        .map(|(text, at, color)| Text::new(text, at, (FONT, 14).into_font().color(&color)));
    chart.draw_series(labels).map_err(err)?;
    root.present().map_err(err)
}
