//! The TLS setup of the default agent: rustls with the ring provider, Mozilla's roots and
//! any roots the caller adds.

use std::sync::Arc;

use learn_oauth_proto::{RootCertificate, TransportOptions};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::transport::BuildError;

/// ureq's TLS configuration for `options`: ring, and Mozilla's roots plus the added ones.
/// Each added root is checked with rustls first, since ureq skips unparsable ones silently.
pub(crate) fn tls_config(options: &TransportOptions) -> Result<TlsConfig, BuildError> {
    let mut added = Vec::new();
    let mut check = rustls::RootCertStore::empty();
    for (index, root) in options.root_certificates().iter().enumerate() {
        for cert in certificates(index, root)? {
            check
                .add(cert.clone())
                .map_err(|source| BuildError::InvalidCertificate { index, source })?;
            added.push(Certificate::from_der(cert.as_ref()).to_owned());
        }
    }
    let roots = match (options.built_in_roots(), added.is_empty()) {
        (true, true) => RootCerts::WebPki,
        (false, true) => return Err(BuildError::NoRootCertificates),
        (true, false) => {
            let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter();
            RootCerts::from(
                mozilla
                    .map(|c| Certificate::from_der(c.as_ref()).to_owned())
                    .chain(added),
            )
        }
        (false, false) => RootCerts::from(added),
    };
    Ok(TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .root_certs(roots)
        .build())
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
