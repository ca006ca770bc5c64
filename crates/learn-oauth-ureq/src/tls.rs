//! The TLS setup of the default agent: rustls with the ring provider, Mozilla's roots and
//! any roots the caller adds.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::transport::BuildError;

/// Root certificates added on a builder, as given; checked when the agent is built.
#[derive(Debug, Clone)]
pub(crate) struct Roots {
    pub(crate) built_in: bool,
    pub(crate) pem: Vec<Vec<u8>>,
    pub(crate) der: Vec<CertificateDer<'static>>,
}

impl Roots {
    pub(crate) fn new() -> Self {
        Self {
            built_in: true,
            pem: Vec::new(),
            der: Vec::new(),
        }
    }

    /// ureq's TLS configuration: ring, and Mozilla's roots plus the added ones. Each
    /// added root is checked with rustls first, since ureq skips unparsable ones silently.
    pub(crate) fn tls_config(&self) -> Result<TlsConfig, BuildError> {
        let mut added: Vec<CertificateDer<'static>> = self.der.clone();
        for (index, pem) in self.pem.iter().enumerate() {
            let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
            let certs = certs.map_err(|source| BuildError::InvalidPem { index, source })?;
            if certs.is_empty() {
                return Err(BuildError::NoCertificateInPem { index });
            }
            added.extend(certs);
        }
        let mut check = rustls::RootCertStore::empty();
        for (index, cert) in added.iter().enumerate() {
            check
                .add(cert.clone())
                .map_err(|source| BuildError::InvalidCertificate { index, source })?;
        }
        let roots = match (self.built_in, added.is_empty()) {
            (true, true) => RootCerts::WebPki,
            (false, true) => return Err(BuildError::NoRootCertificates),
            (built_in, false) => {
                let mozilla: &[CertificateDer<'static>] = if built_in {
                    webpki_root_certs::TLS_SERVER_ROOT_CERTS
                } else {
                    &[]
                };
                let all = mozilla.iter().chain(&added);
                RootCerts::from(all.map(|c| Certificate::from_der(c.as_ref()).to_owned()))
            }
        };
        Ok(TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(roots)
            .build())
    }
}
