//! Where every figure of the report is read from: the report directory's TSV files and
//! criterion's medians.

use std::path::PathBuf;

/// The report directory and criterion's: where every figure is read from.
pub(crate) struct Run {
    pub(crate) dir: PathBuf,
    pub(crate) criterion: PathBuf,
}

impl Run {
    /// Column `col` (0: the first after the key) of `key`'s line in `file.tsv`.
    pub(crate) fn text(&self, file: &str, key: &str, col: usize) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join(format!("{file}.tsv"))).ok()?;
        let line = text.lines().find(|line| line.split('\t').next() == Some(key))?;
        line.split('\t').nth(col + 1).map(str::to_owned)
    }

    /// A figure: `FILE:KEY[:N]` or `crit:GROUP/ID`.
    pub(crate) fn figure(&self, name: &str) -> Option<String> {
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
    pub(crate) fn median_ns(&self, name: &str) -> Option<f64> {
        let (group, id) = name.split_once('/')?;
        // Criterion writes `a/b` function ids as `a_b`, and `BenchmarkId`s as `name/param`.
        let text = [id.replace('/', "_"), id.to_owned()].iter().find_map(|dir| {
            std::fs::read_to_string(self.criterion.join(group).join(dir).join("new/estimates.json")).ok()
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value["median"]["point_estimate"].as_f64()
    }
}
