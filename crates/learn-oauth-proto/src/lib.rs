//! # learn-oauth-proto
//!
//! The sans-IO core of `learn-oauth`: OAuth 2.0 *client credentials* tokens for the Learn
//! platform's public API and webhooks.
//!
//! **Promise:** this crate never opens a socket, spawns a thread, reads a clock, the
//! environment or a file, or draws a random number. Configuration goes in and an
//! [`http::Request`] comes out; an [`http::Response`] goes in and an [`AccessToken`] or a
//! typed [`Error`] comes out. Time is always an [`Instant`](std::time::Instant) you pass
//! in. That makes every decision testable on a virtual clock and lets you bring any HTTP
//! client.
#![forbid(unsafe_code)]

mod config;
mod endpoint;
mod error;
mod lifecycle;
mod response;
mod sanitize;
mod scope;
mod secret;
mod token;

pub use config::{
    AuthMethod, BasicEncoding, ClientConfig, ClientConfigBuilder, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_USER_AGENT, MIN_MAX_RESPONSE_BYTES,
};
pub use endpoint::{
    ApiKind, Endpoint, Environment, MAX_IDENTIFIER_LEN, Region, encode_path_segment, is_loopback,
};
pub use error::{
    BodyKind, ConfigError, Error, ErrorDetail, IdentifierProblem, OAuthError, OAuthErrorCode, ResponseError,
    ResponseProblem, ScopeProblem, ServerError, TransportError, TransportErrorKind, UnstructuredBody,
    UrlProblem, VendorError, VendorMessage,
};
pub use response::{DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME, ParseOptions, parse_token_response};
pub use scope::{MAX_SCOPE_LEN, Scope, Scopes};
pub use secret::ClientSecret;
pub use token::AccessToken;
