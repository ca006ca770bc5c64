//! An async service calling the mock's protected resource through the README's
//! middleware client, then through a token the resource no longer accepts.

use std::time::Duration;

use learn_oauth::reqwest::TokenProvider;
use learn_oauth::reqwest::middleware::AuthMiddleware;
use learn_oauth::{ClientConfig, RefreshPolicy, TransportOptions};
use learn_oauth_mock::{MockServer, Tenant};
use reqwest_middleware::ClientWithMiddleware;

#[tokio::test]
async fn the_middleware_client_gets_200_and_retries_a_401_once() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .tenant(Tenant::new("my-tenant", "s3cret"))
        .start()?;
    let config = ClientConfig::builder()
        .token_url(server.token_url("my-tenant"))
        .tenant_id("my-tenant")
        .client_secret("s3cret")
        .build()?;
    let mut policy = RefreshPolicy::default();
    policy.invalidate_cooldown = Duration::ZERO; // else the new token waits 5 s
    let provider = TokenProvider::builder(config).policy(policy).build()?;
    let client = service_client(&provider)?;

    let response = client.get(server.resource_url()).send().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(server.token_request_count(), 1);

    // The mock revokes every token it issued: the resource answers 401, the token is
    // invalidated and the request sent once more with a new one.
    server.revoke_all_tokens();
    let response = client.get(server.resource_url()).send().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(server.resource_request_count(), 3, "200, then 401 and 200");
    Ok(())
}

/// The service's API client, named in a signature: `reqwest-middleware` at the README's version.
fn service_client(provider: &TokenProvider) -> Result<ClientWithMiddleware, Box<dyn std::error::Error>> {
    Ok(AuthMiddleware::new(provider.clone())
        .into_client_builder(&TransportOptions::new())?
        .build())
}
