//! Transport errors: the network failed before a complete response arrived.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// No complete HTTP response arrived. Adapters build these from their HTTP client's
/// errors, keeping the original as [`source()`](std::error::Error::source).
#[derive(Debug, Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// A transport error of `kind` with no underlying cause.
    #[must_use]
    pub fn new(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A transport error of `kind` caused by `source` (the HTTP client's error). The
    /// source must not hold secrets; HTTP clients' errors carry at most the URL, which
    /// holds the tenant id and never the client secret.
    #[must_use]
    pub fn with_source(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            kind,
            source: Some(Arc::from(source.into())),
        }
    }

    /// What failed.
    #[must_use]
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether trying again may succeed: timeouts, connection and I/O failures yes; TLS
    /// failures (certificates do not fix themselves), followed redirects (the client
    /// will follow them again) and requests refused because of the logger (its filter
    /// does not change between attempts) no.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Timeout
                | TransportErrorKind::Connect
                | TransportErrorKind::Io
                | TransportErrorKind::Other
        )
    }

    /// Whether this was a timeout.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Timeout => "token request timed out",
            TransportErrorKind::Connect => "could not connect to the token endpoint",
            TransportErrorKind::Tls => "tls handshake with the token endpoint failed",
            TransportErrorKind::Io => "i/o error talking to the token endpoint",
            TransportErrorKind::Redirected => {
                "the http client followed a redirect away from the token endpoint (turn redirects off)"
            }
            TransportErrorKind::UnsafeLogging => {
                "refused to send the token request: the logger keeps ureq_proto's trace records, which dump credentials and tokens (filter that target, e.g. RUST_LOG=...,ureq_proto=off)"
            }
            TransportErrorKind::Other => "token request failed",
        })
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

impl PartialEq for TransportError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// The kinds of [`TransportError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connect, read or total timeout elapsed.
    Timeout,
    /// The connection could not be established (DNS, refused, unreachable).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke mid-exchange (reset, truncated body).
    Io,
    /// The HTTP client followed a redirect, so the answer came from another URL than
    /// the token endpoint (and the request may have been replayed there). Token answers
    /// are never taken from a redirect; turn the client's redirects off. Not retryable.
    Redirected,
    /// The transport refused to send the request because the installed logger would keep
    /// a dependency's records of the request's or the response's bytes: the client
    /// secret and the access token. Raised by the blocking transport (`learn-oauth-ureq`)
    /// when `ureq_proto`'s TRACE hex dumps are enabled; the source names the log target.
    /// Filter that target below TRACE (`RUST_LOG=...,ureq_proto=off`). Not retryable:
    /// nothing reached the network, and the next attempt would meet the same filter.
    UnsafeLogging,
    /// Anything else the HTTP client reported.
    Other,
}
