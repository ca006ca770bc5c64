//! # learn-oauth-driver
//!
//! The driver layer of `learn-oauth`: **one token provider for every transport**. The
//! sans-IO core ([`learn_oauth_proto`]) decides; this crate shares one lifecycle between
//! many callers, waits, and hands requests to a transport that implements one method.
//!
//! ```text
//!   learn-oauth-proto     pure protocol: config, request, response, token, lifecycle
//!          ^
//!   learn-oauth-driver    Provider<Blocking<T>> / Provider<Async<T>>, TransportOptions
//!          ^              (this crate: the loops, written once)
//!   learn-oauth-ureq      impl SendBlocking   learn-oauth-reqwest   impl SendAsync
//!          ^                                         ^
//!   learn-oauth           the facade: one dependency, features pick transports
//! ```
//!
//! **Promise:** the loops here only ask the core what to do, start requests, and wait
//! until the core's next deadline or a report. Every decision — when to fetch, refresh
//! ahead, back off, honour `Retry-After`, give up — is the core's
//! [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle).
//!
//! # Add a transport: one trait impl
//!
//! Implement [`SendBlocking`] (or `SendAsync`, feature `async`) for your HTTP client and
//! name the provider type; single flight, refresh ahead, backoff, `Retry-After`, the
//! hold-off after bad credentials and `invalidate` come with it:
//!
//! ```
//! use std::time::Duration;
//! use learn_oauth_driver::{Blocking, Provider, SendBlocking};
//! use learn_oauth_proto::{ClientConfig, RequestBody, TransportError};
//!
//! /// Answers every token request from memory (a real one would send it).
//! #[derive(Debug)]
//! struct Canned;
//!
//! impl SendBlocking for Canned {
//!     fn send(
//!         &self,
//!         _request: http::Request<RequestBody>,
//!         _body_limit: usize,
//!         _timeout: Duration,
//!     ) -> Result<http::Response<Vec<u8>>, TransportError> {
//!         let body = br#"{"access_token":"t0k3n","token_type":"Bearer","expires_in":3600}"#;
//!         Ok(http::Response::builder()
//!             .status(200)
//!             .header("content-type", "application/json")
//!             .body(body.to_vec())
//!             .expect("a valid response"))
//!     }
//! }
//!
//! pub type TokenProvider = Provider<Blocking<Canned>>;
//!
//! let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
//! let provider = TokenProvider::builder(config).transport(Canned).build()?;
//! let token = provider.token()?;
//! assert_eq!(token.expose_secret(), "t0k3n");
//! assert!(provider.token()?.same_as(&token), "cached: no second request");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A transport that can build itself from [`TransportOptions`] (connect timeout, root
//! certificates) also overrides [`SendBlocking::from_options`], so `Provider::new(config)`
//! works without one.
//!
//! # Features
//!
//! | feature | adds |
//! |---|---|
//! | (none) | the blocking flavour: [`Blocking`], [`SendBlocking`], [`SystemClock`] |
//! | `async` | the async flavour on Tokio: `Async`, `SendAsync`, `AsyncClock`, `TokioClock` |
//! | `store` | [`store`]: the shared store ([`SharedStore`](store::SharedStore)) a fleet of replicas coordinates token requests through, with sealed values; brings *ring*, which needs a C compiler |
//! | `tower` | [`tower::AuthLayer`]: a tower `Layer` that authorizes requests with any [`TokenSource`] |
//! | `tracing` | `tracing` events (target `learn_oauth`) for fetches, retries, hold-offs, stale serves, invalidations and 401 retries; never a secret or token |
//!
//! Every provider counts what it does, feature or not: [`Provider::stats`].
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bearer;
mod clock;
mod lifecycle_cell;
mod observe;
mod options;
pub mod pool;
mod provider;
mod report;
mod roots;
mod runtime;
mod source;
mod stats;
#[cfg(feature = "store")]
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
pub mod store;
pub mod testing;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
mod transport;
mod usage;

pub use clock::Clock;
pub use options::{DEFAULT_CONNECT_TIMEOUT, RootCertificate, TransportOptions};
pub use provider::{Provider, ProviderBuilder};
pub use roots::{PemError, RootCertificateError};
#[cfg(feature = "async")]
pub use runtime::{Async, AsyncClock, SendAsync, TokioClock};
pub use runtime::{Blocking, BlockingClock, Flavor, SendBlocking, SystemClock};
pub use source::{BlockingTokenSource, TokenSource};
pub use stats::{FailureClass, FailureCounts, Stats, StoreStats};
pub use transport::BuildError;
