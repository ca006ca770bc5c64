//! Sixteen replica processes sharing through a real Redis Cluster: one token request per
//! refresh period (+1 at a lease race), and with the primary of the token's slot killed
//! mid-run (its replica promoted), no replica gets an error or an expired token and no
//! call waits past the store's bound: one operation timeout when nothing was in flight,
//! the peer wait when a replica held the lease.

use std::time::{Duration, Instant};

use learn_oauth_driver::store::StoreKeyNames;
use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_testkit::fleet::{self, FleetRun, Sharing, run_fleet_at};
use learn_oauth_testkit::redis_cluster::RedisCluster;

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

#[test]
fn sixteen_processes_share_one_token_per_refresh_period_through_a_cluster() {
    let _one = fleet::one_at_a_time();
    let cluster = RedisCluster::start();
    let server = fleet::mock();
    let periods = fleet::max_periods(RUN);
    let run = run_fleet_at(REPLICA, 16, &server, Sharing::from(&cluster), RUN, || {});
    eprintln!(
        "cluster fleet: {} requests over at most {periods} periods, slowest call {} ms",
        run.requests, run.max_ms
    );
    run.assert_shared(16, RUN);
}

#[test]
fn with_the_tokens_primary_killed_between_refreshes_no_call_waits_past_one_operation() {
    let _one = fleet::one_at_a_time();
    let mut cluster = RedisCluster::start();
    let server = fleet::mock();
    let keys = fleet::token_key_names(&server);
    // The first token published and its lease released: nothing of the fleet's is in flight.
    let run = failover_run(&mut cluster, &server, &keys, |cluster| {
        exists(cluster, keys.token()) && !exists(cluster, keys.lease())
    });
    let bound = StorePolicy::default().op_timeout + Duration::from_secs(1);
    assert!(
        Duration::from_millis(run.max_ms) < bound,
        "slowest call {} ms",
        run.max_ms
    );
}

#[test]
fn with_the_tokens_primary_killed_while_a_replica_holds_the_lease_no_call_waits_past_the_peer_wait() {
    let _one = fleet::one_at_a_time();
    let mut cluster = RedisCluster::start();
    let server = fleet::mock();
    let keys = fleet::token_key_names(&server);
    // The first token request takes a second: its sender holds the lease when the primary
    // dies, and its publish (and release) fail. The lease may live on in the promoted
    // replica; the others wait for that peer at most the policy's peer wait.
    server.enqueue(Fault::Delay(Duration::from_secs(1)));
    let run = failover_run(&mut cluster, &server, &keys, |cluster| {
        exists(cluster, keys.lease())
    });
    let policy = StorePolicy::default();
    let bound = policy.peer_wait + policy.op_timeout + Duration::from_secs(1);
    assert!(
        Duration::from_millis(run.max_ms) < bound,
        "slowest call {} ms",
        run.max_ms
    );
}

/// Sixteen replicas for [`RUN`]; once `ready` holds, the primary of the token's slot is
/// killed and its replica's promotion awaited. `report` asserts that no replica got an
/// error or an expired token.
fn failover_run(
    cluster: &mut RedisCluster,
    server: &MockServer,
    keys: &StoreKeyNames,
    ready: impl Fn(&RedisCluster) -> bool,
) -> FleetRun {
    let mut failover = Duration::ZERO;
    let store = Sharing::from(&*cluster);
    let run = run_fleet_at(REPLICA, 16, server, store, RUN, || {
        fleet::until("the fleet's first steps", Duration::from_secs(5), || {
            ready(cluster)
        });
        let killed = cluster.kill_primary_of(keys.token());
        let began = Instant::now();
        cluster.await_failover(keys.token(), killed);
        failover = began.elapsed();
    });
    eprintln!(
        "cluster failover ({failover:?}): {} requests over at most {} periods, slowest call {} ms",
        run.requests,
        fleet::max_periods(RUN),
        run.max_ms
    );
    run.assert_kept_calling(16);
    run
}

/// Whether `key` exists on the primary of its slot.
fn exists(cluster: &RedisCluster, key: &str) -> bool {
    cluster.command(key, &["EXISTS", key]).as_deref() == Some(":1\r\n")
}
