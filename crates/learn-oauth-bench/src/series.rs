//! Latency over time: a run cut into fixed slots (10 ms in the refresh bench), each with
//! its call count, its maximum and a coarse log-linear histogram (8 buckets per power of
//! two, so a slot's percentiles are within about 12 % of the true value). Every slot is
//! allocated up front: recording never allocates, and a run longer than the slots
//! counts its tail in the last one.

use std::time::{Duration, Instant};

use crate::latency::{log_linear_bucket, log_linear_buckets, log_linear_lower_bound};

/// Sub-buckets per power of two, as a power of two.
const BITS: u32 = 3;
/// Buckets per slot.
const BUCKETS: usize = log_linear_buckets::<BITS>();

/// One slot's latencies.
#[derive(Clone)]
struct Slot {
    counts: [u32; BUCKETS],
    total: u64,
    max: u64,
}

impl Slot {
    const EMPTY: Slot = Slot {
        counts: [0; BUCKETS],
        total: 0,
        max: 0,
    };
}

/// Latencies of calls by the slot in which they ended, from `origin` on.
#[derive(Clone)]
pub struct TimeSeries {
    origin: Instant,
    slot: Duration,
    slots: Vec<Slot>,
    /// The slot the last call ended in, and when it ends (a comparison per call, not a
    /// division).
    current: usize,
    current_end: Instant,
}

impl std::fmt::Debug for TimeSeries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeSeries")
            .field("slot", &self.slot)
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl TimeSeries {
    /// `count` empty slots of `slot` each, the first starting at `origin`.
    ///
    /// # Panics
    ///
    /// When `slot` is zero or `count` is zero.
    #[must_use]
    pub fn new(origin: Instant, slot: Duration, count: usize) -> Self {
        assert!(!slot.is_zero() && count > 0, "a time series needs slots");
        Self {
            origin,
            slot,
            slots: vec![Slot::EMPTY; count],
            current: 0,
            current_end: origin + slot,
        }
    }

    /// Records the latency of a call that ended at `end`.
    #[inline]
    pub fn record(&mut self, end: Instant, latency: Duration) {
        if end >= self.current_end {
            self.advance(end);
        }
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        let slot = &mut self.slots[self.current];
        slot.counts[log_linear_bucket::<BITS>(ns)] += 1;
        slot.total += 1;
        slot.max = slot.max.max(ns);
    }

    #[cold]
    fn advance(&mut self, end: Instant) {
        let since = end.saturating_duration_since(self.origin);
        let index = since.as_nanos() / self.slot.as_nanos();
        let last = self.slots.len() - 1;
        self.current = usize::try_from(index).map_or(last, |i| i.min(last));
        self.current_end = if self.current == last {
            end + Duration::from_secs(3600)
        } else {
            self.origin + self.slot * u32::try_from(self.current + 1).unwrap_or(u32::MAX)
        };
    }

    /// Adds another series' slots (same origin and slot length).
    ///
    /// # Panics
    ///
    /// When the two series are not cut the same way.
    pub fn merge(&mut self, other: &TimeSeries) {
        assert!(
            self.origin == other.origin && self.slot == other.slot && self.slots.len() == other.slots.len(),
            "merging differently cut time series"
        );
        for (a, b) in self.slots.iter_mut().zip(&other.slots) {
            for (x, y) in a.counts.iter_mut().zip(&b.counts) {
                *x += y;
            }
            a.total += b.total;
            a.max = a.max.max(b.max);
        }
    }

    /// The slot length.
    #[must_use]
    pub fn slot(&self) -> Duration {
        self.slot
    }

    /// Per slot: calls, the latency below which `p` percent of them fall (the lower
    /// bound of its bucket, never above the maximum), and the maximum.
    #[must_use]
    pub fn summary(&self, p: f64) -> Vec<SlotSummary> {
        self.slots
            .iter()
            .map(|s| SlotSummary {
                calls: s.total,
                percentile: Duration::from_nanos(percentile(s, p)),
                max: Duration::from_nanos(s.max),
            })
            .collect()
    }

    /// How many calls the slots hold in all.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.slots.iter().map(|s| s.total).sum()
    }
}

/// One slot, summed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotSummary {
    /// Calls that ended in the slot.
    pub calls: u64,
    /// The asked-for percentile (zero when the slot is empty).
    pub percentile: Duration,
    /// The longest call that ended in the slot (zero when empty).
    pub max: Duration,
}

fn percentile(slot: &Slot, p: f64) -> u64 {
    if slot.total == 0 {
        return 0;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = ((p / 100.0 * slot.total as f64).ceil() as u64).clamp(1, slot.total);
    let mut seen = 0;
    for (index, count) in slot.counts.iter().enumerate() {
        seen += u64::from(*count);
        if seen >= rank {
            return log_linear_lower_bound::<BITS>(index).min(slot.max);
        }
    }
    slot.max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_land_in_the_slot_they_ended_in() {
        let origin = Instant::now();
        let ms = Duration::from_millis;
        let mut series = TimeSeries::new(origin, ms(10), 4);
        series.record(origin + ms(1), Duration::from_nanos(100));
        series.record(origin + ms(9), Duration::from_nanos(300));
        series.record(origin + ms(25), ms(2));
        // Past the last slot: counted in the last.
        series.record(origin + ms(500), Duration::from_nanos(50));
        let s = series.summary(50.0);
        assert_eq!(s.iter().map(|s| s.calls).collect::<Vec<_>>(), [2, 0, 1, 1]);
        assert_eq!(s[0].max, Duration::from_nanos(300));
        assert!((88..=100).contains(&s[0].percentile.as_nanos()), "{:?}", s[0]);
        assert_eq!(s[1].max, Duration::ZERO);
        assert_eq!(s[2].max, ms(2));
        assert_eq!(series.count(), 4);
        // The longest latency there is still has a bucket.
        series.record(origin + ms(35), Duration::MAX);
        assert_eq!(series.summary(100.0)[3].max, Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn merged_slots_add_up() {
        let origin = Instant::now();
        let slot = Duration::from_millis(10);
        let mut a = TimeSeries::new(origin, slot, 2);
        let mut b = a.clone();
        for ns in 1..=99u64 {
            a.record(origin, Duration::from_nanos(1000));
            b.record(origin, Duration::from_nanos(ns));
        }
        b.record(origin, Duration::from_micros(80));
        a.merge(&b);
        let s = a.summary(99.0);
        assert_eq!(s[0].calls, 199);
        assert_eq!(s[0].max, Duration::from_micros(80));
        // 99 % of 199 calls is rank 198: one of the 1,000 ns calls, within 12.5 %.
        assert!((875..=1000).contains(&s[0].percentile.as_nanos()), "{:?}", s[0]);
    }
}
