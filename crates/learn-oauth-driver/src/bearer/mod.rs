//! The bearer-token rules for sending requests to a protected resource, written once for
//! the reqwest middleware, the tower layer, the ureq helper and your own client, in both
//! flavours: [`BearerAttempt`] over an async [`TokenSource`](crate::TokenSource),
//! [`BlockingBearerAttempt`] over a [`BlockingTokenSource`](crate::BlockingTokenSource).
//! Both are thin shells over one state machine that takes no token source and does no
//! I/O, so the two cannot drift apart:
//!
//! ```text
//!  request has its own Authorization ──> sent as it is, never retried
//!  otherwise:
//!   wanting ──token──> attached ──send──> response
//!                                           │ 2xx, 403, other 4xx/5xx,
//!                                           │ 401 insufficient_scope ───────> the answer
//!                                           │ 401 (plain or invalid_token):
//!                                           │   invalidate the token, then
//!                                           │   ├ cannot be replayed ───────> the answer
//!                                           │   └ replayable: wanting ──token──> attached
//!                                           │         ──send──> response ─────> the answer
//! ```
//!
//! A shell's loop, in either flavour (`.await` the source calls in the async one):
//! [`begin`](BlockingBearerAttempt::begin); then for each send, take a copy for replay
//! while [`may_retry`](BlockingBearerAttempt::may_retry) holds,
//! [`authorize`](BlockingBearerAttempt::authorize) the headers, send, and hand the answer
//! to [`retry`](BlockingBearerAttempt::retry): `true` means send the copy.

mod asynchronous;
mod blocking;
mod rule;

pub use asynchronous::BearerAttempt;
pub use blocking::BlockingBearerAttempt;
