//! Real OS processes, a real Redis and the mock: with the shared store 16 processes make
//! at most one token request per refresh period (+1 at a lease race), where each would
//! make its own; a Redis killed mid-run, or a lease holder killed mid-request, costs no
//! replica a token.

use std::time::{Duration, Instant};

use learn_oauth_mock::Fault;
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_testkit::fleet::{self, ReplicaSpec, Sharing, report, run_fleet, until};
use learn_oauth_testkit::redis_server::RedisServer;

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

#[test]
fn sixteen_processes_share_one_token_per_refresh_period() {
    let redis = RedisServer::start();
    let shared = run_fleet(REPLICA, 16, Sharing::from(&redis), RUN);
    shared.assert_shared(16, RUN);

    let alone = run_fleet(REPLICA, 16, Sharing::Alone, RUN);
    assert!(
        alone.requests >= 16 * 3,
        "without the store every process fetches on its own: {}",
        alone.requests
    );
}

#[test]
fn with_redis_killed_mid_run_every_replica_keeps_getting_tokens_within_the_bound() {
    let mut redis = RedisServer::start();
    let server = fleet::mock();
    let spec = ReplicaSpec {
        binary: REPLICA,
        server: &server,
        sharing: Sharing::from(&redis),
        run: Duration::from_secs(7),
        request_timeout: None,
    };
    let children: Vec<_> = (0..4).map(|_| spec.spawn()).collect();
    // Once the fleet has its first token, Redis dies for the rest of the run.
    until("a first token", Duration::from_secs(5), || {
        server.token_request_count() >= 1
    });
    redis.kill();
    let reports: Vec<_> = children.into_iter().map(report).collect();
    // Each refresh after the kill is a replica's own (several periods pass); no call waited
    // longer than one store operation timeout plus the token request.
    assert!(
        server.token_request_count() >= 4 * 2,
        "{} requests",
        server.token_request_count()
    );
    let bound = StorePolicy::default().op_timeout + Duration::from_secs(1);
    for r in &reports {
        assert!(Duration::from_millis(r.max_ms) < bound, "{r:?}");
        assert!(r.calls > 100, "{r:?}");
    }
}

#[test]
fn a_lease_holder_killed_mid_request_is_taken_over_when_its_lease_ends() {
    let redis = RedisServer::start();
    let server = fleet::mock();
    // The first request hangs: its sender holds the lease when it is killed.
    server.enqueue(Fault::Delay(Duration::from_secs(30)));
    let holder = ReplicaSpec {
        binary: REPLICA,
        server: &server,
        sharing: Sharing::from(&redis),
        run: Duration::from_secs(30),
        request_timeout: Some(Duration::from_secs(2)), // a lease of 3 s
    };
    let mut holder = holder.spawn();
    let lease = fleet::token_key_names(&server).lease().to_owned();
    until("the holder's lease", Duration::from_secs(5), || {
        redis.command(&["EXISTS", &lease]).as_deref() == Some(":1\r\n")
    });
    until("the holder's request at the mock", Duration::from_secs(5), || {
        server.pending_faults() == 0
    });
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
    let started = Instant::now();
    let successor = ReplicaSpec {
        binary: REPLICA,
        server: &server,
        sharing: Sharing::from(&redis),
        run: Duration::from_millis(200),
        request_timeout: Some(Duration::from_secs(20)),
    };
    let successor = report(successor.spawn());
    let took = started.elapsed();
    assert_eq!(
        successor.leased, 1,
        "it took the lease once the dead holder's ended: {successor:?}"
    );
    assert!(
        took < Duration::from_secs(5),
        "no longer than the lease's rest: {took:?}"
    );
    assert!(
        Duration::from_millis(successor.max_ms) > Duration::from_millis(500),
        "it waited for the lease rather than racing the holder: {successor:?}"
    );
    // The mock counts a request once answered: the holder's is still hanging there.
    assert_eq!(
        server.token_request_count(),
        1,
        "the successor's request, answered"
    );
}
