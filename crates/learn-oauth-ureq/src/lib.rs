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
//! - [`Transport::fetch_token`]: one request, one answer — for code that manages tokens
//!   itself.
//! - [`TokenProvider`]: a shared, cheap-to-clone cache driving the core's
//!   [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle): single flight, refresh ahead
//!   on a background thread, backoff and `Retry-After`, stale-while-refreshing.
//!
//! The default [`Transport`] uses rustls with the *ring* provider and Mozilla's roots,
//! a 10 s connect timeout, a 30 s total timeout, no redirects and small connection
//! buffers ([`INPUT_BUFFER_SIZE`], [`OUTPUT_BUFFER_SIZE`], [`MAX_RESPONSE_HEADER_SIZE`]:
//! a provider holds about 20 KB instead of 268 KB with ureq's defaults). Bring your own
//! [`ureq::Agent`] with `TokenProvider::builder(config).transport(agent)` (see
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
//! # Logging: filter `ureq_proto` below DEBUG
//!
//! ureq's protocol layer hex-dumps every request head and response body at TRACE (target
//! `ureq_proto`), credentials and the access token included; ureq has no switch to turn
//! it off. With a TRACE subscriber, keep that one target quiet:
//! `RUST_LOG=trace,ureq_proto=off`. Nothing else in this stack logs a credential at any
//! level (tested by capturing TRACE through `log`).
#![forbid(unsafe_code)]

pub mod bearer;
mod connect;
mod resolver;
mod tls;
mod transport;

pub use learn_oauth_driver::pool::{PoolError, PoolKey, ResolveError};
pub use learn_oauth_driver::{BlockingClock, BuildError, Clock, SystemClock, TransportOptions};
pub use transport::{
    INPUT_BUFFER_SIZE, LARGE_OUTPUT_BUFFER_SIZE, MAX_RESPONSE_HEADER_SIZE, OUTPUT_BUFFER_SIZE, Transport,
};

/// The blocking token provider over [`Transport`]: the driver's
/// [`Provider`](learn_oauth_driver::Provider) in its blocking flavour.
pub type TokenProvider = learn_oauth_driver::Provider<learn_oauth_driver::Blocking<Transport>>;

/// Configures a [`TokenProvider`]; see [`ProviderBuilder`](learn_oauth_driver::ProviderBuilder).
pub type TokenProviderBuilder = learn_oauth_driver::ProviderBuilder<learn_oauth_driver::Blocking<Transport>>;

/// Many tenants' tokens over one [`Transport`]: the driver's
/// [`TokenPool`](learn_oauth_driver::TokenPool), keyed by [`PoolKey`] unless you name
/// your own key type (with a resolver). Build it with
/// `TokenPool::builder(Transport::new()?)`.
pub type TokenPool<K = PoolKey> = learn_oauth_driver::TokenPool<learn_oauth_driver::Blocking<Transport>, K>;

/// Configures a [`TokenPool`].
pub type TokenPoolBuilder<K = PoolKey> =
    learn_oauth_driver::PoolBuilder<learn_oauth_driver::Blocking<Transport>, K>;
