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
//!     ├── ClientConfig, AccessToken, Error, …  what the common path names (the root)
//!     ├── reqwest   async provider over reqwest     (feature `reqwest`)
//!     ├── ureq      blocking provider over ureq     (feature `ureq`)
//!     ├── pool      many tenants' tokens in one process
//!     ├── store     a fleet's tokens shared through a store (`redis`: on Redis; `file`: on one host)
//!     ├── driver    one generic provider, for your own transport
//!     ├── lifecycle the sans-IO token state machine, for your own loop
//!     ├── config, error, stats   the rest of the configuration, errors and counters
//!     └── testing, env           a fake token source for tests; config from the environment
//! ```
//!
//! Three ways to use it, shown below: an async provider over reqwest, a blocking one over
//! ureq, or the same provider over an HTTP client of your own through [`driver`]. All of
//! them hand out tokens the same way, and after a 401 from the API you invalidate the
//! token (*After a 401* below).
//!
//! # Features
//!
//! | features | you get | use it when |
//! |---|---|---|
//! | `reqwest` | [`reqwest::TokenProvider`]: async, on Tokio | async services |
//! | `ureq` | [`ureq::TokenProvider`]: threads, no runtime | jobs, CLIs, sync code |
//! | `async` | + the async flavour of [`driver::Provider`] (included in `reqwest`) | your own async HTTP client |
//! | `middleware` | + `reqwest::middleware::AuthMiddleware` (includes `reqwest`) | `reqwest-middleware` clients |
//! | `tower` | + [`tower::AuthLayer`](crate::tower) | hyper, tonic, any tower `Service` |
//! | `tracing` | + `tracing` events, target `learn_oauth` | observability |
//! | `store` | + [`store::SharedStore`]: a shared store for a fleet, over an adapter you write (brings *ring*) | many replicas, your own store |
//! | `redis` | + `redis::RedisStore`, a [`store::SharedStore`] on Redis (`redis-async`: `AsyncRedisStore`; `redis-tls`, `redis-async-tls`: `rediss://`; `redis-cluster`, `redis-async-cluster`: a Redis Cluster; `redis-sentinel`: Sentinel) | many replicas of one service |
//! | `file` | + `file::FileStore`, a [`store::SharedStore`] in a directory of one host (blocking, Unix) | workers, cron jobs and scripts on one machine |
//! | none | the core, [`driver::Provider`] over a transport you write, or the bare [`lifecycle`] | another HTTP client |
//!
//! Both bundled transports use rustls with the *ring* crypto provider (which compiles C:
//! building them needs a C compiler), set a 10 s connect and a 30 s total timeout, turn
//! redirects off and cap the response body.
//!
//! # 1. Async services: feature `reqwest`
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
//! let token = provider.token().await?; // fetched on first use, then cached
//! // ... send the API request with `token.authorization_header()`
//! # Ok(())
//! # }
//! ```
//!
//! # 2. Blocking code: feature `ureq`
//!
//! ```toml
//! learn-oauth = { version = "0.1", features = ["ureq"] }
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "ureq")]
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth::ClientConfig;
//! use learn_oauth::ureq::TokenProvider;
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
//! # 3. Your own HTTP client: no feature, one trait impl
//!
//! Implement [`driver::SendBlocking`] (or `driver::SendAsync`, feature `async`) for your
//! client and name the provider type: single flight, refresh ahead, backoff,
//! `Retry-After` and `invalidate` come with it. The trait's docs list the rules a
//! transport follows.
//!
//! ```
//! use std::time::Duration;
//! use learn_oauth::driver::{Blocking, Provider, SendBlocking};
//! use learn_oauth::ClientConfig;
//! use learn_oauth::driver::RequestBody;
//! use learn_oauth::error::TransportError;
//!
//! #[derive(Debug)]
//! struct MyClient; // yours; this one answers from memory
//!
//! impl SendBlocking for MyClient {
//!     fn send(
//!         &self,
//!         request: http::Request<RequestBody>,
//!         body_limit: usize,
//!         timeout: Duration,
//!     ) -> Result<http::Response<Vec<u8>>, TransportError> {
//!         // Send `request` as is, follow no redirect, return every status with its
//!         // headers, read at most `body_limit` body bytes, give up after `timeout`.
//! #       let _ = (request, body_limit, timeout);
//! #       let body = br#"{"access_token":"t0k3n","token_type":"Bearer","expires_in":3600}"#;
//! #       Ok(http::Response::builder().status(200).header("content-type", "application/json")
//! #           .body(body.to_vec()).expect("a valid response"))
//!     }
//! }
//!
//! let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
//! let provider = Provider::<Blocking<MyClient>>::builder(config).transport(MyClient).build()?;
//! let token = provider.token()?;
//! # assert_eq!(token.expose_secret(), "t0k3n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Below the provider there is no I/O at all: the core builds the token request and
//! parses the answer, and [`lifecycle::TokenLifecycle`] decides when to fetch, for a loop
//! of your own.
//!
//! ```
//! use learn_oauth::ClientConfig;
//!
//! let config = ClientConfig::builder()
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret("s3cret")
//!     .build()?;
//! let request: http::Request<learn_oauth::driver::RequestBody> = config.token_request();
//! // send it with any client, then: config.parse_response(&response, now)
//! # assert_eq!(request.method(), "POST");
//! # Ok::<(), learn_oauth::ConfigError>(())
//! ```
//!
//! # After a 401: invalidate
//!
//! A token can stop working before it expires (revoked, the secret rotated). When the
//! API answers 401, hand the token back with
//! [`invalidate`](driver::Provider::invalidate) and ask again, once: no caller gets that
//! token again, and however many callers saw the 401, one new token is requested (no
//! sooner than [`RefreshPolicy::invalidate_cooldown`] after the refused one arrived).
//!
//! ```no_run
//! # #[cfg(feature = "ureq")]
//! # fn run(provider: learn_oauth::ureq::TokenProvider) -> Result<(), learn_oauth::Error> {
//! # fn call_api(_authorization: http::HeaderValue) -> u16 { 200 }
//! // `call_api` sends your API request and returns its status.
//! let token = provider.token()?;
//! if call_api(token.authorization_header()) == 401 {
//!     provider.invalidate(&token);
//!     let token = provider.token()?; // a new one
//!     call_api(token.authorization_header()); // retried once, never in a loop
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Or let the client do it. With feature `middleware`,
//! [`reqwest::middleware::AuthMiddleware`] attaches the token to every request of a
//! `reqwest-middleware` client and does exactly this on a 401 (once, for replayable
//! requests; never on a 403); with feature `tower`, [`tower::AuthLayer`] does the same for
//! hyper, tonic or any `Service<http::Request<B>>`. Both take any [`TokenSource`]: either
//! provider, or [`testing::FakeTokenSource`] in your unit tests.
//!
//! ```no_run
//! # #[cfg(feature = "middleware")]
//! # async fn run(provider: learn_oauth::reqwest::TokenProvider) -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth::reqwest::middleware::AuthMiddleware;
//!
//! let client = reqwest_middleware::ClientBuilder::new(provider.transport().client().clone())
//!     .with(AuthMiddleware::new(provider.clone()))
//!     .build();
//! let response = client.get("https://…/learn/api/public/v1/…").send().await?;
//! # let _ = response;
//! # Ok(())
//! # }
//! ```
//!
//! Every provider counts what it does ([`driver::Provider::stats`], a [`stats::Stats`]: requests, failures by
//! class, stale serves, invalidations, the token's remaining lifetime); feature `tracing`
//! adds `tracing` events with OpenTelemetry field names, never a secret or token.
//!
//! # Testing your code: `learn-oauth-mock`
//!
//! The `learn-oauth-mock` crate is a loopback mock of the token endpoint for your
//! integration tests: scriptable faults (`Retry-After`, 5xx, proxies' HTML pages, cut-off
//! bodies), recorded requests without their secrets, a protected resource that accepts
//! only live tokens it issued, HTTPS with a throwaway CA, a clock you can move.
//!
//! ```toml
//! [dev-dependencies]
//! learn-oauth-mock = "0.1"
//! ```
//!
//! ```
//! # #[cfg(feature = "ureq")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use learn_oauth::ClientConfig;
//! use learn_oauth::ureq::TokenProvider;
//! use learn_oauth_mock::{Fault, MockServer, Tenant};
//!
//! let server = MockServer::builder().tenant(Tenant::new("my-tenant", "s3cret")).start()?;
//! server.enqueue(Fault::retry_after(503, 0)); // the first token request fails
//! let config = ClientConfig::builder()
//!     .token_url(server.token_url("my-tenant")) // plain HTTP: loopback only
//!     .tenant_id("my-tenant")
//!     .client_secret("s3cret")
//!     .build()?;
//! let provider = TokenProvider::new(config)?;
//! provider.token()?; // retried after the 503
//! assert_eq!(server.token_request_count(), 2);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "ureq"))]
//! # fn main() {}
//! ```
//!
//! # Configuration from the environment
//!
//! [`env::config_from_env`] builds a [`ClientConfig`] from `LEARN_TENANT_ID`,
//! `LEARN_API_SECRET` and friends, naming the variable in every error.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod env;

pub use http;
pub use learn_oauth_driver::{BlockingTokenSource, BuildError, TokenSource};
pub use learn_oauth_proto::{
    AccessToken, ClientConfig, ClientSecret, ConfigError, Endpoint, Environment, Error, Region,
};

/// The settings the bundled transports build their HTTP client with.
///
/// ```
/// use std::time::Duration;
/// use learn_oauth::TransportOptions;
///
/// let options = TransportOptions::new()
///     .with_connect_timeout(Duration::from_secs(5))
///     .add_root_certificates_pem("-----BEGIN CERTIFICATE-----\n…");
/// assert_eq!(options.connect_timeout(), Duration::from_secs(5));
/// assert!(options.built_in_roots());
/// ```
pub use learn_oauth_driver::TransportOptions;

/// When to refresh, retry and give up.
///
/// Start from the default and change what you need:
///
/// ```
/// use std::time::Duration;
/// use learn_oauth::RefreshPolicy;
///
/// let mut policy = RefreshPolicy::default();
/// policy.refresh_ahead = Duration::from_secs(60);
/// policy.refresh_jitter = 0.0; // every instance refreshes at the same point
/// assert_eq!(policy.max_attempts, 4);
/// ```
pub use learn_oauth_proto::RefreshPolicy;

/// The rest of the configuration: the builder, scopes, how the client authenticates, and
/// the limits [`ClientConfig`] checks.
pub mod config;

/// What an [`Error`] and a [`ConfigError`] carry: the
/// server's OAuth error, a response that could not be read, a transport failure, and the
/// details of each.
pub mod error;

/// What a provider counts: [`Provider::stats`](crate::driver::Provider::stats).
pub mod stats;

/// The sans-IO token state machine, for a loop of your own: it decides when to fetch,
/// refresh ahead, back off and give up; you move the bytes. Its numbers are the
/// [`RefreshPolicy`].
pub mod lifecycle;

/// Many tenants in one process: the bounded [`TokenPool`](pool::TokenPool) and its keys.
pub mod pool;

/// A scripted [`TokenSource`] for your own unit tests: no server, no clock.
pub mod testing;

/// Sharing tokens across a fleet of replicas through a store: [`SharedStore`](store::SharedStore),
/// what a store implements, and [`Sealing`](store::Sealing) for its values (feature `store`,
/// included in `redis` and `file`).
#[cfg(feature = "store")]
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
pub mod store;

/// The Redis shared store (feature `redis`; `AsyncRedisStore` with `redis-async`).
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;

/// The file shared store, for the processes of one host (feature `file`; blocking, Unix).
#[cfg(feature = "file")]
#[cfg_attr(docsrs, doc(cfg(feature = "file")))]
pub mod file;

/// A tower `Layer` that authorizes requests with any [`TokenSource`] (feature `tower`).
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

/// For your own transport: the generic [`Provider`](driver::Provider), the one-method
/// traits it sends through, the clocks it reads, and the bearer rules for your own client.
pub mod driver;

/// The async transport over `reqwest`, on Tokio (feature `reqwest`).
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;

/// The blocking transport over `ureq`: threads, no runtime (feature `ureq`).
#[cfg(feature = "ureq")]
#[cfg_attr(docsrs, doc(cfg(feature = "ureq")))]
pub mod ureq;
