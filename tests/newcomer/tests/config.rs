//! The README's configuration, as its async usage section writes it.

use learn_oauth::config::ApiKind;
use learn_oauth::{ClientConfig, Endpoint, Environment, Region};

#[test]
fn a_preset_endpoint_posts_to_the_tenants_token_path() -> Result<(), learn_oauth::ConfigError> {
    let config = ClientConfig::builder()
        .endpoint(Endpoint::preset(
            Environment::Production,
            Region::Global,
            ApiKind::PublicApi,
        ))
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("s3cret")
        .scopes(["api/read", "api/write"])
        .build()?;
    let request = config.token_request();
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri().path(), "/oauth2/token/eu-west-2_AbcdEfghI");
    Ok(())
}
