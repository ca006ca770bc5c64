//! The events a [`Checker`](super::Checker) applies, and a byte decoder for fuzzers.

use std::time::Duration;

use http::StatusCode;

use crate::error::{BodyKind, ErrorDetail, ServerError, UnstructuredBody};

/// One thing that can happen to a lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A caller asks for a token (`poll_token`).
    Ask,
    /// A caller asks through `poll_driver`.
    Drive,
    /// The driver asks whether to start a request (`poll_fetch`).
    PollFetch,
    /// The newest request the driver holds is answered.
    Respond(Outcome),
    /// An answer arrives for a request already answered (a stale id).
    RespondStale(Outcome),
    /// The clock moves on; then `handle_timeout`.
    Advance(Duration),
    /// The clock moves to `poll_timeout()`, if any; then `handle_timeout`.
    JumpToTimeout,
    /// A caller passes a `now` this much earlier than the clock (`poll_token`).
    Rewind(Duration),
    /// The resource API refuses the last token handed out (`handle_invalidate`).
    Invalidate,
    /// The newest request the driver holds is abandoned (`handle_abandoned`).
    Abandon,
}

/// How a request ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A token with this lifetime, received `age` before the answer is reported.
    Token {
        /// `expires_in`.
        lifetime: Duration,
        /// How long before the report it was received.
        age: Duration,
    },
    /// A 503, with `Retry-After` if given.
    Retryable {
        /// The `Retry-After` delay.
        retry_after: Option<Duration>,
    },
    /// A transport failure (connection refused).
    Transport,
    /// A 401: bad credentials.
    NonRetryable,
}

impl Event {
    /// Decodes one event from the front of `bytes` (for fuzzers); `None` when empty.
    pub fn decode(bytes: &mut &[u8]) -> Option<Event> {
        let (&tag, rest) = bytes.split_first()?;
        *bytes = rest;
        let mut next = || {
            let (&b, rest) = bytes.split_first().unwrap_or((&0, &[]));
            *bytes = rest;
            u64::from(b)
        };
        let mut duration = || {
            let (scale, value) = (next(), next());
            match scale % 4 {
                0 => Duration::from_millis(value * 10),
                1 => Duration::from_secs(value),
                2 => Duration::from_secs(value * 60),
                _ => Duration::MAX / (value as u32 + 1),
            }
        };
        Some(match tag % 12 {
            0 | 1 => Event::Ask,
            2 => Event::Drive,
            3 | 4 => Event::PollFetch,
            5 => Event::Respond(Outcome::Token {
                lifetime: duration(),
                age: duration(),
            }),
            6 => Event::Respond(Outcome::Retryable {
                retry_after: Some(duration()).filter(|d| d.as_nanos() % 2 == 0),
            }),
            7 => Event::Respond(if tag & 0x80 == 0 {
                Outcome::Transport
            } else {
                Outcome::NonRetryable
            }),
            8 => {
                if tag & 0x80 == 0 {
                    Event::RespondStale(Outcome::Transport)
                } else {
                    Event::Abandon
                }
            }
            9 => Event::Advance(duration()),
            10 => {
                if tag & 0x80 == 0 {
                    Event::JumpToTimeout
                } else {
                    Event::Invalidate
                }
            }
            _ => Event::Rewind(duration()),
        })
    }
}

/// An error answer with an empty body.
pub(super) fn server_error(status: StatusCode) -> ServerError {
    ServerError::new(
        status,
        ErrorDetail::Unstructured(UnstructuredBody {
            kind: BodyKind::Empty,
            content_type: None,
            excerpt: None,
        }),
    )
}
