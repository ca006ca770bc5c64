//! The token lifecycle: a sans-IO state machine that decides when to fetch a token, when
//! to refresh it ahead of expiry, how to back off and when to give up — with at most one
//! request in flight.
//!
//! [`TokenLifecycle`] never reads a clock and never performs I/O. Like `quinn-proto`, it
//! has inputs (`handle_*`, each taking `now`), outputs (`poll_*`) and getters; a driver
//! (the `learn-oauth-reqwest` and `learn-oauth-ureq` providers, or your own) does the I/O
//! and sleeps until [`TokenLifecycle::poll_timeout`].
//!
//! # States
//!
//! ```text
//!                     poll_token                        token
//!      +--------+      (demand)      +-----------+      arrives      +---------+
//!      |  Cold  | -----------------> |  Waiting  | ----------------> |  Fresh  |
//!      +--------+                    +-----------+                   +---------+
//!        ^    ^                       |  ^     |                       |     ^
//!        |    |      retryable error, |  |     | non-retryable error,  |     |
//!        |    |      round has budget +--+     | or round out of       |     |
//!        |    |      (back off, retry)         | attempts or time      |     |
//!        |    |                                v                       |     |
//!        |    |   hold-off or retry     +----------+    refresh point  |     | token
//!        |    +------------------------ |  Failed  |                   v     | arrives
//!        |        time passes           +----------+            +------------+
//!        |                                                      | Refreshing |
//!        +------ usable time ends, or invalidated (401) ------- +------------+
//!                (from Fresh or Refreshing)                     on failure: keep serving,
//!                                                               back off or hold off
//! ```
//!
//! - **Cold → Waiting.** The first [`poll_token`](TokenLifecycle::poll_token) registers
//!   demand and answers [`TokenPoll::Pending`]; [`poll_fetch`](TokenLifecycle::poll_fetch)
//!   then hands out one [`FetchId`]. Without demand the machine never fetches.
//! - **Fresh.** A token is handed out until `expires_at − safety_margin` (the margin
//!   capped at a quarter of its lifetime). Callers never get `Pending` while a usable
//!   token exists.
//! - **Refreshing.** From the refresh point — `received_at + lifetime − min(refresh_ahead,
//!   lifetime/2)`, moved earlier by a seeded random share of that window — `poll_token`
//!   keeps answering `Ready(old token)` and `poll_fetch` yields one background refresh.
//!   If it fails, the old token is still served until its usable time ends
//!   (stale-while-revalidate); a retryable failure is retried after capped exponential
//!   backoff (or `Retry-After`, if later, capped by `max_retry_after`), a non-retryable
//!   one holds off new requests for `failure_hold_off`.
//! - **Waiting.** With no usable token, waiting callers form a *round*. A retryable
//!   failure schedules the next attempt; the round ends after `max_attempts` failures, or
//!   when the next attempt would start later than `max_wait` after the round began.
//!   Each caller also has its own bound (below), whatever the round does.
//! - **Failed.** A non-retryable failure, or the end of a round, fails every caller with
//!   no usable token at once, until the hold-off or the next attempt time has passed;
//!   then new demand starts a new round.
//!
//! # A caller's wait
//!
//! One call waits at most `max_wait`, counted from its own start: the driver passes that
//! start (`since`) to every [`poll_token`](TokenLifecycle::poll_token) /
//! [`poll_driver`](TokenLifecycle::poll_driver) of the call, the machine never tells it to
//! wait past [`wait_deadline`](TokenLifecycle::wait_deadline), and from then on answers
//! `Failed` — with the round's last failure, or a transport
//! [`Timeout`](crate::TransportErrorKind::Timeout) when no request failed while the
//! caller waited (it waited out a slow request or an invalidation's cool-down). This holds
//! across rounds, retries and invalidations: a caller is handed whatever token is usable
//! when it asks, and a token another caller
//! [invalidated](TokenLifecycle::handle_invalidate) before this one asked again is never
//! handed out; the caller waits for the next token, within the same bound. A request is
//! not cut short when its callers stop waiting: it runs until `request_timeout`
//! ([`TokenLifecycle::fetch_deadline`]), and its token serves whoever asks next.
//!
//! After [`handle_invalidate`](TokenLifecycle::handle_invalidate), the next request waits
//! out `invalidate_cooldown` from the dropped token's arrival (at most half its
//! lifetime). A request the driver abandons
//! ([`handle_abandoned`](TokenLifecycle::handle_abandoned): its task cancelled) costs no
//! backoff and no attempt.
//!
//! A request never reported back counts as a transport timeout after `request_timeout`; a
//! token with no usable time on arrival counts as a non-retryable
//! [`ExpiredOnArrival`](crate::ResponseProblem::ExpiredOnArrival). Time never goes
//! backwards: a `now` earlier than one already seen counts as the latest seen. Every
//! deadline is checked arithmetic; nothing overflows or panics for any input.
//!
//! # Driving loop
//!
//! Feed inputs, drain outputs, sleep until the next deadline. Here on a fake clock that
//! starts once at `Instant::now()` and moves by adding durations:
//!
//! ```
//! # #![allow(clippy::disallowed_methods)]
//! use std::time::{Duration, Instant};
//! use learn_oauth_proto::{AccessToken, RefreshPolicy, Scopes, TokenLifecycle, TokenPoll};
//!
//! // Stands in for: send `config.token_request()`, parse with `config.parse_response`.
//! let issue = |now: Instant, n: u32| {
//!     AccessToken::new(format!("token-{n}"), Scopes::new(), now, Duration::from_secs(3600))
//!         .expect("a valid token")
//! };
//!
//! let start = Instant::now();
//! let mut now = start;
//! let mut lifecycle = TokenLifecycle::new(RefreshPolicy::default(), 0x5eed);
//!
//! // A caller wants a token. The cold machine registers the demand...
//! assert!(matches!(lifecycle.poll_token(now, now), TokenPoll::Pending));
//! // ...and asks for exactly one request, however many callers are waiting.
//! let fetch = lifecycle.poll_fetch(now).expect("a request to start");
//! assert!(matches!(lifecycle.poll_token(now, now), TokenPoll::Pending));
//! assert_eq!(lifecycle.poll_fetch(now), None, "single flight");
//!
//! // The driver does the I/O and reports the result.
//! now += Duration::from_millis(120);
//! lifecycle.handle_response(now, fetch, Ok(issue(now, 1)));
//! let TokenPoll::Ready(first) = lifecycle.poll_token(now, now) else { unreachable!() };
//!
//! // The canonical loop: sleep until poll_timeout, handle_timeout, drain poll_fetch.
//! let mut refreshes = 0;
//! while refreshes < 2 {
//!     let deadline = lifecycle.poll_timeout().expect("a refresh is scheduled");
//!     now = deadline; // a real driver sleeps here (and wakes early for new callers)
//!     lifecycle.handle_timeout(now);
//!     assert!(lifecycle.poll_timeout().is_none_or(|next| next > now));
//!
//!     while let Some(fetch) = lifecycle.poll_fetch(now) {
//!         // Refreshing ahead of expiry: callers are still served the current token.
//!         assert!(matches!(lifecycle.poll_token(now, now), TokenPoll::Ready(_)));
//!         refreshes += 1;
//!         now += Duration::from_millis(80);
//!         lifecycle.handle_response(now, fetch, Ok(issue(now, refreshes + 1)));
//!     }
//! }
//! let TokenPoll::Ready(latest) = lifecycle.poll_token(now, now) else { unreachable!() };
//! assert!(!latest.same_as(&first));
//! // Refreshes happen ahead of expiry: within the last five minutes of each token, at most
//! // a fifth of that window earlier (the jitter).
//! assert!(now - start > Duration::from_secs(2 * (3600 - 360)));
//! assert!(now - start < Duration::from_secs(2 * 3600));
//! ```
//!
//! Drivers that serve many callers use [`TokenLifecycle::poll_driver`] (one answer per
//! caller: ready, fetch, wait or fail, each caller's wait bounded from its own start) and [`TokenLifecycle::snapshot`] (a lock-free fast
//! path while nothing is due).

mod backoff;
mod machine;
mod outcome;
mod policy;
mod refresh_point;
mod snapshot;
mod state;
mod step;
mod transitions;

#[cfg(feature = "invariants")]
#[doc(hidden)]
pub mod invariants;

pub use machine::{FetchId, TokenLifecycle, TokenPoll};
pub use outcome::ResponseOutcome;
pub(crate) use policy::MIN_DELAY;
pub use policy::RefreshPolicy;
pub use snapshot::Snapshot;
pub use step::DriverStep;
