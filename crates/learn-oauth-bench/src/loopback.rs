//! The loopback mock server and the clients that talk to it, for the warm-path,
//! refresh and end-to-end benchmarks.

use std::time::Duration;

use learn_oauth_mock::{MockServer, Tenant};
use learn_oauth_proto::ClientConfig;
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};

use crate::exchange::PeerClient;
use crate::fixture::{CLIENT_SECRET, SCOPES, TENANT_ID};

/// Starts the mock with the benchmark tenant; its tokens live `lifetime`.
///
/// # Panics
///
/// When the mock cannot start (no loopback interface, no threads).
#[must_use]
pub fn start_mock(lifetime: Duration) -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT_ID, CLIENT_SECRET))
        .token_lifetime(lifetime)
        .start()
        .expect("the mock server starts")
}

/// Our configuration for the mock (plain HTTP on loopback, HTTP Basic, both scopes).
///
/// # Panics
///
/// Never for a running mock.
#[must_use]
pub fn our_config(server: &MockServer) -> ClientConfig {
    our_config_for(&server.token_url(TENANT_ID))
}

/// Our configuration for the benchmark tenant at `token_url` (a mock in another process:
/// `src/bin/e2e_client.rs`).
///
/// # Panics
///
/// When `token_url` is not a valid token URL.
#[must_use]
pub fn our_config_for(token_url: &str) -> ClientConfig {
    ClientConfig::builder()
        .token_url(token_url)
        .tenant_id(TENANT_ID)
        .client_secret(CLIENT_SECRET)
        .scopes(SCOPES)
        .build()
        .expect("the mock's configuration is valid")
}

/// `oauth2` 5 configured for the mock, with the scopes to request.
///
/// # Panics
///
/// Never for a running mock.
#[must_use]
pub fn peer(server: &MockServer) -> (PeerClient, Vec<Scope>) {
    peer_for(&server.token_url(TENANT_ID))
}

/// `oauth2` 5 configured for the benchmark tenant at `token_url`, with the scopes to
/// request.
///
/// # Panics
///
/// When `token_url` is not a valid URL.
#[must_use]
pub fn peer_for(token_url: &str) -> (PeerClient, Vec<Scope>) {
    let client = BasicClient::new(ClientId::new(TENANT_ID.to_owned()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_token_uri(TokenUrl::new(token_url.to_owned()).expect("a valid URL"));
    let scopes = SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect();
    (client, scopes)
}

/// A reqwest 0.12 client for `oauth2`, as its docs advise: redirects off (and the same
/// timeouts our transport sets).
///
/// # Panics
///
/// When the client cannot be built.
#[must_use]
pub fn peer_reqwest_client() -> reqwest012::Client {
    reqwest012::Client::builder()
        .redirect(reqwest012::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest 0.12 client")
}

/// A ureq 2 agent for `oauth2`: redirects off, the same timeouts our transport sets.
#[must_use]
pub fn peer_ureq_agent() -> ureq2::Agent {
    ureq2::AgentBuilder::new()
        .redirects(0)
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
}

/// One `oauth2` exchange over ureq 2; returns the token's length.
///
/// # Panics
///
/// When the exchange fails.
pub fn peer_fetch_ureq(client: &PeerClient, scopes: &[Scope], agent: &ureq2::Agent) -> usize {
    let token = client
        .exchange_client_credentials()
        .add_scopes(scopes.iter().cloned())
        .request(agent)
        .expect("oauth2 over ureq gets a token");
    token.access_token().secret().len()
}

/// One `oauth2` exchange over reqwest 0.12; returns the token's length.
///
/// # Panics
///
/// When the exchange fails.
pub async fn peer_fetch_reqwest(client: &PeerClient, scopes: &[Scope], http: &reqwest012::Client) -> usize {
    let token = client
        .exchange_client_credentials()
        .add_scopes(scopes.iter().cloned())
        .request_async(http)
        .await
        .expect("oauth2 over reqwest gets a token");
    token.access_token().secret().len()
}
