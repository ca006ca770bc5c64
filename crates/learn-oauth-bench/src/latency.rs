//! A small latency histogram: log-linear buckets (32 per power of two, so any
//! percentile is within about 3 % of the true value), an exact maximum, and merging
//! across threads. Recording is a few instructions and never allocates.

use std::time::Duration;

/// Sub-buckets per power of two.
const SUB_BITS: u32 = 5;
/// Enough buckets for any `u64` nanosecond count.
const BUCKETS: usize = log_linear_buckets::<SUB_BITS>();

/// Latencies in nanoseconds.
#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.total)
            .field("p50", &self.percentile(50.0))
            .field("max", &self.max())
            .finish()
    }
}

fn bucket(ns: u64) -> usize {
    log_linear_bucket::<SUB_BITS>(ns)
}

/// The smallest value that falls into bucket `index`.
fn lower_bound(index: usize) -> u64 {
    log_linear_lower_bound::<SUB_BITS>(index)
}

/// How many log-linear buckets of `2^BITS` per power of two cover every `u64`.
pub(crate) const fn log_linear_buckets<const BITS: u32>() -> usize {
    ((64 - BITS as usize) + 1) << BITS
}

/// The log-linear bucket (`2^BITS` per power of two) that `ns` falls into.
#[inline]
pub(crate) fn log_linear_bucket<const BITS: u32>(ns: u64) -> usize {
    let sub = 1u64 << BITS;
    if ns < sub {
        return usize::try_from(ns).unwrap_or(0);
    }
    let magnitude = 63 - ns.leading_zeros(); // >= BITS
    let shift = magnitude - BITS;
    let within = (ns >> shift) - sub; // 0..sub
    usize::try_from(u64::from(shift + 1) * sub + within).unwrap_or(log_linear_buckets::<BITS>() - 1)
}

/// The smallest value that falls into log-linear bucket `index`.
pub(crate) fn log_linear_lower_bound<const BITS: u32>(index: usize) -> u64 {
    let sub = 1u64 << BITS;
    let index = index as u64;
    if index < sub {
        return index;
    }
    let shift = index / sub - 1;
    (sub + index % sub) << shift
}

impl Histogram {
    /// An empty histogram.
    #[must_use]
    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }

    /// Records one latency.
    #[inline]
    pub fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.counts[bucket(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// How many latencies were recorded.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest latency recorded.
    #[must_use]
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max)
    }

    /// The latency below which `p` percent of the recordings fall (the lower bound of
    /// its bucket, never above the maximum).
    #[must_use]
    pub fn percentile(&self, p: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        // The rank of the wanted recording, 1-based.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let rank = ((p / 100.0 * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Duration::from_nanos(lower_bound(index).min(self.max));
            }
        }
        Duration::from_nanos(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_tight() {
        let mut last = 0;
        for ns in (0..100_000u64).chain([u64::MAX / 2, u64::MAX]) {
            let b = bucket(ns);
            assert!(b >= last && b < BUCKETS, "{ns}");
            assert!(lower_bound(b) <= ns, "{ns}");
            assert!(ns - lower_bound(b) <= ns / 32, "{ns}");
            last = b;
        }
    }

    #[test]
    fn percentiles_of_a_uniform_run() {
        let mut h = Histogram::new();
        for ns in 1..=1000u64 {
            h.record(Duration::from_nanos(ns));
        }
        assert_eq!(h.count(), 1000);
        assert_eq!(h.max(), Duration::from_nanos(1000));
        let p50 = h.percentile(50.0).as_nanos();
        assert!((485..=500).contains(&p50), "{p50}");
        let p99 = h.percentile(99.0).as_nanos();
        assert!((960..=990).contains(&p99), "{p99}");
        let mut other = Histogram::new();
        other.record(Duration::from_millis(5));
        h.merge(&other);
        assert_eq!(h.max(), Duration::from_millis(5));
    }
}
