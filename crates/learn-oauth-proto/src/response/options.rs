//! What parsing needs besides the response: [`ParseOptions`] and the limits it defaults to.

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

/// What [`parse_token_response`](super::parse_token_response) needs besides the response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// The scopes requested: the granted scopes when the server sends no `scope`.
    pub requested_scopes: Scopes,
    /// Bodies longer than this are refused unread.
    pub max_body_bytes: usize,
    /// The lifetime assumed when `expires_in` is missing.
    pub default_lifetime: Duration,
    /// The client secret's spellings, removed from any server text kept in an error.
    /// Set by [`ClientConfig`](crate::ClientConfig) (see
    /// [`ClientConfig::parse_options`](crate::ClientConfig::parse_options)); empty by
    /// default.
    pub(crate) redact: Redactions,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            requested_scopes: Scopes::new(),
            max_body_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            default_lifetime: DEFAULT_TOKEN_LIFETIME,
            redact: Redactions::default(),
        }
    }
}
