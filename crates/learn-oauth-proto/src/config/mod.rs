//! The client configuration: validated once, at construction, with every part of the
//! token request that never changes encoded up front.

mod builder;
mod client;
mod credentials;

pub use builder::{ClientConfigBuilder, DEFAULT_USER_AGENT, MAX_MAX_RESPONSE_BYTES, MIN_MAX_RESPONSE_BYTES};
pub use client::ClientConfig;
pub use credentials::{AuthMethod, BasicEncoding};
