//! Writes `BENCHMARKS.md` from one run of `scripts/bench-report.sh`: fills the template
//! (`benchmarks/report.md.in`) with the run's figures.
//!
//! ```text
//! bench_report <template> <report-dir> <criterion-dir> <output.md>
//! ```
//!
//! A placeholder is `{{FORMAT EXPR}}`. `EXPR` is one operand or `A OP B` (`OP` one of
//! `+ - * /`); an operand is a number or a figure:
//!
//! - `FILE:KEY` is the second column of the line of `<report-dir>/FILE.tsv` whose first
//!   column is `KEY`; `FILE:KEY:N` its column `N + 1` (columns are tab-separated);
//! - `crit:GROUP/ID` is criterion's median time of that benchmark, in nanoseconds.
//!
//! Formats: `n` (a whole number, thousands separated), `f1` (one decimal), `ns` (a time
//! given in nanoseconds), `s` (whole seconds), `B` and `kB` (bytes, kilobytes), `x` (a
//! ratio, two decimals), `met:LIMIT` ("met" or how far the figure is above `LIMIT`
//! bytes), `text` (the figure as written). `{{file NAME}}` is a file of the report
//! directory as it is, and `{{chart NAME ALT}}` the image link of `benchmarks/NAME` if
//! `charts.tsv` says the script drew it this run, else why not. A figure the run did not
//! produce shows as `n/a`, never guessed.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

/// The report directory and criterion's: where every figure is read from.
struct Run {
    dir: PathBuf,
    criterion: PathBuf,
}

impl Run {
    /// Column `col` (0: the first after the key) of `key`'s line in `file.tsv`.
    fn text(&self, file: &str, key: &str, col: usize) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join(format!("{file}.tsv"))).ok()?;
        let line = text.lines().find(|line| line.split('\t').next() == Some(key))?;
        line.split('\t').nth(col + 1).map(str::to_owned)
    }

    /// A figure: `FILE:KEY[:N]` or `crit:GROUP/ID`.
    fn figure(&self, name: &str) -> Option<String> {
        let (file, key) = name.split_once(':')?;
        if file == "crit" {
            return self.median_ns(key).map(|ns| ns.to_string());
        }
        match key.rsplit_once(':') {
            Some((key, n)) => self.text(file, key, n.parse::<usize>().ok()?.checked_sub(1)?),
            None => self.text(file, key, 0),
        }
    }

    /// Criterion's median time of `group/id`, in nanoseconds.
    fn median_ns(&self, name: &str) -> Option<f64> {
        let (group, id) = name.split_once('/')?;
        // Criterion writes `a/b` function ids as `a_b`, and `BenchmarkId`s as `name/param`.
        let text = [id.replace('/', "_"), id.to_owned()].iter().find_map(|dir| {
            std::fs::read_to_string(self.criterion.join(group).join(dir).join("new/estimates.json")).ok()
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value["median"]["point_estimate"].as_f64()
    }

    fn number(&self, operand: &str) -> Option<f64> {
        operand
            .parse()
            .ok()
            .or_else(|| self.figure(operand)?.trim().parse().ok())
    }

    /// `A`, or `A OP B`.
    fn eval(&self, expr: &[&str]) -> Option<f64> {
        let value = match expr {
            [a] => self.number(a)?,
            [a, op, b] => {
                let (a, b) = (self.number(a)?, self.number(b)?);
                match *op {
                    "+" => a + b,
                    "-" => a - b,
                    "*" => a * b,
                    "/" => a / b,
                    _ => return None,
                }
            }
            _ => return None,
        };
        value.is_finite().then_some(value)
    }

    /// One placeholder's text.
    fn fill(&self, placeholder: &str) -> String {
        let words: Vec<&str> = placeholder.split_whitespace().collect();
        let (format, expr) = words.split_first().map_or(("", &[][..]), |(f, e)| (*f, e));
        let na = || "n/a".to_owned();
        match format {
            "text" => expr.first().and_then(|name| self.figure(name)).unwrap_or_else(na),
            "file" => expr
                .first()
                .and_then(|name| std::fs::read_to_string(self.dir.join(name)).ok())
                .map_or_else(
                    || "n/a (not measured in this run)\n".to_owned(),
                    |text| text.trim_end().to_owned(),
                ),
            "chart" => {
                let name = expr.first().copied().unwrap_or_default();
                match self.text("charts", name, 0).as_deref() {
                    Some("drawn") => format!(
                        "![{}](benchmarks/{name})",
                        expr.get(1..).unwrap_or_default().join(" ")
                    ),
                    why => format!(
                        "_Chart not drawn in this run: {}._",
                        why.unwrap_or("no chart step")
                    ),
                }
            }
            _ => self.eval(expr).map_or_else(na, |v| formatted(format, v)),
        }
    }
}

/// `v` in `format`.
fn formatted(format: &str, v: f64) -> String {
    match format {
        "n" => thousands(v),
        "f1" => format!("{v:.1}"),
        "s" => format!("{v:.0} s"),
        "B" => format!("{} B", thousands(v)),
        "kB" => format!("{} kB", thousands(v)),
        "x" => format!("{v:.2}×"),
        "ns" if v >= 1e6 => format!("{:.2} ms", v / 1e6),
        "ns" if v >= 1e3 => format!("{:.1} µs", v / 1e3),
        "ns" => format!("{v:.1} ns"),
        _ => match format
            .strip_prefix("met:")
            .and_then(|limit| limit.parse::<f64>().ok())
        {
            Some(limit) if v <= limit => "met".to_owned(),
            Some(limit) => format!("over by {} B", thousands(v - limit)),
            None => format!("(unknown format {format})"),
        },
    }
}

/// A whole number with thousands separated by commas.
fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::from(if v <= -0.5 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `template` with every `{{...}}` filled.
fn render(template: &str, run: &Run) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&run.fill(&rest[start + 2..start + len]));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [template, dir, criterion, output] = args.as_slice() else {
        eprintln!("usage: bench_report <template> <report-dir> <criterion-dir> <output.md>");
        return ExitCode::from(2);
    };
    let run = Run {
        dir: dir.clone(),
        criterion: criterion.clone(),
    };
    let written = std::fs::read_to_string(template)
        .and_then(|template| std::fs::write(output, render(&template, &run)));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_report: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_figures_from_the_report_directory() {
        let dir = std::env::temp_dir().join(format!("bench-report-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("criterion/exchange/ours/new")).unwrap();
        std::fs::write(dir.join("callgrind.tsv"), "ours\t6480\noauth2\t23413\n").unwrap();
        std::fs::write(dir.join("memory.tsv"), "provider/ours-ureq\t70000\t20289\n").unwrap();
        std::fs::write(dir.join("charts.tsv"), "a.svg\tdrawn\nb.svg\tno data\n").unwrap();
        let estimates = r#"{"median":{"point_estimate":640.7}}"#;
        std::fs::write(dir.join("criterion/exchange/ours/new/estimates.json"), estimates).unwrap();
        let run = Run {
            dir: dir.clone(),
            criterion: dir.join("criterion"),
        };
        let template = "{{n callgrind:ours}} {{x callgrind:oauth2 / callgrind:ours}} {{ns crit:exchange/ours}} \
                        {{n 1e9 / crit:exchange/ours}} {{B memory:provider/ours-ureq:2}} \
                        {{met:64000 memory:provider/ours-ureq}} {{n callgrind:floor}} {{x callgrind:ours / 0}} \
                        {{chart a.svg A b}} {{chart b.svg B}} {{chart c.svg C}}";
        let md = render(template, &run);
        assert_eq!(
            md,
            "6,480 3.61× 640.7 ns 1,560,793 20,289 B over by 6,000 B n/a n/a ![A b](benchmarks/a.svg) \
             _Chart not drawn in this run: no data._ _Chart not drawn in this run: no chart step._"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
