//! # learn-oauth
//!
//! OAuth 2.0 *client credentials* access tokens for the Learn platform API and webhooks,
//! as one dependency: you ask for a token and get one that is valid now, fetched only
//! when you first ask, refreshed ahead of expiry in the background, with one request in
//! flight however many callers ask, and errors you can `match` on. Secrets and tokens
//! never appear in `Debug`, `Display` or errors.
//!
//! ```text
//!   learn_oauth (this facade)
//!     ├── reqwest   async provider over reqwest     (feature `reqwest`)
//!     ├── blocking  blocking provider over ureq     (feature `ureq`)
//!     ├── driver    one generic provider, for your own transport
//!     ├── lifecycle the sans-IO token state machine, for your own loop
//!     └── ClientConfig, AccessToken, Error, …  the pure protocol core
//! ```
//!
//! | features | you get | use it when |
//! |---|---|---|
//! | `reqwest` | [`reqwest::TokenProvider`]: async, on Tokio | async services |
//! | `ureq` | [`blocking::TokenProvider`]: threads, no runtime | jobs, CLIs, sync code |
//! | `async` | + the async flavour of [`driver::Provider`] (included in `reqwest`) | your own async HTTP client |
//! | none | the core, [`driver::Provider`] over a transport you write, or the bare [`lifecycle`] | another HTTP client |
//!
//! Both bundled transports use rustls with the *ring* crypto provider, set a 10 s
//! connect and a 30 s total timeout, turn redirects off and cap the response body.
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
//! // ... send the API request with `token.authorization_header()`; on a 401:
//! provider.invalidate(&token); // the next token() fetches a new one
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
//! To keep the provider's guarantees with your own HTTP client, implement
//! [`driver::SendBlocking`] (or `driver::SendAsync`) for it: one method.
//!
//! # Testing your code
//!
//! The `learn-oauth-mock` crate is a loopback mock of the token endpoint (plain HTTP or
//! HTTPS with a throwaway CA, scriptable faults, a protected resource) for your
//! integration tests.
//!
//! # Configuration from the environment
//!
//! [`env::config_from_env`] builds a [`ClientConfig`] from `LEARN_TENANT_ID`,
//! `LEARN_API_SECRET` and friends, naming the variable in every error.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod env;

pub use http;
/// A scripted [`TokenSource`] for your own unit tests: no server, no clock.
pub use learn_oauth_driver::testing;
/// A tower `Layer` that authorizes requests with any [`TokenSource`] (feature `tower`).
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use learn_oauth_driver::tower;
pub use learn_oauth_driver::{
    BuildError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, FailureClass, FailureCounts, PemError,
    RootCertificate, RootCertificateError, Stats, TokenSource, TransportOptions,
};
pub use learn_oauth_proto::lifecycle;
pub use learn_oauth_proto::{
    AccessToken, ApiKind, AuthMethod, BasicEncoding, BodyKind, ClientConfig, ClientConfigBuilder,
    ClientSecret, ConfigError, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, DEFAULT_USER_AGENT,
    Endpoint, Environment, Error, ErrorDetail, IdentifierProblem, MAX_IDENTIFIER_LEN, MAX_MAX_RESPONSE_BYTES,
    MAX_SCOPE_LEN, MAX_TOKEN_LIFETIME, MIN_MAX_RESPONSE_BYTES, OAuthError, OAuthErrorCode, ParseOptions,
    RefreshPolicy, Region, RequestBody, ResponseError, ResponseProblem, Scope, ScopeProblem, Scopes,
    ServerError, TransportError, TransportErrorKind, UnstructuredBody, UrlProblem, VendorError,
    VendorMessage, parse_token_response,
};

/// For your own transport: the generic [`Provider`](driver::Provider) and the one-method
/// traits it sends through (everything in `learn-oauth-driver` but what the top level
/// already has).
pub mod driver {
    /// The bearer-token rules (attach, keep the caller's own, retry a 401 once) for a
    /// client of your own.
    pub use learn_oauth_driver::bearer;
    #[cfg(feature = "async")]
    pub use learn_oauth_driver::{Async, AsyncClock, SendAsync, TokioClock, fetch_token_async};
    pub use learn_oauth_driver::{
        Blocking, BlockingClock, Clock, Flavor, Provider, ProviderBuilder, SendBlocking, SystemClock,
        fetch_token_blocking,
    };
}

/// The async transport over `reqwest` (feature `reqwest`).
#[cfg(feature = "reqwest")]
pub mod reqwest {
    /// `AuthMiddleware` for `reqwest-middleware` clients (feature `middleware`).
    #[cfg(feature = "middleware")]
    #[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
    pub use learn_oauth_reqwest::middleware;
    pub use learn_oauth_reqwest::{TokenProvider, TokenProviderBuilder, Transport};
}

/// The blocking transport over `ureq` (feature `ureq`).
#[cfg(feature = "ureq")]
pub mod blocking {
    pub use learn_oauth_ureq::{TokenProvider, TokenProviderBuilder, Transport};
}
