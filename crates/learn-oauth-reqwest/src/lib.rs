//! # learn-oauth-reqwest
//!
//! The async transport of `learn-oauth`: access tokens for the Learn platform API over
//! [`reqwest`], with every decision made by the sans-IO core [`learn_oauth_proto`] and
//! every wait by the driver layer [`learn_oauth_driver`].
//!
//! **Promise:** this crate only moves bytes. Its [`Transport`] implements
//! [`SendAsync`](learn_oauth_driver::SendAsync): it sends the request the core builds,
//! reads at most the core's body cap, hands status, headers and body to the core
//! unchanged, and reports transport failures as typed [`TransportError`]s (timeout,
//! connect, TLS, I/O). [`TokenProvider`] is the driver's generic provider over it.
//!
//! Two ways in:
//!
//! - [`SendAsync::fetch_token`](learn_oauth_driver::SendAsync::fetch_token) on a [`Transport`]: one
//!   request, one answer — for code that manages tokens itself.
//! - [`TokenProvider`]: a shared, cheap-to-clone cache driving the core's
//!   [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle): single flight, refresh ahead,
//!   backoff and `Retry-After`, stale-while-refreshing.
//!
//! The default [`Transport`] uses rustls with the *ring* provider and Mozilla's roots,
//! a 10 s connect timeout and no redirects; each request gets the provider's
//! `RefreshPolicy::request_timeout` (30 s) in all. Bring your own client
//! configuration with
//! `TokenProvider::builder(config).transport(Transport::from_client_builder(builder)?)`
//! (see [`Transport::from_client_builder`] for what stays yours to configure).
//!
//! [`TransportError`]: learn_oauth_proto::TransportError
//!
//! # Example
//!
//! ```
//! # use learn_oauth_mock::{MockServer, Tenant};
//! use learn_oauth_proto::ClientConfig;
//! use learn_oauth_reqwest::TokenProvider;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = MockServer::builder().tenant(Tenant::new("eu-west-2_AbcdEfghI", "s3cret")).start()?;
//! # let token_url = server.token_url("eu-west-2_AbcdEfghI");
//! let config = ClientConfig::builder()
//!     .token_url(token_url) // or .endpoint(...) for a Learn platform preset
//!     .tenant_id("eu-west-2_AbcdEfghI")
//!     .client_secret("s3cret")
//!     .build()?;
//! let provider = TokenProvider::new(config)?;
//!
//! // Anywhere, from any number of tasks: one request, then a cached token.
//! let token = provider.token().await?;
//! let header = token.authorization_header(); // `Bearer …`, marked sensitive
//! # assert!(header.to_str()?.starts_with("Bearer "));
//! # assert!(provider.token().await?.same_as(&token));
//! # Ok(())
//! # }
//! ```
//!
//! When the resource API answers 401 to a token, call
//! [`invalidate`](learn_oauth_driver::Provider::invalidate) with it; the next `token()`
//! fetches a new one.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "middleware")]
#[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
pub mod middleware;
mod tls;
mod transport;

pub use transport::Transport;

/// The async token provider over [`Transport`]: the driver's
/// [`Provider`](learn_oauth_driver::Provider) in its async flavour.
pub type TokenProvider = learn_oauth_driver::Provider<learn_oauth_driver::Async<Transport>>;

/// Configures a [`TokenProvider`]; see [`ProviderBuilder`](learn_oauth_driver::ProviderBuilder).
pub type TokenProviderBuilder = learn_oauth_driver::ProviderBuilder<learn_oauth_driver::Async<Transport>>;

/// Many tenants' tokens over one [`Transport`]: the driver's
/// [`TokenPool`](learn_oauth_driver::pool::TokenPool), keyed by
/// [`PoolKey`](learn_oauth_driver::pool::PoolKey) unless you name your own key type (with
/// a resolver). Build it with `TokenPool::builder(Transport::new()?)`.
pub type TokenPool<K = learn_oauth_driver::pool::PoolKey> =
    learn_oauth_driver::pool::TokenPool<learn_oauth_driver::Async<Transport>, K>;

/// Configures a [`TokenPool`].
pub type TokenPoolBuilder<K = learn_oauth_driver::pool::PoolKey> =
    learn_oauth_driver::pool::PoolBuilder<learn_oauth_driver::Async<Transport>, K>;
