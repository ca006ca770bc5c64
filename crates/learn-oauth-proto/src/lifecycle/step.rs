//! One call that tells a driver what to do next.

use std::time::Instant;

use super::machine::{FetchId, TokenLifecycle};
use crate::error::Error;
use crate::token::AccessToken;

/// What a driver's caller should do next; see [`TokenLifecycle::poll_driver`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DriverStep {
    /// Hand out `token`; if `refresh` is set, start that request in the background.
    Ready {
        /// The usable token.
        token: AccessToken,
        /// A background refresh to start, at most once.
        refresh: Option<FetchId>,
    },
    /// Give the caller this error.
    Failed(Error),
    /// Start this request and report it with [`TokenLifecycle::handle_response`].
    Fetch(FetchId),
    /// A request is in flight: wait until it is reported, then ask again.
    AwaitFetch,
    /// Nothing to do until this instant (a retry is scheduled): sleep, then ask again.
    Sleep(Instant),
}

impl TokenLifecycle {
    /// For drivers: processes deadlines, registers demand and says what to do next.
    #[must_use]
    pub fn poll_driver(&mut self, now: Instant) -> DriverStep {
        let _ = now;
        todo!()
    }
}
