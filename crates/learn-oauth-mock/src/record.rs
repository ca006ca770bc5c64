//! What the mock remembers about each token request (never a secret).

use crate::client_auth::AuthMethod;

/// One request to the token endpoint, as observed by the mock.
///
/// It never holds the client secret, nor the token issued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The tenant id from the request path (percent-decoded).
    pub tenant: String,
    /// The client id presented, if any (Basic user-id or `client_id` body field).
    pub client_id: Option<String>,
    /// How the client presented its credentials.
    pub auth: AuthMethod,
    /// The scopes asked for in the `scope` field, in order (empty when none).
    pub scopes: Vec<String>,
    /// The grant type asked for, if the body parsed and had one.
    pub grant_type: Option<String>,
    /// The status sent, or `None` when no status line was sent (a dropped connection or
    /// raw bytes).
    pub status: Option<u16>,
    /// Whether a token was issued and sent in full.
    pub succeeded: bool,
    /// Whether a scripted [`Fault`](crate::Fault) shaped the answer.
    pub faulted: bool,
}

impl RecordedRequest {
    /// Whether a token was issued and sent in full (same as the `succeeded` field).
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.succeeded
    }

    /// Roughly how many bytes this record takes (its own size plus what its strings and
    /// its scope list hold), for the records' memory bound.
    pub(crate) fn footprint(&self) -> usize {
        let string = String::capacity;
        size_of::<Self>()
            + string(&self.tenant)
            + self.client_id.as_ref().map_or(0, string)
            + self.grant_type.as_ref().map_or(0, string)
            + self.scopes.capacity() * size_of::<String>()
            + self.scopes.iter().map(string).sum::<usize>()
    }
}
