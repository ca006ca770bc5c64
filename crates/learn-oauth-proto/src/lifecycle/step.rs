//! One call that tells a driver's caller what to do next.

use std::time::Instant;

use super::machine::TokenLifecycle;
use super::poll::{FetchId, TokenPoll};
use super::snapshot::far_future;
use crate::error::Error;
use crate::token::AccessToken;

/// What a driver's caller should do next; see [`TokenLifecycle::poll_driver`].
#[derive(Debug, Clone)]
pub enum DriverStep {
    /// Hand out `token`. If `refresh` is set, start that request in the background and
    /// report it with [`TokenLifecycle::handle_response`]; the caller need not wait.
    Ready {
        /// The usable token.
        token: AccessToken,
        /// A background refresh to start (given out once).
        refresh: Option<FetchId>,
    },
    /// Give the caller this error: a non-retryable failure, or retries that ran out.
    Failed(Error),
    /// No usable token: start this request, report it with
    /// [`TokenLifecycle::handle_response`], then ask again.
    Fetch(FetchId),
    /// A request is in flight: wait until it is reported or until this instant (the
    /// machine's next deadline — at the latest the request's `request_timeout`, after
    /// which an unreported request counts as timed out — or the end of the caller's own
    /// wait, whichever is first), whichever comes first, then ask again.
    AwaitFetch(Instant),
    /// A retry or the end of a cool-down is scheduled: sleep until this instant (the
    /// machine's next deadline or the end of the caller's own wait, whichever is first),
    /// or until a request is reported, then ask again.
    Sleep(Instant),
}

impl TokenLifecycle {
    /// For drivers: [`poll_token`](Self::poll_token) and [`poll_fetch`](Self::poll_fetch)
    /// in one call, answering what a caller that began waiting at `since` should do
    /// next (`since` is `now` on its first ask, and the same on every later ask of one
    /// call). Deadlines at or before `now` are processed first. A caller is never told
    /// to wait past its [`wait_deadline`](Self::wait_deadline); asking at or after it
    /// answers a token or [`Failed`](DriverStep::Failed).
    #[must_use]
    pub fn poll_driver(&mut self, now: Instant, since: Instant) -> DriverStep {
        match self.poll_token(now, since) {
            TokenPoll::Ready(token) => DriverStep::Ready {
                token,
                refresh: self.poll_fetch(now),
            },
            TokenPoll::Failed(error) => DriverStep::Failed(error),
            TokenPoll::Pending => {
                if let Some(fetch) = self.poll_fetch(now) {
                    DriverStep::Fetch(fetch)
                } else {
                    // In flight: its timeout is a deadline. Otherwise a retry or a
                    // cool-down's end is scheduled and its instant is the next deadline.
                    // The caller's own wait ends no later. (A deadline beyond
                    // representable time means waiting "forever".) Both are after `now`:
                    // `Pending` means the caller's wait has not ended.
                    let now = self.latest().unwrap_or(now);
                    let until = [self.poll_timeout(), self.wait_deadline(since)]
                        .into_iter()
                        .flatten()
                        .min()
                        .unwrap_or_else(|| far_future(now));
                    if self.in_flight().is_some() {
                        DriverStep::AwaitFetch(until)
                    } else {
                        DriverStep::Sleep(until)
                    }
                }
            }
        }
    }
}
