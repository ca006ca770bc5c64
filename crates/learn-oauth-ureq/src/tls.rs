//! The TLS setup of the default agent: rustls with the ring provider, Mozilla's roots and
//! any roots the caller adds.

use std::sync::Arc;

use learn_oauth_driver::{BuildError, TransportOptions};
use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// ureq's TLS configuration for `options`: ring, and Mozilla's roots plus the added ones.
/// Each added root is checked with rustls first, since ureq skips unparsable ones silently.
pub(crate) fn tls_config(options: &TransportOptions) -> Result<TlsConfig, BuildError> {
    let mut added = Vec::new();
    let mut check = rustls::RootCertStore::empty();
    options.for_each_root_der(|der| {
        check.add(CertificateDer::from(der.as_slice()))?;
        added.push(Certificate::from_der(&der).to_owned());
        Ok::<_, rustls::Error>(())
    })?;
    // No roots at all was refused above: `added` is empty only with the built-in roots.
    let roots = if added.is_empty() {
        RootCerts::WebPki
    } else if options.built_in_roots() {
        let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter();
        RootCerts::from(mozilla.map(|c| Certificate::from_der(c.as_ref())).chain(added))
    } else {
        RootCerts::from(added)
    };
    Ok(TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .root_certs(roots)
        .build())
}
