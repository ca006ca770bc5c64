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
        .unversioned_rustls_crypto_provider(Arc::new(ring_provider()))
        .root_certs(roots)
        .build())
}

/// rustls' *ring* crypto provider, set on the agent rather than taken from the process.
///
/// rustls 0.23.48 deprecates `ring::default_provider` for its lack of post-quantum key
/// exchange, and 0.23 has no other way to name the ring provider (the provider crates
/// come with rustls 0.24). The alternative, aws-lc-rs, needs cmake and is banned in
/// deny.toml; ring stays until rustls 0.24.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
