//! The `tracing` feature: every event and span field, at TRACE and from every crate in
//! the process (ours, reqwest, hyper, ureq), captured while a canary secret and its
//! tokens run through success, a failed token request with a retry, bad credentials, a
//! secret-echoing error body, and a 401 at the resource that the middleware retries:
//! the events are there, with their OpenTelemetry field names, and no field holds the
//! secret, a token or an `Authorization` value. Its own binary: one global subscriber.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::{ClientConfig, RefreshPolicy};
use learn_oauth_reqwest::middleware::AuthMiddleware;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET: &str = "Canary-Secret-Tr4c3Zq";
const TENANT: &str = "trace-tenant";

/// Every event and span, as `target level message field=value …`.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

fn push(metadata: &Metadata<'_>, record: impl FnOnce(&mut Line)) {
    let mut line = Line(format!("{} {}", metadata.target(), metadata.level()));
    record(&mut line);
    LINES.lock().unwrap_or_else(PoisonError::into_inner).push(line.0);
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        push(span.metadata(), |line| span.record(line));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = Line("span record".to_owned());
        values.record(&mut line);
        LINES.lock().unwrap_or_else(PoisonError::into_inner).push(line.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        push(event.metadata(), |line| event.record(line));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn config(server: &MockServer, secret: &str) -> ClientConfig {
    ClientConfig::builder()
        .token_url(server.token_url(TENANT))
        .tenant_id(TENANT)
        .client_secret(secret)
        .build()
        .expect("a config")
}

fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.initial_backoff = Duration::from_millis(5);
    policy.backoff_jitter = 0.0;
    policy.invalidate_cooldown = Duration::from_millis(1);
    policy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_traced_and_no_field_holds_a_secret_or_token() {
    tracing::subscriber::set_global_default(Capture).expect("the only subscriber of this process");
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .start()
        .expect("mock starts");
    let mut tokens = Vec::new();

    // A 503 with Retry-After, then a token; then a 401 at the resource, retried.
    let provider = learn_oauth_reqwest::TokenProvider::builder(config(&server, SECRET))
        .policy(policy())
        .build()
        .expect("a provider");
    server.enqueue(Fault::retry_after(503, 1));
    tokens.push(provider.token().await.expect("a token after the retry"));
    server.revoke_all_tokens();
    let client = AuthMiddleware::new(provider.clone())
        .into_client_builder(&learn_oauth_driver::TransportOptions::new())
        .expect("a client")
        .build();
    let response = client.get(server.resource_url()).send().await.expect("an answer");
    assert_eq!(response.status(), 200, "retried with a new token");
    tokens.push(provider.token().await.expect("the new token"));

    // The blocking provider: a secret-echoing error body, then bad credentials.
    let blocking = learn_oauth_ureq::TokenProvider::builder(config(&server, SECRET))
        .policy(policy())
        .build()
        .expect("a provider");
    server.enqueue(Fault::raw(
        400,
        &[("Content-Type", "application/json")],
        format!(
            r#"{{"error":"invalid_client","error_description":"secret {SECRET} token {}"}}"#,
            tokens[0].expose_secret()
        ),
    ));
    let blocking = tokio::task::spawn_blocking(move || {
        let _ = blocking.token().expect_err("a refused request");
        blocking
    })
    .await
    .expect("no panic");
    let wrong = learn_oauth_ureq::TokenProvider::builder(config(&server, "wrong-secret"))
        .policy(policy())
        .build()
        .expect("a provider");
    let wrong = tokio::task::spawn_blocking(move || {
        let _ = wrong.token().expect_err("bad credentials");
        wrong
    })
    .await
    .expect("no panic");

    // A shared store (a real redis-server): a planted value that does not open is refused
    // and traced; the token published to Redis (sealed) and the one read back are not in
    // any field either.
    let redis = learn_oauth_testkit::redis_server::RedisServer::start();
    let redis_config = redis.config();
    let store = move || {
        let key = learn_oauth_driver::store::SealingKey::new(1, &[7; 32]).expect("a key");
        learn_oauth_driver::store::SharedStore::blocking(
            learn_oauth_redis::RedisStore::open(redis_config.clone()),
            learn_oauth_driver::store::Sealing::new(key),
        )
    };
    let token_key = store().key_names_for(&config(&server, SECRET)).token().to_owned();
    // Plaintext, as a replica without the key (or an attacker) would write it.
    let _ = redis.command(&["SET", &token_key, "LO\u{1}p{}", "PX", "60000"]);
    let replicas = tokio::task::spawn_blocking(move || {
        let build = || {
            learn_oauth_ureq::TokenProvider::builder(config(&server, SECRET))
                .shared_store(store())
                .build()
                .expect("a provider")
        };
        let first = build().token().expect("a token despite the planted value");
        let second = build().token().expect("the first replica's token");
        assert!(first.expose_secret() == second.expose_secret());
        (server, first)
    })
    .await
    .expect("no panic");
    let (server, shared_token) = replicas;
    tokens.push(shared_token);

    let lines = LINES.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let ours: Vec<&String> = lines.iter().filter(|l| l.starts_with("learn_oauth ")).collect();
    let has = |needle: &str| ours.iter().any(|l| l.contains(needle));
    for expected in [
        "token request started",
        "token request failed",
        "http.response.status_code=503",
        "learn_oauth.outcome=server_retryable",
        "token request retry scheduled",
        "learn_oauth.retry.retry_after_honoured=true",
        "token request succeeded",
        "token invalidated",
        "retrying once with a new one",
        "token requests held off",
        "shared store value refused",
        "learn_oauth.reason=not a sealed value of this version",
        "shared store request finished",
        "learn_oauth.store_outcome=Adopted",
        "learn_oauth.outcome=rejected",
        "server.address=127.0.0.1",
        &format!("url.full=http://{}/oauth2/token/{TENANT}", server.local_addr()),
    ] {
        assert!(has(expected), "no event with {expected:?} in:\n{ours:#?}");
    }
    assert!(lines.len() > ours.len(), "other crates' events were captured too");

    let mut canaries = vec![SECRET.to_owned(), "wrong-secret".to_owned()];
    canaries.extend(tokens.iter().map(|t| t.expose_secret().to_owned()));
    for line in &lines {
        for canary in &canaries {
            assert!(
                !line.contains(canary.as_str()),
                "a field holds a credential: {line}"
            );
        }
        assert!(
            !line.to_ascii_lowercase().contains("authorization: bearer"),
            "{line}"
        );
    }
    let stats = provider.stats();
    assert_eq!(
        (stats.fetches, stats.tokens_received, stats.invalidations),
        (3, 2, 1)
    );
    assert_eq!(stats.failures.server_retryable, 1);
    assert_eq!(blocking.stats().failures.rejected, 1);
    assert_eq!(wrong.stats().hold_offs, 1);
}
