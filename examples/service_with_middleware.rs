//! A service that never touches a token: `cargo run --example service_with_middleware`.
//!
//! Its HTTP client is a `reqwest-middleware` client with learn-oauth's `AuthMiddleware`:
//! every request gets `Authorization: Bearer …` from one shared provider, and a 401 from
//! the resource is handled for it — the token is invalidated and the request sent once
//! more with a new one. There is no 401 handling in this file.
//!
//! Four tasks call the mock's protected resource 25 times each; half-way through, the
//! mock revokes every token it issued (as when the platform rotates keys), so the next
//! calls get 401 and the middleware's retry really runs. It prints what the provider
//! counted, and exits non-zero unless every call got a 200 with exactly two token
//! requests (the first token and its replacement) and one invalidation.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use learn_oauth::reqwest::TokenProvider;
use learn_oauth::reqwest::middleware::AuthMiddleware;
use learn_oauth::{ClientConfig, RefreshPolicy, TransportOptions};
use learn_oauth_mock::{MockServer, Tenant};
use reqwest_middleware::ClientWithMiddleware;

const TASKS: usize = 4;
const CALLS_PER_TASK: usize = 25;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .tenant(Tenant::new("svc-tenant", "svc-secret"))
        .start()?;
    let config = ClientConfig::builder()
        .token_url(server.token_url("svc-tenant"))
        .tenant_id("svc-tenant")
        .client_secret("svc-secret")
        .build()?;
    // After an invalidation the next token request waits out a cool-down (5 s by
    // default), so a resource that refuses every token cannot drive a request loop. The
    // mock revokes its tokens a moment after issuing them: a short cool-down keeps the
    // example quick.
    let mut policy = RefreshPolicy::default();
    policy.invalidate_cooldown = Duration::from_millis(50);
    let provider = TokenProvider::builder(config).policy(policy).build()?;

    // The service's client, with the middleware in front. Its TLS comes with it (rustls
    // with ring, set on the client): no process-wide crypto provider to install, however
    // reqwest was added.
    let client: ClientWithMiddleware = AuthMiddleware::new(provider.clone())
        .into_client_builder(&TransportOptions::new())?
        .build();

    let ok = Arc::new(AtomicUsize::new(0));
    let mut failed = Vec::new();
    for half in 0..2 {
        if half == 1 {
            server.revoke_all_tokens();
            println!("revoked every token the mock had issued");
        }
        let mut tasks = Vec::new();
        for _ in 0..TASKS {
            let (client, url, ok) = (client.clone(), server.resource_url(), ok.clone());
            tasks.push(tokio::spawn(async move {
                let mut failed = Vec::new();
                for _ in 0..CALLS_PER_TASK / 2 + half * (CALLS_PER_TASK % 2) {
                    match client.get(&url).send().await {
                        Ok(response) if response.status().is_success() => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(response) => failed.push(format!("status {}", response.status())),
                        Err(error) => failed.push(error.to_string()),
                    }
                }
                failed
            }));
        }
        for task in tasks {
            failed.extend(task.await?);
        }
    }

    let ok = ok.load(Ordering::Relaxed);
    let stats = provider.stats();
    println!(
        "{ok} calls answered 200; the resource saw {} requests; the mock issued {} tokens",
        server.resource_request_count(),
        server.token_request_count()
    );
    println!(
        "provider stats: {} token requests, {} tokens received, {} invalidation(s), {} failure(s)",
        stats.fetches,
        stats.tokens_received,
        stats.invalidations,
        stats.failures.total()
    );
    let expected_calls = TASKS * CALLS_PER_TASK;
    if !failed.is_empty() || ok != expected_calls || stats.fetches != 2 || stats.invalidations != 1 {
        eprintln!(
            "unexpected: {} of {expected_calls} calls failed: {failed:?}; {stats:?}",
            failed.len()
        );
        std::process::exit(1);
    }
    println!("every call succeeded without a line of 401 handling in the service");
    Ok(())
}
