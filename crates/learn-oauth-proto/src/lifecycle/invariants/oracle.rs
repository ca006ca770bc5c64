//! The policy's promises, computed here independently of the machine's own code.

use std::time::{Duration, Instant};

use crate::lifecycle::policy::RefreshPolicy;
use crate::token::AccessToken;

/// The end of `token`'s usable time by the policy; `None` when beyond representable
/// time.
pub fn usable_until(policy: &RefreshPolicy, token: &AccessToken) -> Option<Instant> {
    let lifetime = token.lifetime();
    let margin = policy.safety_margin.min(lifetime / 4);
    token.received_at().checked_add(lifetime - margin)
}

/// When the cool-down after invalidating `token` ends: `invalidate_cooldown` after it
/// was received, at most an hour and at most half its lifetime.
pub(super) fn cooldown_end(policy: &RefreshPolicy, token: &AccessToken) -> Option<Instant> {
    let cooldown = policy
        .invalidate_cooldown
        .min(Duration::from_secs(3600))
        .min(token.lifetime() / 2);
    token.received_at().checked_add(cooldown)
}
