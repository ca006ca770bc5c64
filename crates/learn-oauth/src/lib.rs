//! # learn-oauth
//!
//! OAuth 2.0 client-credentials tokens for the Learn platform API (work in progress).
#![forbid(unsafe_code)]

pub use learn_oauth_proto::*;

/// The async transport (feature `reqwest`).
#[cfg(feature = "reqwest")]
pub mod reqwest {
    pub use learn_oauth_reqwest::*;
}

/// The blocking transport (feature `ureq`).
#[cfg(feature = "ureq")]
pub mod blocking {
    pub use learn_oauth_ureq::*;
}
