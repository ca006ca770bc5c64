//! What parsing needs besides the response: [`ParseOptions`], built by
//! [`ClientConfigBuilder::build`](crate::ClientConfigBuilder::build), and the limits
//! a configuration defaults to.

use std::time::Duration;

use crate::sanitize::Redactions;
use crate::scope::Scopes;

/// The default cap on a token response body: 64 KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The lifetime assumed when a response has no `expires_in`: one hour, as the Learn
/// platform documents.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The longest lifetime believed: larger `expires_in` values are clamped to this.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// What [`parse_token_response`](super::parse_token_response) needs besides the response:
/// the parts of a [`ClientConfig`](crate::ClientConfig) that parsing reads.
#[derive(Debug, Clone)]
pub(crate) struct ParseOptions {
    /// The scopes requested: the granted scopes when the server sends no `scope`.
    pub(crate) requested_scopes: Scopes,
    /// Bodies longer than this are refused unread.
    pub(crate) max_body_bytes: usize,
    /// The lifetime assumed when `expires_in` is missing.
    pub(crate) default_lifetime: Duration,
    /// Every spelling of the client secret (raw, form- and percent-encoded, inside either
    /// Basic encoding), removed from any server text kept in an error.
    pub(crate) redact: Redactions,
}
