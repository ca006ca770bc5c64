//! The TLS setup of the default client: rustls with the ring provider, Mozilla's roots
//! (webpki-roots) and any roots the caller adds.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::transport::BuildError;

/// Root certificates added on a builder, as given; parsed when the client is built.
#[derive(Debug, Clone, Default)]
pub(crate) struct Roots {
    pub(crate) built_in: bool,
    pub(crate) pem: Vec<Vec<u8>>,
    pub(crate) der: Vec<CertificateDer<'static>>,
}

impl Roots {
    pub(crate) fn new() -> Self {
        Self {
            built_in: true,
            ..Self::default()
        }
    }

    /// Every added certificate, PEM bundles expanded, in order.
    fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, BuildError> {
        let mut all = self.der.clone();
        for (index, pem) in self.pem.iter().enumerate() {
            let before = all.len();
            for cert in CertificateDer::pem_slice_iter(pem) {
                all.push(cert.map_err(|source| BuildError::InvalidPem { index, source })?);
            }
            if all.len() == before {
                return Err(BuildError::NoCertificateInPem { index });
            }
        }
        Ok(all)
    }

    /// A rustls client configuration trusting these roots, with the ring provider and
    /// ALPN for HTTP/2 and HTTP/1.1.
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig, BuildError> {
        let mut store = RootCertStore::empty();
        if self.built_in {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for (index, cert) in self.certificates()?.into_iter().enumerate() {
            store
                .add(cert)
                .map_err(|source| BuildError::InvalidCertificate { index, source })?;
        }
        if store.is_empty() {
            return Err(BuildError::NoRootCertificates);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(BuildError::Tls)?
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}
