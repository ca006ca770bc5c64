//! What the transport adapters share that is not I/O: the transport defaults every
//! adapter documents.

use std::time::Duration;

/// How long a transport adapter's default client waits for a connection (TCP and TLS):
/// 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a transport adapter lets one token request take, body included: 30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
