//! What the outputs hand out: a request to make ([`FetchId`]) and a caller's answer
//! ([`TokenPoll`]).

use crate::error::Error;
use crate::token::AccessToken;

/// Identifies one token request handed out by [`TokenLifecycle::poll_fetch`](crate::TokenLifecycle::poll_fetch); report its
/// result with the same id to [`TokenLifecycle::handle_response`](crate::TokenLifecycle::handle_response).
///
/// Ids are unique within one machine, so a late answer to a request that was given up on
/// is recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FetchId(pub(super) u64);

/// What a caller asking for a token gets from [`TokenLifecycle::poll_token`](crate::TokenLifecycle::poll_token).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TokenPoll {
    /// A token usable now: hand it out.
    Ready(AccessToken),
    /// No usable token yet: a request is in flight or scheduled. Wait for the driver to
    /// report a response (or for [`TokenLifecycle::poll_timeout`](crate::TokenLifecycle::poll_timeout)) and ask again.
    Pending,
    /// No usable token, and the machine has given up for now — a non-retryable failure,
    /// or a round of retries that ran out of attempts or time: every call gets this
    /// until the hold-off or the next retry time has passed — or this caller's own wait
    /// ([`RefreshPolicy::max_wait`](crate::RefreshPolicy::max_wait) after it began) has ended.
    Failed(Error),
}
