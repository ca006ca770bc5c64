//! A service whose workers share one provider: `cargo run --example long_running_service`.
//!
//! Four Tokio workers call the mock's protected resource in a loop for about five
//! seconds. The mock issues tokens that live three seconds, so the provider refreshes
//! ahead of expiry in the background while the workers keep using the old token. Half-way
//! through, every issued token is revoked (as if the platform rotated keys): the workers'
//! next calls get 401, they `invalidate` the token, and the provider fetches one new token
//! for all of them.
//!
//! It exits non-zero if any call ends without a 200 after one retry, or if the provider
//! sent more token requests than the refreshes and the revocation call for.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // an application reads the clock

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use learn_oauth::ClientConfig;
use learn_oauth::reqwest::TokenProvider;
use learn_oauth_examples::{call_resource, human};
use learn_oauth_mock::{MockServer, Tenant};

const WORKERS: usize = 4;
const RUN_FOR: Duration = Duration::from_secs(5);
const TOKEN_LIFETIME: Duration = Duration::from_secs(3);

#[derive(Default)]
struct Counters {
    calls: AtomicUsize,
    unauthorized: AtomicUsize,
    failures: AtomicUsize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .tenant(Tenant::new("svc-tenant", "svc-secret"))
        .token_lifetime(TOKEN_LIFETIME)
        .start()?;
    let config = ClientConfig::builder()
        .token_url(server.token_url("svc-tenant"))
        .tenant_id("svc-tenant")
        .client_secret("svc-secret")
        .scope("api/read")
        .build()?;
    let provider = TokenProvider::new(config)?;
    let resource = server.resource_url();
    let counters = Arc::new(Counters::default());
    let started = Instant::now();

    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (provider, resource, counters) = (provider.clone(), resource.clone(), counters.clone());
        workers.push(tokio::spawn(async move {
            while started.elapsed() < RUN_FOR {
                worker_call(&provider, &resource, &counters).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    tokio::time::sleep(RUN_FOR / 2).await;
    server.revoke_all_tokens();
    println!(
        "{:>6}: revoked every token the mock had issued",
        human(started.elapsed())
    );
    for worker in workers {
        worker.await?;
    }

    let calls = counters.calls.load(Ordering::Relaxed);
    let unauthorized = counters.unauthorized.load(Ordering::Relaxed);
    let failures = counters.failures.load(Ordering::Relaxed);
    let fetches = server.token_request_count();
    println!(
        "{WORKERS} workers made {calls} calls in {}: {unauthorized} answered 401 and were retried with a new token, {failures} failed",
        human(started.elapsed())
    );
    println!(
        "token requests: {fetches} (tokens live {}s; refreshed ahead of expiry, plus one after the revocation)",
        TOKEN_LIFETIME.as_secs()
    );
    // 5 s of 3-second tokens refreshed at half-life: about four fetches, plus the revocation.
    if failures > 0 || fetches > 8 || calls == 0 {
        return Err("the service did not stay healthy".into());
    }
    Ok(())
}

/// One call to the resource, with the 401 → invalidate → retry-once pattern.
async fn worker_call(provider: &TokenProvider, resource: &str, counters: &Counters) {
    counters.calls.fetch_add(1, Ordering::Relaxed);
    for attempt in 0..2 {
        let token = match provider.token().await {
            Ok(token) => token,
            Err(e) => {
                eprintln!("no token: {e}");
                break;
            }
        };
        match call_resource(provider.transport().client(), resource, &token).await {
            Ok(200) => return,
            Ok(401) if attempt == 0 => {
                counters.unauthorized.fetch_add(1, Ordering::Relaxed);
                provider.invalidate(&token);
            }
            Ok(status) => {
                eprintln!("resource answered {status}");
                break;
            }
            Err(e) => {
                eprintln!("resource call failed: {e}");
                break;
            }
        }
    }
    counters.failures.fetch_add(1, Ordering::Relaxed);
}
