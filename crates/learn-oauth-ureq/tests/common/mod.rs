//! Shared by the integration tests: a mock with one tenant and configurations for it.
#![allow(dead_code, unreachable_pub)]

use learn_oauth_mock::{MockServer, Tenant};
use learn_oauth_proto::{AuthMethod, ClientConfig};

pub const TENANT: &str = "eu-west-2_AbcdEfghI";
/// A secret distinctive enough to search for in error text.
pub const SECRET: &str = "canary-secret-9f3Kq";

/// A plain-HTTP mock on loopback with the test tenant.
pub fn server() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .start()
        .expect("mock starts")
}

/// A configuration for the mock's token URL (HTTP Basic).
pub fn config(server: &MockServer) -> ClientConfig {
    config_with(server, AuthMethod::default())
}

/// A configuration for the mock's token URL with `auth`.
pub fn config_with(server: &MockServer, auth: AuthMethod) -> ClientConfig {
    ClientConfig::builder()
        .token_url(server.token_url(TENANT))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .auth_method(auth)
        .build()
        .expect("valid config")
}

/// Everything an error prints: `Display`, `Debug` and every source's `Display`.
pub fn all_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error} {error:?}");
    let mut next = error.source();
    while let Some(e) = next {
        text.push_str(&format!(" | {e} {e:?}"));
        next = e.source();
    }
    text
}

/// A virtual clock: it starts at the real `now` and moves only when a test advances it
/// or when the provider sleeps, which jumps straight to the deadline.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: std::time::Instant,
    offset: std::sync::Arc<std::sync::Mutex<std::time::Duration>>,
}

impl VirtualClock {
    pub fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
            offset: Default::default(),
        }
    }

    pub fn now(&self) -> std::time::Instant {
        self.start + *self.offset.lock().unwrap()
    }

    /// How far virtual time has moved since the clock was made.
    pub fn elapsed(&self) -> std::time::Duration {
        *self.offset.lock().unwrap()
    }

    pub fn advance(&self, by: std::time::Duration) {
        *self.offset.lock().unwrap() += by;
    }

    /// Moves to `deadline` if it is later than now.
    pub fn jump_to(&self, deadline: std::time::Instant) {
        let mut offset = self.offset.lock().unwrap();
        *offset = (*offset).max(deadline.saturating_duration_since(self.start));
    }
}
