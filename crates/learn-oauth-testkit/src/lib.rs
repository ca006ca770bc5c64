//! # learn-oauth-testkit
//!
//! What the async (`learn-oauth-reqwest`) and blocking (`learn-oauth-ureq`) adapters'
//! tests share, so each adapter's test files hold only test bodies: the mock tenant and
//! configurations for it ([`fixtures`]), a virtual clock ([`VirtualClock`]) and the
//! assertions both suites make ([`expect`]). Not published; a dev-dependency only.
//!
//! ```
//! use learn_oauth_testkit::{expect, fixtures};
//!
//! let server = fixtures::server();
//! let config = fixtures::config(&server);
//! assert_eq!(config.tenant_id(), fixtures::TENANT);
//! # let _ = expect::transport_kind;
//! ```
#![forbid(unsafe_code)]

pub mod expect;
pub mod fixtures;
pub mod fleet;
pub mod memory;
pub mod redis_cluster;
mod redis_resp;
pub mod redis_sentinel;
pub mod redis_server;
pub mod redis_tls;
mod scratch_dir;
pub mod storm;
mod virtual_clock;

pub use virtual_clock::VirtualClock;
