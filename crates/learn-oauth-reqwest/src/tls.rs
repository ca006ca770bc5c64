//! The clients this crate builds: rustls with the ring provider, Mozilla's roots
//! (webpki-roots) and any roots the caller adds, and the connect timeout of [`TransportOptions`].
//! No process-wide rustls provider is read or installed.

use std::sync::{Arc, LazyLock};

use learn_oauth_driver::{BuildError, TransportOptions};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// Mozilla's roots alone, built once and shared by every client that trusts just them
/// (the default): about 9 KB of trust anchors a transport would otherwise copy.
static MOZILLA_ROOTS: LazyLock<Arc<RootCertStore>> = LazyLock::new(|| {
    Arc::new(RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    })
});

/// A reqwest client configuration with our TLS and the connect timeout of `options`;
/// redirects and a total timeout are the caller's to set.
pub(crate) fn client_builder(options: &TransportOptions) -> Result<reqwest::ClientBuilder, BuildError> {
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(client_config(options)?)
        .connect_timeout(options.connect_timeout()))
}

/// A rustls client configuration trusting the roots in `options`, with the ring provider
/// and ALPN for HTTP/2 and HTTP/1.1.
fn client_config(options: &TransportOptions) -> Result<rustls::ClientConfig, BuildError> {
    let store = if options.built_in_roots() && options.root_certificates().is_empty() {
        Arc::clone(&MOZILLA_ROOTS)
    } else {
        let mut store = RootCertStore::empty();
        if options.built_in_roots() {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        options.for_each_root_der(|der| store.add(CertificateDer::from(der)))?;
        Arc::new(store)
    };
    let provider = Arc::new(ring_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(Box::new(e)))?
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// rustls' *ring* crypto provider, set on each client rather than installed process-wide.
///
/// rustls 0.23.48 deprecates `ring::default_provider` for its lack of post-quantum key
/// exchange, and 0.23 has no other way to name the ring provider (the provider crates
/// come with rustls 0.24). The alternative, aws-lc-rs, needs cmake and is banned in
/// deny.toml; ring stays until rustls 0.24.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
