//! Three tenants in one `TokenPool`, their configurations loaded by a resolver.

use std::collections::HashMap;
use std::sync::Arc;

use learn_oauth::ClientConfig;
use learn_oauth::pool::ResolveError;
use learn_oauth::reqwest::{TokenPool, Transport};
use learn_oauth_mock::{MockServer, Tenant};

const TENANTS: [(&str, &str); 3] = [
    ("tenant-a", "secret-a"),
    ("tenant-b", "secret-b"),
    ("tenant-c", "secret-c"),
];

#[tokio::test]
async fn a_pool_with_a_resolver_gets_one_token_per_tenant() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = MockServer::builder();
    for (tenant, secret) in TENANTS {
        builder = builder.tenant(Tenant::new(tenant, secret));
    }
    let server = builder.start()?;
    // What the resolver "loads from the database": each tenant's token URL and secret.
    let directory: Arc<HashMap<String, (String, String)>> = Arc::new(
        TENANTS
            .iter()
            .map(|(tenant, secret)| {
                (
                    tenant.to_string(),
                    (server.token_url(tenant).to_string(), secret.to_string()),
                )
            })
            .collect(),
    );

    let pool: TokenPool<String> = TokenPool::builder(Transport::new()?)
        .resolver(move |tenant: &String| {
            let tenant = tenant.clone();
            let directory = Arc::clone(&directory);
            async move {
                let (token_url, secret) = directory
                    .get(&tenant)
                    .cloned()
                    .ok_or_else(|| ResolveError::new("unknown tenant"))?;
                ClientConfig::builder()
                    .token_url(token_url)
                    .tenant_id(tenant)
                    .client_secret(secret)
                    .build()
                    .map_err(ResolveError::new)
            }
        })
        .build();

    let mut tokens = Vec::new();
    for (tenant, _) in TENANTS {
        tokens.push(pool.token(&tenant.to_string()).await?);
    }
    assert_eq!(server.token_request_count(), 3);
    let secrets: std::collections::HashSet<&str> = tokens.iter().map(|token| token.expose_secret()).collect();
    assert_eq!(secrets.len(), 3, "each tenant has its own token");

    // Warm: no new request.
    pool.token(&"tenant-b".to_string()).await?;
    assert_eq!(server.token_request_count(), 3);
    Ok(())
}
