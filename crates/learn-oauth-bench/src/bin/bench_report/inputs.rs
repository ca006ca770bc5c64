//! What one run measured besides criterion, and criterion's medians: [`Inputs`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything the report is written from.
pub(crate) struct Inputs {
    pub(crate) meta: BTreeMap<String, Vec<String>>,
    pub(crate) callgrind: BTreeMap<String, Vec<String>>,
    pub(crate) warm_callgrind: BTreeMap<String, Vec<String>>,
    pub(crate) auth_callgrind: BTreeMap<String, Vec<String>>,
    pub(crate) pool_callgrind: BTreeMap<String, Vec<String>>,
    /// `side threads ns_per_call` lines.
    pub(crate) pool_threads: String,
    /// The fleet table, as `fleet-report` printed it.
    pub(crate) fleet: String,
    pub(crate) pool_footprint: BTreeMap<String, Vec<String>>,
    pub(crate) footprint: BTreeMap<String, Vec<String>>,
    pub(crate) refresh: Option<serde_json::Value>,
    pub(crate) criterion: PathBuf,
}

/// A tab-separated file as first column -> the other columns.
pub(crate) fn tsv(path: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t').map(str::to_owned);
            let key = cols.next()?;
            Some((key, cols.collect()))
        })
        .collect()
}

impl Inputs {
    pub(crate) fn meta(&self, key: &str) -> String {
        self.meta
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_else(|| "n/a".into())
    }

    pub(crate) fn instructions(&self, side: &str) -> Option<f64> {
        self.callgrind.get(side)?.first()?.parse().ok()
    }

    pub(crate) fn warm_instructions(&self, side: &str) -> Option<f64> {
        self.warm_callgrind.get(side)?.first()?.parse().ok()
    }

    pub(crate) fn auth_instructions(&self, side: &str) -> Option<f64> {
        self.auth_callgrind.get(side)?.first()?.parse().ok()
    }

    pub(crate) fn pool_instructions(&self, side: &str) -> Option<f64> {
        self.pool_callgrind.get(side)?.first()?.parse().ok()
    }

    /// Nanoseconds per warm hit of `side` at `threads` threads.
    pub(crate) fn pool_ns(&self, side: &str, threads: &str) -> Option<f64> {
        self.pool_threads.lines().find_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.first() == Some(&side) && cols.get(1) == Some(&threads))
                .then(|| cols.get(2)?.parse().ok())?
        })
    }

    /// Criterion's median time of `group/id`, in nanoseconds.
    pub(crate) fn median_ns(&self, group: &str, id: &str) -> Option<f64> {
        // Criterion writes `a/b` function ids as `a_b`, and `BenchmarkId`s as `name/param`.
        let text = [id.replace('/', "_"), id.to_owned()].iter().find_map(|dir| {
            let path = self.criterion.join(group).join(dir).join("new/estimates.json");
            std::fs::read_to_string(path).ok()
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value["median"]["point_estimate"].as_f64()
    }

    pub(crate) fn footprint(&self, name: &str) -> (Option<f64>, Option<f64>) {
        let cols = self.footprint.get(name);
        let col = |i: usize| cols.and_then(|c| c.get(i)).and_then(|v| v.parse().ok());
        (col(0), col(1))
    }
}
