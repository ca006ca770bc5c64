//! # learn-oauth-ureq
//!
//! The blocking transport of `learn-oauth`: access tokens for the Learn platform API over
//! [`ureq`], with every decision made by the sans-IO core [`learn_oauth_proto`] and every
//! wait by the driver layer [`learn_oauth_driver`].
//!
//! **Promise:** this crate only moves bytes. Its [`Transport`] implements
//! [`SendBlocking`](learn_oauth_driver::SendBlocking): it sends the request the core
//! builds, reads at most the core's body cap, hands status, headers and body to the core
//! unchanged (4xx and 5xx are answers, not transport errors), and reports transport
//! failures as typed [`TransportError`]s (timeout, connect, TLS, I/O).
//! [`TokenProvider`] is the driver's generic provider over it.
//!
//! Two ways in:
//!
//! - [`SendBlocking::fetch_token`](learn_oauth_driver::SendBlocking::fetch_token) on a [`Transport`]: one
//!   request, one answer — for code that manages tokens itself.
//! - [`TokenProvider`]: a shared, cheap-to-clone cache driving the core's
//!   [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle): single flight, refresh ahead
//!   on a background thread, backoff and `Retry-After`, stale-while-refreshing.
//!
//! The default [`Transport`] uses rustls with the *ring* provider and Mozilla's roots,
//! a 10 s connect timeout, the provider's `RefreshPolicy::request_timeout` (30 s) per
//! request, no redirects and small connection
//! buffers ([`INPUT_BUFFER_SIZE`], [`OUTPUT_BUFFER_SIZE`], [`MAX_RESPONSE_HEADER_SIZE`]:
//! a provider holds about 20 KB instead of 268 KB with ureq's defaults). Bring your own
//! [`ureq::Agent`] with
//! `TokenProvider::builder(config).transport(Transport::from_agent(agent))` (see
//! [`Transport::from_agent`]).
//!
//! [`TransportError`]: learn_oauth_proto::TransportError
//!
//! # Example
//!
//! ```
//! # use learn_oauth_mock::{MockServer, Tenant};
//! use learn_oauth_proto::ClientConfig;
//! use learn_oauth_ureq::TokenProvider;
//!
//! # let server = MockServer::builder().tenant(Tenant::new("eu-west-2_AbcdEfghI", "s3cret")).start()?;
//! # let token_url = server.token_url("eu-west-2_AbcdEfghI");
//! let config = ClientConfig::builder()
//!     .token_url(token_url) // or .endpoint(...) for a Learn platform preset
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret("s3cret")
//!     .build()?;
//! let provider = TokenProvider::new(config)?;
//!
//! // From any number of threads: one request, then a cached token.
//! let token = provider.token()?;
//! let header = token.authorization_header(); // `Bearer …`, marked sensitive
//! # assert!(header.to_str()?.starts_with("Bearer "));
//! # assert!(provider.token()?.same_as(&token));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! When the resource API answers 401 to a token, call
//! [`invalidate`](learn_oauth_driver::Provider::invalidate) with it; the next `token()`
//! fetches a new one.
//!
//! # Logging: a TRACE logger for `ureq_proto` refuses every request
//!
//! ureq's protocol layer hex-dumps every request and response at TRACE (target
//! `ureq_proto::util`), client secret and access token included, and has no switch to turn
//! that off. So before each request the [`Transport`] asks the installed `log` logger
//! (`log::log_enabled!`: env_logger's filter, or the tracing subscriber behind
//! tracing-log's `LogTracer`) whether it would keep those records. If it would, nothing is
//! sent: the request fails with a [`TransportError`] of kind
//! [`UnsafeLogging`](learn_oauth_proto::TransportErrorKind::UnsafeLogging), which is not
//! retryable (a provider holds off as after bad credentials, then asks the logger again).
//! Keep that target below TRACE and everything else may log at any level:
//! `RUST_LOG=trace,ureq_proto=off` (env_logger or tracing-subscriber's `EnvFilter`), or
//! `ureq_proto=debug`. No other record of this stack (ureq, ureq-proto, rustls, this
//! crate) holds a credential or a token at any level; learn-oauth-testkit's
//! `tests/dependency_logs*.rs` capture every record at TRACE to check both.
#![forbid(unsafe_code)]

pub mod bearer;
mod connect;
mod log_guard;
mod resolver;
mod tls;
mod transport;

pub use transport::{
    INPUT_BUFFER_SIZE, LARGE_OUTPUT_BUFFER_SIZE, MAX_RESPONSE_HEADER_SIZE, OUTPUT_BUFFER_SIZE, Transport,
};

/// The blocking token provider over [`Transport`]: the driver's
/// [`Provider`](learn_oauth_driver::Provider) in its blocking flavour.
pub type TokenProvider = learn_oauth_driver::Provider<learn_oauth_driver::Blocking<Transport>>;

/// Configures a [`TokenProvider`]; see [`ProviderBuilder`](learn_oauth_driver::ProviderBuilder).
pub type TokenProviderBuilder = learn_oauth_driver::ProviderBuilder<learn_oauth_driver::Blocking<Transport>>;

/// Many tenants' tokens over one [`Transport`]: the driver's
/// [`TokenPool`](learn_oauth_driver::pool::TokenPool), keyed by
/// [`PoolKey`](learn_oauth_driver::pool::PoolKey) unless you name your own key type (with
/// a resolver). Build it with `TokenPool::builder(Transport::new()?)`.
pub type TokenPool<K = learn_oauth_driver::pool::PoolKey> =
    learn_oauth_driver::pool::TokenPool<learn_oauth_driver::Blocking<Transport>, K>;

/// Configures a [`TokenPool`].
pub type TokenPoolBuilder<K = learn_oauth_driver::pool::PoolKey> =
    learn_oauth_driver::pool::PoolBuilder<learn_oauth_driver::Blocking<Transport>, K>;
