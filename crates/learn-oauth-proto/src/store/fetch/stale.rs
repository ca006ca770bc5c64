//! A peer's token due for a refresh but still usable, as the stand-in for a retryable
//! failure of this request.

use std::time::Instant;

use super::StoreFetch;
use crate::error::Error;
use crate::store::StoreOutcome;
use crate::token::AccessToken;

impl StoreFetch {
    /// Whether `token`, not worth adopting, may stand in for a retryable failure: neither
    /// the token being replaced nor one the resource refused, and still usable at `now`.
    pub(super) fn usable_fallback(&self, now: Instant, token: &AccessToken) -> bool {
        let usable_until = token
            .received_at()
            .checked_add(self.refresh.usable_for(token.lifetime()));
        self.replacing.as_ref() != Some(token)
            && !self.history.is_refused(token)
            && usable_until.is_some_and(|end| now < end)
    }

    /// `result`, or the fallback in place of a retryable failure (then adopted).
    pub(super) fn or_stale(
        &mut self,
        now: Instant,
        result: Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let stale = self.fallback.take().filter(|t| self.usable_fallback(now, t));
        match (result, stale) {
            (Err(error), Some(token)) if error.is_retryable() => {
                self.outcome = StoreOutcome::Adopted;
                Ok(token)
            }
            (result, _) => result,
        }
    }
}
