//! Sixteen replica processes sharing through the primary Redis Sentinel names: one token
//! request per refresh period (+1 at a lease race), and with a `SENTINEL FAILOVER` mid-run,
//! no replica gets an error or an expired token and no call waits past the store's bound.

use std::time::{Duration, Instant};

use learn_oauth_proto::store::StorePolicy;
use learn_oauth_testkit::fleet::{self, Sharing, run_fleet_at};
use learn_oauth_testkit::redis_sentinel::RedisSentinel;

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

#[test]
fn sixteen_processes_share_one_token_per_refresh_period_through_sentinel() {
    let _one = fleet::one_at_a_time();
    let set = RedisSentinel::start();
    let server = fleet::mock();
    let periods = fleet::max_periods(RUN);
    let run = run_fleet_at(REPLICA, 16, &server, Sharing::from(&set), RUN, || {});
    eprintln!(
        "sentinel fleet: {} requests over at most {periods} periods, slowest call {} ms",
        run.requests, run.max_ms
    );
    run.assert_shared(16, RUN);
}

#[test]
fn with_a_sentinel_failover_mid_run_every_replica_keeps_getting_tokens_within_the_bound() {
    let _one = fleet::one_at_a_time();
    let set = RedisSentinel::start();
    let server = fleet::mock();
    let mut failover = Duration::ZERO;
    let run = run_fleet_at(REPLICA, 16, &server, Sharing::from(&set), RUN, || {
        fleet::until("a first token", Duration::from_secs(5), || {
            server.token_request_count() > 0
        });
        let began = Instant::now();
        set.failover();
        failover = began.elapsed();
    });
    eprintln!(
        "sentinel failover ({failover:?}): {} requests over at most {} periods, slowest call {} ms",
        run.requests,
        fleet::max_periods(RUN),
        run.max_ms
    );
    let bound = StorePolicy::default().op_timeout + Duration::from_secs(1);
    assert!(
        Duration::from_millis(run.max_ms) < bound,
        "slowest call {} ms",
        run.max_ms
    );
    run.assert_kept_calling(16);
}
