//! One service, many customers: `cargo run --example many_tenants`.
//!
//! A `TokenPool` keyed by tenant id holds every tenant's token lifecycle over one HTTP
//! client. Tenants are not registered up front: on a tenant's first request the pool
//! calls a resolver (here a map standing in for the service's database) for its
//! configuration, once, however many requests arrive together. 200 tenants × 10
//! concurrent requests each go out cold; then each tenant's handle, given to the
//! reqwest middleware, calls the mock's protected resource.
//!
//! It exits non-zero unless every request got a token with exactly one token request per
//! tenant, one resolver call per tenant, and an unknown tenant got a typed error.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use learn_oauth::pool::{PoolError, ResolveError};
use learn_oauth::reqwest::middleware::AuthMiddleware;
use learn_oauth::reqwest::{TokenPool, Transport};
use learn_oauth::{ClientConfig, TransportOptions};
use learn_oauth_mock::{MockServer, Tenant};

const TENANTS: usize = 200;
const REQUESTS_PER_TENANT: usize = 10;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The platform: one mock serving every tenant.
    let mut mock = MockServer::builder();
    let mut database = HashMap::new();
    for n in 0..TENANTS {
        let (id, secret) = (format!("customer-{n:03}"), format!("secret-{n:03}"));
        mock = mock.tenant(Tenant::new(id.clone(), secret.clone()));
        database.insert(id, secret);
    }
    let server = mock.start()?;
    let urls: HashMap<String, String> = database
        .keys()
        .map(|id| (id.clone(), server.token_url(id)))
        .collect();
    let database = Arc::new((database, urls));

    // The service: one pool, keyed by tenant id, resolving tenants on first use.
    let lookups = Arc::new(AtomicUsize::new(0));
    let pool: TokenPool<String> = TokenPool::builder(Transport::new()?)
        .max_entries(10_000)
        .resolver({
            let (database, lookups) = (database.clone(), lookups.clone());
            move |tenant: &String| {
                lookups.fetch_add(1, Ordering::Relaxed);
                let (tenant, database) = (tenant.clone(), database.clone());
                async move {
                    let (secrets, urls) = &*database;
                    let secret = secrets
                        .get(&tenant)
                        .ok_or_else(|| ResolveError::new("no such tenant"))?;
                    ClientConfig::builder()
                        .token_url(&urls[&tenant])
                        .tenant_id(&tenant)
                        .client_secret(secret.as_str())
                        .build()
                        .map_err(ResolveError::new)
                }
            }
        })
        .build();

    let mut requests = tokio::task::JoinSet::new();
    for n in 0..TENANTS {
        for _ in 0..REQUESTS_PER_TENANT {
            let pool = pool.clone();
            requests.spawn(async move { pool.token(&format!("customer-{n:03}")).await.map(|_| ()) });
        }
    }
    let mut ok = 0;
    while let Some(done) = requests.join_next().await {
        done??;
        ok += 1;
    }
    println!(
        "{ok} cold requests for {TENANTS} tenants: {} token requests, {} resolver calls, {} entries",
        server.token_request_count(),
        lookups.load(Ordering::Relaxed),
        pool.len()
    );

    // Each tenant's handle is a TokenSource: the middleware attaches that tenant's token.
    let mut resource_ok = 0;
    for n in [0, TENANTS / 2, TENANTS - 1] {
        let handle = pool.provider(&format!("customer-{n:03}")).await?;
        let client = AuthMiddleware::new(handle)
            .into_client_builder(&TransportOptions::new())?
            .build();
        let status = client.get(server.resource_url()).send().await?.status();
        println!("customer-{n:03} calls the resource: {status}");
        resource_ok += usize::from(status.is_success());
    }

    let unknown = pool.token(&"customer-999".to_owned()).await;
    println!(
        "an unknown tenant: {}",
        unknown
            .as_ref()
            .map_or_else(ToString::to_string, |_| "a token?".into())
    );

    let expected = TENANTS * REQUESTS_PER_TENANT;
    if ok != expected
        || server.token_request_count() != TENANTS
        || lookups.load(Ordering::Relaxed) != TENANTS + 1
        || resource_ok != 3
        || !matches!(unknown, Err(PoolError::Resolve(_)))
    {
        eprintln!("unexpected counts");
        std::process::exit(1);
    }
    println!("one token request and one lookup per tenant, however many requests");
    Ok(())
}
