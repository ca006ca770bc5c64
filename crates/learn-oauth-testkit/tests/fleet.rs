//! 16 real OS processes, a real Redis and the mock: with the shared store the fleet makes
//! at most one token request per refresh period (+1 at a lease race); without it, each
//! process makes its own.

use std::time::Duration;

use learn_oauth_testkit::fleet::{self, run_fleet};
use learn_oauth_testkit::redis_server::RedisServer;

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

#[test]
fn sixteen_processes_share_one_token_per_refresh_period() {
    let redis = RedisServer::start();
    let periods = fleet::max_periods(RUN);
    let shared = run_fleet(REPLICA, 16, Some(&redis), RUN);
    assert!(
        shared.requests <= periods + 1,
        "{} requests over at most {periods} refresh periods",
        shared.requests
    );
    assert!(
        shared.calls > 16 * 100,
        "the replicas kept calling: {}",
        shared.calls
    );

    let alone = run_fleet(REPLICA, 16, None, RUN);
    assert!(
        alone.requests >= 16 * 3,
        "without the store every process fetches on its own: {}",
        alone.requests
    );
}
