//! One replica of a fleet, for `learn_oauth_testkit::fleet`: a blocking provider for the
//! mock at `FLEET_TOKEN_URL`, sharing through the Redis at `FLEET_REDIS_URL`, the cluster
//! with seeds `FLEET_REDIS_CLUSTER` or the primary the Sentinels at `FLEET_REDIS_SENTINEL`
//! name (URLs comma-separated), or the store directory `FLEET_FILE_DIR`, when one is set,
//! calling `token()` every 20 ms for `FLEET_RUN_MS` ms. Prints
//! `calls=N expired=N errors=N max_ms=N leased=N adopted=N` and exits 0, or 1 if it
//! could not run. `FLEET_REQUEST_TIMEOUT_MS` sets the policy's request timeout (the lease is
//! that plus 1 s). `FLEET_REDIS_CA_FILE` names a PEM file of CA certificates to trust for a
//! `rediss://` Redis instead of the webpki roots.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{Sealing, SealingKey, SharedStore};
use learn_oauth_file::FileStore;
use learn_oauth_proto::{ClientConfig, RefreshPolicy};
use learn_oauth_redis::{RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures::{SECRET, TENANT};
use learn_oauth_ureq::TokenProvider;

fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let run = Duration::from_millis(var("FLEET_RUN_MS").parse().unwrap_or(5_000));
    let config = ClientConfig::builder()
        .token_url(var("FLEET_TOKEN_URL"))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .build();
    let Ok(config) = config else {
        eprintln!("fleet-replica: FLEET_TOKEN_URL is not a token URL");
        return ExitCode::FAILURE;
    };
    let mut builder = TokenProvider::builder(config);
    if let Ok(ms) = var("FLEET_REQUEST_TIMEOUT_MS").parse::<u64>() {
        let mut policy = RefreshPolicy::default();
        policy.request_timeout = Duration::from_millis(ms);
        builder = builder.policy(policy);
    }
    // Every replica of the harness holds the same sealing key, as a fleet's would.
    let Ok(key) = SealingKey::new(1, &[0x5a; 32]) else {
        return ExitCode::FAILURE;
    };
    let urls = |name: &str| var(name).split(',').map(str::to_owned).collect::<Vec<_>>();
    let redis = match (
        var("FLEET_REDIS_URL"),
        var("FLEET_REDIS_CLUSTER"),
        var("FLEET_REDIS_SENTINEL"),
    ) {
        (node, _, _) if !node.is_empty() => Some(RedisConfig::node(&node)),
        (_, seeds, _) if !seeds.is_empty() => Some(RedisConfig::cluster(urls("FLEET_REDIS_CLUSTER"))),
        (_, _, sentinels) if !sentinels.is_empty() => Some(RedisConfig::sentinel(
            urls("FLEET_REDIS_SENTINEL"),
            learn_oauth_testkit::redis_sentinel::SERVICE_NAME,
        )),
        _ => None,
    };
    if let Some(redis) = redis {
        let Ok(mut config) = redis else {
            eprintln!("fleet-replica: FLEET_REDIS_* holds no Redis URL");
            return ExitCode::FAILURE;
        };
        let ca_file = var("FLEET_REDIS_CA_FILE");
        if !ca_file.is_empty() {
            let trusted = std::fs::read(&ca_file)
                .ok()
                .and_then(|pem| config.root_certificates(&pem).ok());
            let Some(trusted) = trusted else {
                eprintln!("fleet-replica: FLEET_REDIS_CA_FILE holds no usable CA certificate");
                return ExitCode::FAILURE;
            };
            config = trusted;
        }
        let store = RedisStore::open(config);
        builder = builder.shared_store(SharedStore::blocking(store, Sealing::new(key)));
    } else if !var("FLEET_FILE_DIR").is_empty() {
        let store = match FileStore::open(var("FLEET_FILE_DIR")) {
            Ok(store) => store,
            Err(error) => {
                eprintln!("fleet-replica: FLEET_FILE_DIR: {error}");
                return ExitCode::FAILURE;
            }
        };
        builder = builder.shared_store(SharedStore::blocking(store, Sealing::new(key)));
    }
    let Ok(provider) = builder.build() else {
        eprintln!("fleet-replica: no transport");
        return ExitCode::FAILURE;
    };
    let (mut calls, mut expired, mut errors, mut max) = (0u64, 0u64, 0u64, Duration::ZERO);
    let end = Instant::now() + run;
    while Instant::now() < end {
        let asked = Instant::now();
        let answer = provider.token();
        max = max.max(asked.elapsed());
        match answer {
            Ok(token) => {
                calls += 1;
                if token.is_expired(Instant::now()) {
                    expired += 1;
                }
            }
            Err(error) => {
                errors += 1;
                eprintln!("fleet-replica: {error}");
            }
        }
        // The replica's own pace between calls (not a synchronisation).
        std::thread::sleep(Duration::from_millis(20));
    }
    let store = provider.stats().store;
    println!(
        "calls={calls} expired={expired} errors={errors} max_ms={} leased={} adopted={}",
        max.as_millis(),
        store.fetched_with_lease,
        store.adopted
    );
    ExitCode::SUCCESS
}
