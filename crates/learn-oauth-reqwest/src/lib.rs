//! # learn-oauth-reqwest
//!
//! The async transport of `learn-oauth`: access tokens for the Learn platform API over
//! [`reqwest`], decided by the sans-IO core [`learn_oauth_proto`].
#![forbid(unsafe_code)]

mod clock;
mod tls;
mod transport;

pub use clock::{Clock, TokioClock};
pub use transport::{BuildError, Transport, TransportBuilder};
