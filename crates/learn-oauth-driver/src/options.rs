//! The settings of the HTTP client a transport adapter builds, with their documented
//! defaults.

use std::time::Duration;

/// How long a transport adapter's default client waits for a connection (TCP and TLS):
/// 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest timeout a transport is ever given: 24 h. Longer ones (up to
/// `Duration::MAX`) are cut to it, since HTTP clients add timeouts to the current
/// instant and some panic when that overflows.
pub(crate) const MAX_REQUEST_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The settings a transport adapter builds its HTTP client with: the connect timeout
/// HTTP clients leave unset and the roots TLS trusts. Redirects are always off and the
/// body is always capped at [`ClientConfig::max_response_bytes`](learn_oauth_proto::ClientConfig::max_response_bytes).
///
/// How long a whole token request may take is not set here: it is the provider's
/// [`RefreshPolicy::request_timeout`](learn_oauth_proto::RefreshPolicy::request_timeout),
/// handed to the transport with every request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct TransportOptions {
    connect_timeout: Duration,
    built_in_roots: bool,
    roots: Vec<RootCertificate>,
}

/// A root certificate to trust, as given; parsed when the adapter builds its client (see
/// [`TransportOptions::for_each_root_der`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootCertificate {
    /// A PEM bundle: every `CERTIFICATE` section in it.
    Pem(Vec<u8>),
    /// One DER-encoded certificate.
    Der(Vec<u8>),
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl TransportOptions {
    /// The defaults: [`DEFAULT_CONNECT_TIMEOUT`], Mozilla's roots and no others.
    pub fn new() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            built_in_roots: true,
            roots: Vec::new(),
        }
    }

    /// Sets how long establishing a connection (TCP and TLS) may take; at most 24 h (a
    /// longer one is cut to it). A connection is also part of its request, so it never
    /// takes longer than the request's timeout either.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.min(MAX_REQUEST_TIMEOUT);
        self
    }

    /// Trusts the certificates in a PEM bundle as roots, in addition to the built-in ones
    /// (an enterprise TLS-inspecting proxy's CA, a test CA).
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots.push(RootCertificate::Pem(pem.as_ref().to_vec()));
        self
    }

    /// Trusts one DER-encoded certificate as a root, in addition to the built-in ones.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(RootCertificate::Der(der.into()));
        self
    }

    /// Sets whether to trust Mozilla's roots (default: yes). Off, only the added roots
    /// are trusted.
    pub fn with_built_in_roots(mut self, enabled: bool) -> Self {
        self.built_in_roots = enabled;
        self
    }

    /// How long establishing a connection may take.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Whether Mozilla's roots are trusted.
    #[must_use]
    pub fn built_in_roots(&self) -> bool {
        self.built_in_roots
    }

    /// The added roots, in the order given.
    #[must_use]
    pub fn root_certificates(&self) -> &[RootCertificate] {
        &self.roots
    }
}
