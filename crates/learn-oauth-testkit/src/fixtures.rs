//! The mock tenant, servers for it and configurations that reach them.

use std::time::Duration;

use learn_oauth_driver::TransportOptions;
use learn_oauth_mock::{MockServer, Tenant};
use learn_oauth_proto::{AuthMethod, ClientConfig, RefreshPolicy};

/// The mock's tenant id.
pub const TENANT: &str = "eu-west-2_AbcdEfghI";
/// The tenant's secret, distinctive enough to search for in error text.
pub const SECRET: &str = "canary-secret-9f3Kq";
/// The jitter seed providers under test are built with.
pub const JITTER_SEED: u64 = 7;

/// A plain-HTTP mock on loopback with the test tenant.
#[must_use]
pub fn server() -> MockServer {
    server_from(MockServer::builder().tenant(Tenant::new(TENANT, SECRET)))
}

/// A mock over HTTPS with its own throwaway CA.
#[must_use]
pub fn https_server() -> MockServer {
    server_from(
        MockServer::builder()
            .tenant(Tenant::new(TENANT, SECRET))
            .https(true),
    )
}

/// A mock that knows the tenant by another secret: every request is unauthorized.
#[must_use]
pub fn server_with_other_secret() -> MockServer {
    server_from(MockServer::builder().tenant(Tenant::new(TENANT, "other")))
}

fn server_from(builder: learn_oauth_mock::MockServerBuilder) -> MockServer {
    builder.start().expect("mock starts")
}

/// A configuration for the mock's token URL (HTTP Basic).
#[must_use]
pub fn config(server: &MockServer) -> ClientConfig {
    config_with(server, AuthMethod::default())
}

/// A configuration for the mock's token URL with `auth`.
#[must_use]
pub fn config_with(server: &MockServer, auth: AuthMethod) -> ClientConfig {
    config_for(&server.token_url(TENANT), |builder| builder.auth_method(auth))
}

/// A configuration for the mock's token URL asking for the `api/read` scope only.
#[must_use]
pub fn config_with_read_scope(server: &MockServer) -> ClientConfig {
    config_for(&server.token_url(TENANT), |builder| builder.scopes(["api/read"]))
}

/// A configuration for the in-memory endpoint
/// ([`MemoryTransport`](crate::memory::MemoryTransport)): any URL will do, nothing is sent.
#[must_use]
pub fn memory_config() -> ClientConfig {
    config_for(&format!("https://memory.invalid/oauth2/token/{TENANT}"), |b| b)
}

/// A configuration for an `https` token URL on loopback whose server accepts every
/// connection, reads the client's first TLS message and then closes it (`reset`: with a
/// TCP reset, by closing with most of that message unread, which makes the kernel send
/// one). The server runs on a detached thread for the rest of the process.
#[must_use]
pub fn config_for_handshake_dropper(reset: bool) -> ClientConfig {
    use std::io::Read as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("a bound port");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut hello = vec![0_u8; if reset { 1 } else { 16 * 1024 }];
            let _ = stream.read(&mut hello);
            drop(stream);
        }
    });
    config_for(&format!("https://{addr}/oauth2/token/{TENANT}"), |b| b)
}

/// A configuration for a loopback port nobody listens on: the connection is refused.
#[must_use]
pub fn config_for_closed_port() -> ClientConfig {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("a bound port").port()
    };
    config_for(&format!("http://127.0.0.1:{port}/oauth2/token/{TENANT}"), |b| b)
}

fn config_for(
    token_url: &str,
    customize: impl FnOnce(learn_oauth_proto::ClientConfigBuilder) -> learn_oauth_proto::ClientConfigBuilder,
) -> ClientConfig {
    customize(
        ClientConfig::builder()
            .token_url(token_url)
            .tenant_id(TENANT)
            .client_secret(SECRET),
    )
    .build()
    .expect("valid config")
}

/// A short timeout for one token request (200 ms), so slow-server faults end fast.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(200);

/// A refresh policy with short, jitter-free waits: backoff from 1 s to 8 s, refresh 60 s
/// ahead, 10 s safety margin.
#[must_use]
pub fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.initial_backoff = Duration::from_secs(1);
    policy.max_backoff = Duration::from_secs(8);
    policy.refresh_ahead = Duration::from_secs(60);
    policy.safety_margin = Duration::from_secs(10);
    policy.refresh_jitter = 0.0;
    policy.backoff_jitter = 0.0;
    policy
}

/// Root certificate settings every transport must refuse to build with, each with the
/// refusal it must get: a PEM bundle that does not parse (`"invalid pem"`), an empty one
/// (`"no certificate"`), DER that is not a certificate (`"invalid certificate"`), and no
/// roots at all (`"no roots"`).
pub fn refused_root_options() -> Vec<(TransportOptions, &'static str)> {
    vec![
        (
            TransportOptions::new()
                .add_root_certificates_pem("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
            "invalid pem",
        ),
        (
            TransportOptions::new().add_root_certificates_pem("not pem"),
            "no certificate",
        ),
        (
            TransportOptions::new().add_root_certificates_pem(""),
            "no certificate",
        ),
        (
            TransportOptions::new().add_root_certificate_der(vec![1, 2, 3]),
            "invalid certificate",
        ),
        (TransportOptions::new().with_built_in_roots(false), "no roots"),
    ]
}

/// Options trusting `server`'s CA: as PEM on top of the built-in roots, and as DER alone.
pub fn trusting_mock_ca(server: &MockServer) -> [TransportOptions; 2] {
    let pem = server.ca_certificate_pem().expect("an https mock");
    let der = server.ca_certificate_der().expect("an https mock");
    [
        TransportOptions::new().add_root_certificates_pem(pem),
        TransportOptions::new()
            .with_built_in_roots(false)
            .add_root_certificate_der(der),
    ]
}

/// A configuration whose token URL is a second mock that answers the next token request
/// with `307 Temporary Redirect` to `server`'s token URL. For testing that no transport
/// takes a token from a redirect. Keep the redirecting mock (the second value) alive
/// while the configuration is used.
#[must_use]
pub fn config_redirected_to(server: &MockServer, auth: AuthMethod) -> (ClientConfig, MockServer) {
    let redirector = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .start()
        .expect("mock starts");
    let location = server.token_url(TENANT);
    redirector.enqueue(learn_oauth_mock::Fault::raw(307, &[("Location", &location)], ""));
    let config = config_for(&redirector.token_url(TENANT), |b| b.auth_method(auth));
    (config, redirector)
}
