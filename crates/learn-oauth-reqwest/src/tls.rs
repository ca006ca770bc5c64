//! The TLS setup of the default client: rustls with the ring provider, Mozilla's roots
//! (webpki-roots) and any roots the caller adds.

use std::sync::Arc;

use learn_oauth_proto::{RootCertificate, TransportOptions};
use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::transport::BuildError;

/// A rustls client configuration trusting the roots in `options`, with the ring provider
/// and ALPN for HTTP/2 and HTTP/1.1.
pub(crate) fn client_config(options: &TransportOptions) -> Result<rustls::ClientConfig, BuildError> {
    let mut store = RootCertStore::empty();
    if options.built_in_roots() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for (index, root) in options.root_certificates().iter().enumerate() {
        for cert in certificates(index, root)? {
            store
                .add(cert)
                .map_err(|source| BuildError::InvalidCertificate { index, source })?;
        }
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

/// The certificates in root number `index`: one for DER, every section for PEM.
fn certificates(index: usize, root: &RootCertificate) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let pem = match root {
        RootCertificate::Der(der) => return Ok(vec![CertificateDer::from(der.clone())]),
        RootCertificate::Pem(pem) => pem,
        _ => return Err(BuildError::NoCertificate { index }),
    };
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|source| BuildError::InvalidPem { index, source })?;
    if certs.is_empty() {
        return Err(BuildError::NoCertificate { index });
    }
    Ok(certs)
}
