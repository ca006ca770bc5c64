//! What every transport shares, whatever its flavour: why one could not be built, and
//! the limits a token request is sent with. The flavours' transport traits are in
//! `runtime/`.

use std::time::Duration;

use learn_oauth_proto::ClientConfig;

use crate::options::MAX_REQUEST_TIMEOUT;
use crate::roots::RootCertificateError;

/// Why a transport (and so a provider) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A root certificate added with [`TransportOptions`](crate::TransportOptions) cannot be trusted (it does not
    /// parse, the TLS library refuses it), or built-in roots are off and none was added.
    #[error(transparent)]
    RootCertificate(#[from] RootCertificateError),
    /// The TLS library refused the configuration.
    #[error("tls configuration failed")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The HTTP client refused the configuration.
    #[error("http client could not be built")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The provider was built without a transport, and its transport type has no default
    /// one ([`SendBlocking::from_options`](crate::SendBlocking::from_options) / `SendAsync::from_options`): pass one with
    /// `.transport(…)`.
    #[error("no transport given, and this transport type has no default")]
    NoDefaultTransport,
}

/// `timeout` as a transport is given it: at least a millisecond, at most
/// [`MAX_REQUEST_TIMEOUT`] (HTTP clients add it to the current instant, and some panic
/// when that overflows).
pub(crate) fn bounded(timeout: Duration) -> Duration {
    timeout.clamp(Duration::from_millis(1), MAX_REQUEST_TIMEOUT)
}

/// How many body bytes a transport may read for `config`: one more than the core
/// accepts, so it can tell a body at the cap from one over it.
pub(crate) fn body_limit(config: &ClientConfig) -> usize {
    config.max_response_bytes().saturating_add(1)
}
