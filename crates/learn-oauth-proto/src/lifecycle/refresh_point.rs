//! Where a token's usable time ends and its refresh becomes due, as offsets from its
//! receipt: the same numbers the lifecycle schedules, for code that keeps a token outside
//! a [`TokenLifecycle`](super::TokenLifecycle) (a cache on disk shared by short-lived
//! processes, say) and converts the offsets to its own clock.

use std::time::Duration;

use super::policy::{RefreshPolicy, fraction, scale};

impl RefreshPolicy {
    /// How long after it was received a token of `lifetime` is handed out: its lifetime
    /// less the safety margin (at most a quarter of the lifetime). Zero means never.
    #[must_use]
    pub fn usable_for(&self, lifetime: Duration) -> Duration {
        lifetime.saturating_sub(self.margin_for(lifetime))
    }

    /// How long after it was received a token of `lifetime` is due for a refresh: its
    /// lifetime less the refresh-ahead window, moved earlier by `jitter_unit` (in
    /// `0.0..1.0`, clamped; NaN as 0) times the policy's `refresh_jitter` share of that
    /// window. `jitter_unit` 0 gives the latest refresh point; the lifecycle draws it
    /// from its seed. Always at most [`usable_for`](Self::usable_for).
    #[must_use]
    pub fn refresh_after(&self, lifetime: Duration, jitter_unit: f64) -> Duration {
        let ahead = self.ahead_for(lifetime);
        let jitter = scale(ahead, self.refresh_jitter * fraction(jitter_unit));
        lifetime
            .saturating_sub(ahead)
            .saturating_sub(jitter)
            .min(self.usable_for(lifetime))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // a real Instant as the origin; nothing waits

    use std::time::Instant;

    use super::*;
    use crate::lifecycle::{TokenLifecycle, TokenPoll};
    use crate::{AccessToken, Scopes};

    /// The refresh point the lifecycle itself schedules for a token of `lifetime` under
    /// `policy` (no jitter), as an offset from the token's receipt.
    fn scheduled_refresh(policy: RefreshPolicy, lifetime: Duration) -> Duration {
        let t0 = Instant::now();
        let mut lifecycle = TokenLifecycle::new(policy, 1);
        assert!(matches!(lifecycle.poll_token(t0, t0), TokenPoll::Pending));
        let fetch = lifecycle.poll_fetch(t0).expect("a fetch for the waiting caller");
        let token = AccessToken::new("t".into(), Scopes::new(), t0, lifetime).expect("valid");
        let _ = lifecycle.handle_response(t0, fetch, Ok(token));
        lifecycle.poll_timeout().expect("a refresh point") - t0
    }

    #[test]
    fn the_refresh_point_is_the_one_the_lifecycle_schedules() {
        let policy = RefreshPolicy {
            refresh_jitter: 0.0,
            ..RefreshPolicy::default()
        };
        for secs in [8, 60, 120, 600, 3600, 86_400] {
            let lifetime = Duration::from_secs(secs);
            assert_eq!(
                policy.refresh_after(lifetime, 0.0),
                scheduled_refresh(policy.clone(), lifetime),
                "lifetime {secs} s"
            );
        }
    }

    #[test]
    fn defaults_refresh_five_minutes_ahead_and_hand_out_until_ten_seconds_before_expiry() {
        let policy = RefreshPolicy::default();
        let hour = Duration::from_secs(3600);
        assert_eq!(policy.refresh_after(hour, 0.0), Duration::from_secs(3300));
        assert_eq!(policy.usable_for(hour), Duration::from_secs(3590));
        // Jitter moves the point earlier by up to a fifth of the window (60 s).
        assert_eq!(policy.refresh_after(hour, 1.0), Duration::from_secs(3240));
        assert_eq!(policy.refresh_after(hour, f64::NAN), Duration::from_secs(3300));
    }

    #[test]
    fn a_zero_lifetime_is_never_usable_nor_refreshed_later_than_receipt() {
        let policy = RefreshPolicy::default();
        assert_eq!(policy.usable_for(Duration::ZERO), Duration::ZERO);
        assert_eq!(policy.refresh_after(Duration::ZERO, 0.5), Duration::ZERO);
        let max = Duration::MAX;
        assert!(policy.refresh_after(max, 0.0) <= policy.usable_for(max));
    }
}
