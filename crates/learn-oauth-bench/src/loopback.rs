//! The loopback mock server and the peer's HTTP clients for it, for the warm-path,
//! refresh, end-to-end and memory benchmarks.

use std::sync::Arc;
use std::time::Duration;

use learn_oauth_mock::{MockServer, Tenant};
use oauth2::Scope;
use oauth2::basic::BasicTokenResponse;
use rustls_pki_types::pem::PemObject as _;

use crate::fixture::{CLIENT_SECRET, PeerClient, TENANT_ID};

/// Starts the mock with the benchmark tenant; its tokens live `lifetime`. Its token URL
/// for the tenant is `server.token_url(TENANT_ID)`.
#[must_use]
pub fn start_mock(lifetime: Duration) -> MockServer {
    let builder = MockServer::builder().tenant(Tenant::new(TENANT_ID, CLIENT_SECRET));
    builder
        .token_lifetime(lifetime)
        .start()
        .expect("the mock server starts")
}

/// A reqwest 0.12 client for `oauth2`, as its docs advise: redirects off, the same
/// timeouts our transport sets; trusting only `ca` (a PEM certificate) when given.
#[must_use]
pub fn peer_reqwest_client(ca: Option<&[u8]>) -> reqwest012::Client {
    let builder = reqwest012::Client::builder()
        .redirect(reqwest012::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30));
    let builder = match ca {
        None => builder,
        Some(pem) => builder
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest012::Certificate::from_pem(pem).expect("a PEM certificate")),
    };
    builder.build().expect("a reqwest 0.12 client")
}

/// A ureq 2 agent for `oauth2`: redirects off, the same timeouts our transport sets;
/// trusting only `ca` (a PEM certificate) when given.
#[must_use]
pub fn peer_ureq_agent(ca: Option<&[u8]>) -> ureq2::Agent {
    let builder = ureq2::AgentBuilder::new()
        .redirects(0)
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(30));
    let Some(pem) = ca else {
        return builder.build();
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a CA certificate");
    }
    // rustls 0.23.48 deprecates its ring provider (no post-quantum key exchange) with no
    // other way to name it in 0.23; ring is the workspace's one provider (deny.toml).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    builder.tls_config(Arc::new(tls)).build()
}

/// One `oauth2` exchange over ureq 2.
pub fn peer_fetch_ureq(client: &PeerClient, scopes: &[Scope], agent: &ureq2::Agent) -> BasicTokenResponse {
    let request = client.exchange_client_credentials();
    let request = request.add_scopes(scopes.iter().cloned());
    request.request(agent).expect("oauth2 over ureq gets a token")
}

/// One `oauth2` exchange over reqwest 0.12.
pub async fn peer_fetch_reqwest(
    client: &PeerClient,
    scopes: &[Scope],
    http: &reqwest012::Client,
) -> BasicTokenResponse {
    let request = client.exchange_client_credentials();
    let request = request.add_scopes(scopes.iter().cloned());
    request
        .request_async(http)
        .await
        .expect("oauth2 over reqwest gets a token")
}
