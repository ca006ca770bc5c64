//! Prints BENCHMARKS.md's fleet table: token requests per refresh period for N = 1, 4
//! and 16 replica processes (`fleet-replica`, beside this binary), with and without a
//! shared Redis (a `redis-server` it starts on a free loopback port).
//!
//! With `BENCH_REPORT_DIR` set, also writes the same figures to `fleet.tsv` there, for
//! the report's chart: a header line, then `replicas shared without periods` (token
//! requests with the shared store, without it, and the refresh periods the run spanned).
#![forbid(unsafe_code)]

use std::fmt::Write as _;

use std::time::Duration;

use learn_oauth_testkit::fleet::{self, Sharing, run_fleet};
use learn_oauth_testkit::redis_server::RedisServer;

const RUN: Duration = Duration::from_secs(10);

fn main() {
    let replica = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("fleet-replica")))
        .filter(|path| path.exists())
        .expect("fleet-replica beside this binary (cargo build -p learn-oauth-testkit --bins)");
    let replica = replica.to_string_lossy().into_owned();
    let redis = RedisServer::start();
    // The periods a run actually spans: what one replica alone requests.
    let periods = run_fleet(&replica, 1, Sharing::Alone, RUN).requests.max(1);
    println!(
        "| replicas | token requests in {} s, shared store | per refresh period | without the store | per refresh period |",
        RUN.as_secs()
    );
    println!("|---:|---:|---:|---:|---:|");
    let mut tsv = String::from("replicas\tshared\twithout\tperiods\n");
    for n in [1, 4, 16] {
        // Each run starts cold: nothing left from the previous one.
        assert!(redis.command(&["FLUSHALL"]).is_some_and(|r| r.starts_with("+OK")));
        let shared = run_fleet(&replica, n, Sharing::from(&redis), RUN);
        let alone = run_fleet(&replica, n, Sharing::Alone, RUN);
        let per = |requests: usize| requests as f64 / periods as f64;
        println!(
            "| {n} | {} | {:.2} | {} | {:.2} |",
            shared.requests,
            per(shared.requests),
            alone.requests,
            per(alone.requests)
        );
        let _ = writeln!(tsv, "{n}\t{}\t{}\t{periods}", shared.requests, alone.requests);
    }
    println!(
        "\n{} s runs of {}-second tokens: {periods} refresh periods (the requests of one replica alone; \
         at most {} with refresh periods of at least {} ms). Every replica calls `token()` every 20 ms; \
         none was handed an expired token or an error.",
        RUN.as_secs(),
        fleet::TOKEN_LIFETIME.as_secs(),
        fleet::max_periods(RUN),
        fleet::MIN_PERIOD.as_millis()
    );
    if let Some(dir) = std::env::var_os("BENCH_REPORT_DIR") {
        let path = std::path::Path::new(&dir).join("fleet.tsv");
        std::fs::write(&path, tsv).expect("write fleet.tsv");
    }
}
