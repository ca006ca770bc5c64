//! Seeded jitter (a SplitMix64 generator; the core draws no random numbers of its own)
//! and capped exponential backoff.

use std::time::Duration;

use super::policy::{MIN_DELAY, RefreshPolicy, fraction, scale};

/// A small deterministic generator: the same seed gives the same jitter, so tests and
/// fuzzing replay exactly.
#[derive(Debug, Clone)]
pub(super) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(super) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next value of SplitMix64.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform value in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        // 53 random bits: every value is exactly representable and below 1.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The delay before the next attempt after `failures` consecutive failures (1 for the
/// first): `min(initial * 2^(failures-1), max) * (1 - jitter * unit)`, at least
/// [`MIN_DELAY`].
pub(super) fn backoff(policy: &RefreshPolicy, failures: u32, unit: f64) -> Duration {
    let exponent = failures.saturating_sub(1);
    let capped = 2u32
        .checked_pow(exponent)
        .and_then(|factor| policy.initial_backoff.checked_mul(factor))
        .map_or(policy.max_backoff, |delay| delay.min(policy.max_backoff));
    let cut = scale(capped, fraction(policy.backoff_jitter) * unit);
    capped.saturating_sub(cut).max(MIN_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Jitter::new(7);
        let mut b = Jitter::new(7);
        for _ in 0..100 {
            let x = a.unit();
            assert_eq!(x.to_bits(), b.unit().to_bits());
            assert!((0.0..1.0).contains(&x));
        }
        assert_ne!(Jitter::new(1).unit().to_bits(), Jitter::new(2).unit().to_bits());
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let policy = RefreshPolicy {
            backoff_jitter: 0.0,
            ..RefreshPolicy::default()
        };
        let delays: Vec<_> = (1..=9).map(|n| backoff(&policy, n, 0.9)).collect();
        let ms = |m| Duration::from_millis(m);
        assert_eq!(
            delays,
            [
                ms(250),
                ms(500),
                ms(1000),
                ms(2000),
                ms(4000),
                ms(8000),
                ms(16000),
                ms(30000),
                ms(30000)
            ]
        );
        assert_eq!(backoff(&policy, u32::MAX, 0.5), Duration::from_secs(30));
    }

    #[test]
    fn backoff_jitter_shortens_by_up_to_the_fraction() {
        let policy = RefreshPolicy::default();
        assert_eq!(backoff(&policy, 1, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(&policy, 1, 0.5), Duration::from_micros(187_500));
        assert!(backoff(&policy, 1, 0.999_999) > Duration::from_millis(125));
    }

    #[test]
    fn zero_backoff_is_one_millisecond() {
        let policy = RefreshPolicy {
            initial_backoff: Duration::ZERO,
            ..RefreshPolicy::default()
        };
        assert_eq!(backoff(&policy, 3, 0.3), MIN_DELAY);
    }
}
