//! What the transports' HTTP stacks log at TRACE, captured through `log` while a canary
//! secret and token cross the wire (issue 10, item 2).
//!
//! ureq's protocol layer (`ureq_proto`) hex-dumps every request head and response body at
//! TRACE, credentials and token included, and offers no switch to turn that off: it is
//! the one target that must be filtered, and the README and the crate docs say so
//! (`ureq_proto=off`, or any level above TRACE for it). This test checks that nothing
//! else — our crates, ureq itself, reqwest, hyper, rustls — logs either at any level, so
//! that one directive is enough. Its own binary: a process has one logger.

use std::sync::{Mutex, OnceLock, PoisonError};

use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::{AuthMethod, ClientConfig};

/// Every record logged: (target, message).
static RECORDS: OnceLock<Mutex<Vec<(String, String)>>> = OnceLock::new();

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let records = RECORDS.get_or_init(Mutex::default);
        records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((record.target().to_owned(), record.args().to_string()));
    }
    fn flush(&self) {}
}

const SECRET: &str = "Canary-Secret-Zq9Wx7Kp";

#[test]
fn at_trace_only_ureq_proto_logs_credentials_so_one_filter_directive_suffices() {
    log::set_logger(&Capture).expect("the only logger of this process");
    log::set_max_level(log::LevelFilter::Trace);
    let server = MockServer::builder()
        .tenant(Tenant::new("canary-tenant", SECRET))
        .start()
        .expect("mock starts");
    let mut tokens = Vec::new();
    for auth in [AuthMethod::default(), AuthMethod::FormBody] {
        let config = ClientConfig::builder()
            .token_url(server.token_url("canary-tenant"))
            .tenant_id("canary-tenant")
            .client_secret(SECRET)
            .auth_method(auth)
            .build()
            .expect("a config");
        server.enqueue(Fault::status(500));
        let blocking = learn_oauth_ureq::TokenProvider::new(config.clone()).expect("a provider");
        tokens.push(blocking.token().expect("a token"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let asynchronous = learn_oauth_reqwest::TokenProvider::new(config).expect("a provider");
        tokens.push(runtime.block_on(asynchronous.token()).expect("a token"));
    }
    let records = RECORDS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    assert!(
        records.iter().any(|(target, _)| target.starts_with("ureq")),
        "TRACE records were captured"
    );
    assert!(
        records
            .iter()
            .any(|(target, _)| target.starts_with("hyper") || target.starts_with("reqwest"))
    );
    let basic = base64_of(&format!("canary-tenant:{SECRET}"));
    let mut canaries: Vec<String> = vec![SECRET.to_owned(), basic];
    canaries.extend(tokens.iter().map(|t| t.expose_secret().to_owned()));
    let mut filtered_out = 0;
    for (target, message) in &records {
        if target == "ureq_proto" || target.starts_with("ureq_proto::") {
            filtered_out += 1;
            continue;
        }
        for canary in &canaries {
            assert!(
                !message.contains(canary.as_str()),
                "{target} logged a credential: {message}"
            );
        }
    }
    assert!(
        filtered_out > 0,
        "ureq_proto logged nothing: update the docs, the dump may be gone"
    );
}

/// Standard base64, written here so the check does not use the code under test.
fn base64_of(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
