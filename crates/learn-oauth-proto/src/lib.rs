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
//!    [`ClientConfig::parse_response`] (or [`parse_token_response`]) turns the answer into
//!    a token or an [`Error`] split by blame: [`ServerError`] (the endpoint said no),
//!    [`ResponseError`] (a 2xx that is not a token), [`TransportError`] (built by your
//!    transport).
//! 2. **The token lifecycle** ([`lifecycle`]): a state machine that decides when to fetch, refreshes ahead
//!    of expiry, backs off and honours `Retry-After`, and never lets two requests fly at
//!    once. See the `lifecycle` items ([`TokenLifecycle`]) for the driving loop.
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
#![forbid(unsafe_code)]

mod body;
mod config;
mod endpoint;
mod error;
mod identity;
pub mod lifecycle;
mod path_segment;
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
pub use endpoint::{ApiKind, Endpoint, Environment, MAX_IDENTIFIER_LEN, Region};
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
pub use resource::{ResourceVerdict, resource_verdict};
pub use response::{
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME, ParseOptions,
    parse_token_response,
};
pub use scope::{MAX_SCOPE_LEN, Scope, Scopes};
pub use secret::ClientSecret;
pub use token::AccessToken;
