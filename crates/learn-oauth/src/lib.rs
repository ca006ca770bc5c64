//! # learn-oauth
//!
//! OAuth 2.0 *client credentials* access tokens for the Learn platform API and webhooks,
//! as one dependency.
//!
//! This crate re-exports the sans-IO core ([`learn_oauth_proto`]: configuration, request,
//! response parsing, errors, the token lifecycle) and, behind features, a transport:
//!
//! | features | you get | use it when |
//! |---|---|---|
//! | none | the core only: [`ClientConfig`], [`AccessToken`], [`Error`], … | you bring your own HTTP client and call [`ClientConfig::token_request`] / [`ClientConfig::parse_response`] |
//! | `reqwest` | + `learn_oauth::reqwest`: async [`Transport`](crate::reqwest::Transport) and [`TokenProvider`](crate::reqwest::TokenProvider) | async code on Tokio |
//! | `ureq` | + `learn_oauth::blocking`: blocking [`Transport`](crate::blocking::Transport) and [`TokenProvider`](crate::blocking::TokenProvider) | threads, no async runtime |
//!
//! Both transports use rustls with the *ring* crypto provider, set a 10 s connect and a
//! 30 s total timeout, turn redirects off and cap the response body.
//!
//! # No features: the pure core
//!
//! ```
//! use learn_oauth::ClientConfig;
//!
//! let config = ClientConfig::builder()
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret("s3cret")
//!     .build()?;
//! let request: http::Request<learn_oauth::RequestBody> = config.token_request();
//! // send it with any client, then: config.parse_response(&response, now)
//! # assert_eq!(request.method(), "POST");
//! # Ok::<(), learn_oauth::ConfigError>(())
//! ```
//!
//! # Feature `reqwest`: async
//!
//! ```toml
//! learn-oauth = { version = "0.1", features = ["reqwest"] }
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth::ClientConfig;
//! use learn_oauth::reqwest::TokenProvider;
//!
//! let config = ClientConfig::builder()
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret(std::env::var("LEARN_API_SECRET")?)
//!     .build()?;
//! let provider = TokenProvider::new(config)?; // clone it into every task
//! let token = provider.token().await?;
//! # let _ = token;
//! # Ok(())
//! # }
//! ```
//!
//! # Feature `ureq`: blocking
//!
//! ```toml
//! learn-oauth = { version = "0.1", features = ["ureq"] }
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "ureq")]
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth::ClientConfig;
//! use learn_oauth::blocking::TokenProvider;
//!
//! let config = ClientConfig::builder()
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret(std::env::var("LEARN_API_SECRET")?)
//!     .build()?;
//! let provider = TokenProvider::new(config)?; // clone it into every thread
//! let token = provider.token()?;
//! # let _ = token;
//! # Ok(())
//! # }
//! ```
//!
//! # Configuration from the environment
//!
//! [`env::config_from_env`] builds a [`ClientConfig`] from `LEARN_TENANT_ID`,
//! `LEARN_API_SECRET` and friends, naming the variable in every error.
#![forbid(unsafe_code)]

pub mod env;

pub use learn_oauth_proto::*;

/// The async transport over `reqwest` (feature `reqwest`): everything in
/// `learn-oauth-reqwest`.
#[cfg(feature = "reqwest")]
pub mod reqwest {
    pub use learn_oauth_reqwest::*;
}

/// The blocking transport over `ureq` (feature `ureq`): everything in `learn-oauth-ureq`.
#[cfg(feature = "ureq")]
pub mod blocking {
    pub use learn_oauth_ureq::*;
}
