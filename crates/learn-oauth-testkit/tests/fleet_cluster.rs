//! Sixteen replica processes sharing through a real Redis Cluster: one token request per
//! refresh period (+1 at a lease race), and with the primary of the token's slot killed
//! mid-run (its replica promoted), no replica gets an error or an expired token and no
//! call waits past the store's bound.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{Sealing, SealingKey, SharedStore};
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_redis::{RedisConfig, RedisStore};
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::fleet::{self, RedisAt, run_fleet_at};
use learn_oauth_testkit::redis_cluster::RedisCluster;

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

/// One fleet at a time: each is 16 processes and six Redis processes on a small machine,
/// and a call's time is what the tests measure.
static ONE_FLEET: Mutex<()> = Mutex::new(());

fn one_fleet() -> MutexGuard<'static, ()> {
    ONE_FLEET.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn sixteen_processes_share_one_token_per_refresh_period_through_a_cluster() {
    let _one = one_fleet();
    let cluster = RedisCluster::start();
    let server = fleet::mock();
    let periods = fleet::max_periods(RUN);
    let run = run_fleet_at(REPLICA, 16, &server, Some(RedisAt::from(&cluster)), RUN, || {});
    eprintln!(
        "cluster fleet: {} requests over at most {periods} periods, slowest call {} ms",
        run.requests, run.max_ms
    );
    assert!(
        run.requests <= periods + 1,
        "{} requests over at most {periods} refresh periods",
        run.requests
    );
    assert!(run.calls > 16 * 100, "the replicas kept calling: {}", run.calls);
}

#[test]
fn with_the_tokens_primary_killed_mid_run_every_replica_keeps_getting_tokens_within_the_bound() {
    let _one = one_fleet();
    let mut cluster = RedisCluster::start();
    let server = fleet::mock();
    let token_key = token_key(&server);
    let mut failover = Duration::ZERO;
    let run = run_fleet_at(REPLICA, 16, &server, Some(RedisAt::from(&cluster)), RUN, || {
        let started = Instant::now();
        while server.token_request_count() == 0 {
            assert!(started.elapsed() < Duration::from_secs(5), "a first token");
            std::thread::yield_now();
        }
        let killed = cluster.kill_primary_of(&token_key);
        let began = Instant::now();
        cluster.await_failover(&token_key, killed);
        failover = began.elapsed();
    });
    eprintln!(
        "cluster failover ({failover:?}): {} requests over at most {} periods, slowest call {} ms",
        run.requests,
        fleet::max_periods(RUN),
        run.max_ms
    );
    // `report` asserted no errors and no expired tokens.
    let bound = StorePolicy::default().op_timeout + Duration::from_secs(1);
    assert!(
        Duration::from_millis(run.max_ms) < bound,
        "slowest call {} ms",
        run.max_ms
    );
    assert!(run.calls > 16 * 100, "the replicas kept calling: {}", run.calls);
}

/// The token value's key name for the fleet mock's configuration.
fn token_key(server: &learn_oauth_mock::MockServer) -> String {
    let config = learn_oauth_proto::ClientConfig::builder()
        .token_url(server.token_url(fixtures::TENANT))
        .tenant_id(fixtures::TENANT)
        .client_secret(fixtures::SECRET)
        .build()
        .expect("a config");
    let key = SealingKey::new(1, &[0x5a; 32]).expect("a key");
    SharedStore::blocking(
        RedisStore::open(RedisConfig::node("redis://127.0.0.1:1/").expect("a url")),
        Sealing::new(key),
    )
    .key_names_for(&config)
    .token()
    .to_owned()
}
