//! A blocking job calling the mock's protected resource with `send_authorized`.

use std::time::Duration;

use learn_oauth::http;
use learn_oauth::ureq::TokenProvider;
use learn_oauth::ureq::bearer::send_authorized;
use learn_oauth::{ClientConfig, RefreshPolicy};
use learn_oauth_mock::{MockServer, Tenant};

#[test]
fn send_authorized_gets_200_and_retries_a_401_once() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .tenant(Tenant::new("job", "s3cret"))
        .start()?;
    let config = ClientConfig::builder()
        .token_url(server.token_url("job"))
        .tenant_id("job")
        .client_secret("s3cret")
        .build()?;
    let mut policy = RefreshPolicy::default();
    policy.invalidate_cooldown = Duration::ZERO; // else the new token waits 5 s
    let provider = TokenProvider::builder(config).policy(policy).build()?;
    let agent = ureq::Agent::new_with_defaults();

    let response = send_authorized(
        &agent,
        &provider,
        http::Request::get(server.resource_url()).body(())?,
    )?;
    assert_eq!(response.status(), 200);
    assert_eq!(server.token_request_count(), 1);

    // The mock revokes every token it issued: a 401, invalidated, sent once more.
    server.revoke_all_tokens();
    let response = send_authorized(
        &agent,
        &provider,
        http::Request::get(server.resource_url()).body(())?,
    )?;
    assert_eq!(response.status(), 200);
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(server.resource_request_count(), 3, "200, then 401 and 200");
    Ok(())
}
