//! # learn-oauth-proto
//!
//! The sans-IO core of `learn-oauth`: OAuth 2.0 *client credentials* tokens for the Learn
//! platform's public API and webhooks (`POST /oauth2/token/{tenantId}`).
//!
//! **Promise:** this crate never opens a socket, spawns a thread, reads a clock, the
//! environment or a file, or draws a random number. Configuration goes in and an
//! [`http::Request`] comes out; an [`http::Response`] goes in and an [`AccessToken`] or a
//! typed [`Error`] comes out. Time is always an [`Instant`](std::time::Instant) you pass
//! in. That makes every decision testable on a virtual clock and lets you bring any HTTP
//! client.
//!
//! Two layers, both public:
//!
//! 1. **Pure functions.** [`ClientConfig`] validates everything once and encodes the
//!    request parts up front; [`ClientConfig::token_request`] is then close to a copy, and
//!    [`ClientConfig::parse_response`] turns the answer into a token or an [`Error`]
//!    split by blame: [`ServerError`] (the endpoint said no), [`ResponseError`] (a 2xx
//!    that is not a token), [`TransportError`] (built by your transport).
//! 2. **The token lifecycle** ([`TokenLifecycle`]): a state machine that decides when to
//!    fetch, refreshes ahead of expiry, backs off and honours `Retry-After`, and never
//!    lets two requests fly at once. See [the token lifecycle](#the-token-lifecycle)
//!    below for its states and the driving loop.
//!
//! In scope: the client-credentials grant as the Learn platform and RFC 6749 §4.4 define
//! it. Out of scope: other grants, token introspection, HTTP itself.
//!
//! # Example: one exchange with any HTTP client
//!
//! ```
//! # #![allow(clippy::disallowed_methods)]
//! use learn_oauth_proto::{ClientConfig, Scope};
//!
//! let config = ClientConfig::builder()
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret("s3cret")
//!     .scopes(["api/read", "api/write"])
//!     .build()?;
//!
//! let request = config.token_request();
//! assert_eq!(request.uri(), "https://public.api.learn.link/oauth2/token/eu-west-2_AbcdEfghI");
//! assert_eq!(request.body(), b"grant_type=client_credentials&scope=api%2Fread+api%2Fwrite");
//!
//! // ... send `request` with any HTTP client, reading at most
//! // `config.max_response_bytes() + 1` bytes of the body ...
//! let response = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.sig","token_type":"Bearer",
//!              "expires_in":3600,"scope":"api/read api/write"}"#)?;
//! let now = std::time::Instant::now();
//! let token = config.parse_response(&response, now)?;
//!
//! assert_eq!(token.authorization_header(), "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");
//! assert!(token.scopes().contains(&Scope::READ));
//! assert_eq!(token.expires_at(), now + std::time::Duration::from_secs(3600));
//! assert!(!format!("{token:?}").contains("eyJ"), "Debug never shows the token");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The token lifecycle
//!
//! [`TokenLifecycle`] is a sans-IO state machine that decides when to fetch a token, when
//! to refresh it ahead of expiry, how to back off and when to give up — with at most one
//! request in flight.
//!
//! It never reads a clock and never performs I/O. Like `quinn-proto`, it
//! has inputs (`handle_*`, each taking `now`), outputs (`poll_*`) and getters; a driver
//! (the `learn-oauth-reqwest` and `learn-oauth-ureq` providers, or your own) does the I/O
//! and sleeps until [`TokenLifecycle::poll_timeout`].
//!
//! ## States
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
//! ## A caller's wait
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
//! ## Driving loop
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
#![forbid(unsafe_code)]

mod body;
mod config;
mod endpoint;
mod error;
mod identity;
mod lifecycle;
mod path_segment;
mod preset;
mod resource;
mod response;
mod sanitize;
mod scope;
mod secret;
pub mod store;
mod token;

/// The `http` crate, re-exported: its `Request`, `Response`, `StatusCode` and header types
/// are this crate's API, so you can name them without depending on a matching version.
pub use http;

pub use body::RequestBody;
pub use config::{
    AuthMethod, BasicEncoding, ClientConfig, ClientConfigBuilder, DEFAULT_USER_AGENT, MAX_MAX_RESPONSE_BYTES,
    MIN_MAX_RESPONSE_BYTES,
};
pub use endpoint::{Endpoint, MAX_IDENTIFIER_LEN};
pub use error::{
    BodyKind, ConfigError, Error, ErrorDetail, IdentifierProblem, OAuthError, OAuthErrorCode, ResponseError,
    ResponseProblem, ScopeProblem, ServerError, TransportError, TransportErrorKind, UnstructuredBody,
    UrlProblem, VendorError, VendorMessage,
};
pub use identity::TokenIdentity;
/// The lifecycle's invariant checker (it panics on a violation), shared by the property
/// tests and the fuzz targets. Behind the `invariants` feature: not for production use
/// and not covered by semver.
#[cfg(feature = "invariants")]
#[doc(hidden)]
pub use lifecycle::invariants as lifecycle_invariants;
pub use lifecycle::{
    DriverStep, FetchId, RefreshPolicy, ResponseOutcome, Snapshot, TokenLifecycle, TokenPoll,
};
pub use preset::{ApiKind, Environment, Region};
pub use resource::{ResourceVerdict, resource_verdict};
pub use response::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME};
pub use scope::{MAX_SCOPE_LEN, Scope, Scopes};
pub use secret::ClientSecret;
pub use token::AccessToken;
