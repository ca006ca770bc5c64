//! A rotated secret: the token cached for the old one is never served for the new one.
//!
//! A test binary of its own: it swaps the mock behind one token URL (a new mock on the old
//! one's port), and another test of the same process spawning a CLI at that moment would
//! hold a copy of the old listener from its fork until its exec, so the port could not be
//! bound again. Here nothing else spawns.
#![cfg(unix)]

mod common;

use common::{TENANT, World, run};
use learn_oauth_mock::{MockServer, Tenant};

/// A mock on `port` (0: any) whose tenant has `secret`.
fn mock(port: u16, secret: &str) -> MockServer {
    MockServer::builder()
        .port(port)
        .tenant(Tenant::new(TENANT, secret))
        .start()
        .expect("mock starts")
}

#[test]
fn after_the_secret_is_rotated_the_next_token_is_fetched_anew() {
    let world = World::new();
    // The new mock takes over the old one's port. A port from the kernel's ephemeral range
    // could be handed to another process's port-0 bind in between; one below it (Linux's
    // starts at 32768) is only ever taken by an explicit bind, so it is looked for once.
    let (before, port) = (20_000..32_000)
        .step_by(7)
        .map(|port| port + u16::try_from(std::process::id() % 7).unwrap_or(0))
        .find_map(|port| {
            MockServer::builder()
                .port(port)
                .tenant(Tenant::new(TENANT, "CANARY-old-secret"))
                .start()
                .ok()
                .map(|server| (server, port))
        })
        .expect("a free port below the ephemeral range");
    let url = before.token_url(TENANT);
    let cli = |secret: &str| {
        let mut command = world.cli();
        command
            .env("LEARN_TOKEN_URL", &url)
            .env("LEARN_API_SECRET", secret);
        command
    };
    let old = run(&mut cli("CANARY-old-secret"), &["token"]).expect(0).stdout;
    drop(before);
    // The tenant's secret changes at the endpoint, and in the user's environment.
    let after = mock(port, "CANARY-new-secret");
    assert_eq!(after.token_url(TENANT), url, "the same endpoint");
    let new = run(&mut cli("CANARY-new-secret"), &["token"]).expect(0).stdout;
    assert_eq!(after.token_request_count(), 1, "fetched anew");
    assert_ne!(new, old, "not the token of the old secret");
    assert_eq!(
        run(&mut cli("CANARY-new-secret"), &["token"]).expect(0).stdout,
        new
    );
    assert_eq!(after.token_request_count(), 1, "then cached for the new secret");
}
