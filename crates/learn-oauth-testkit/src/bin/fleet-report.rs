//! Prints BENCHMARKS.md's fleet table: token requests per refresh period for N = 1, 4
//! and 16 replica processes (`fleet-replica`, beside this binary), with and without a
//! shared Redis (a `redis-server` it starts on a free loopback port).
//!
//! With `BENCH_REPORT_DIR` set, also writes the same figures to `fleet.tsv` there, for
//! the report's chart: a header line, then `replicas shared without periods` (token
//! requests with the shared store, without it, and the refresh periods the run spanned);
//! and the engines table to `fleet-engines.md`: 16 replicas through a TLS Redis with an
//! ACL user, a 6-node Redis Cluster, a Sentinel set and a store directory, steady and
//! with a fault mid-run (the TLS server restarted, the token's primary killed, a
//! `SENTINEL FAILOVER`).
#![forbid(unsafe_code)]

use std::fmt::Write as _;

use std::time::Duration;

use learn_oauth_testkit::fleet::{self, FleetRun, Sharing, run_fleet, run_fleet_at};
use learn_oauth_testkit::redis_cluster::RedisCluster;
use learn_oauth_testkit::redis_sentinel::RedisSentinel;
use learn_oauth_testkit::redis_server::RedisServer;

const RUN: Duration = Duration::from_secs(10);
/// How long each engine run lasts.
const ENGINE_RUN: Duration = Duration::from_secs(8);

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
    let engines = engines(&replica);
    if let Some(dir) = std::env::var_os("BENCH_REPORT_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("fleet.tsv"), tsv).expect("write fleet.tsv");
        std::fs::write(dir.join("fleet-engines.md"), engines).expect("write fleet-engines.md");
    } else {
        print!("\n{engines}");
    }
}

/// The engines table: 16 replicas for [`ENGINE_RUN`] through each store, steady and with a
/// fault once the fleet has its first token.
fn engines(replica: &str) -> String {
    let mut table = String::from(
        "| store | fault mid-run | token requests | refresh periods (at most) | slowest call |\n|---|---|---:|---:|---:|\n",
    );
    let mut row = |store: &str, fault: &str, run: FleetRun| {
        let _ = writeln!(
            table,
            "| {store} | {fault} | {} | {} | {} ms |",
            run.requests,
            fleet::max_periods(ENGINE_RUN),
            run.max_ms
        );
    };
    let first_token = |server: &learn_oauth_mock::MockServer| {
        fleet::until("a first token", Duration::from_secs(30), || {
            server.token_request_count() > 0
        });
    };
    let mut tls = RedisServer::start_tls();
    row(
        "one node, TLS + ACL user",
        "none",
        run_fleet(replica, 16, Sharing::from(&tls), ENGINE_RUN),
    );
    assert!(tls.command(&["FLUSHALL"]).is_some_and(|r| r.starts_with("+OK")));
    let server = fleet::mock();
    let sharing = Sharing::from(&tls);
    let run = run_fleet_at(replica, 16, &server, sharing, ENGINE_RUN, || {
        first_token(&server);
        tls.restart();
    });
    row("one node, TLS + ACL user", "server restarted", run);
    drop(tls);

    let mut cluster = RedisCluster::start();
    row(
        "cluster, 3 primaries + 3 replicas",
        "none",
        run_fleet(replica, 16, Sharing::from(&cluster), ENGINE_RUN),
    );
    let server = fleet::mock();
    let keys = fleet::token_key_names(&server);
    let sharing = Sharing::from(&cluster);
    let run = run_fleet_at(replica, 16, &server, sharing, ENGINE_RUN, || {
        first_token(&server);
        let killed = cluster.kill_primary_of(keys.token());
        cluster.await_failover(keys.token(), killed);
    });
    row(
        "cluster, 3 primaries + 3 replicas",
        "the token's primary killed",
        run,
    );
    drop(cluster);

    let set = RedisSentinel::start();
    row(
        "Sentinel, primary + replica + 3 sentinels",
        "none",
        run_fleet(replica, 16, Sharing::from(&set), ENGINE_RUN),
    );
    let set = RedisSentinel::start();
    let server = fleet::mock();
    let run = run_fleet_at(replica, 16, &server, Sharing::from(&set), ENGINE_RUN, || {
        first_token(&server);
        set.failover();
    });
    row(
        "Sentinel, primary + replica + 3 sentinels",
        "`SENTINEL FAILOVER`",
        run,
    );
    drop(set);

    let dir = tempfile::tempdir().expect("a temp dir");
    let files = dir.path().join("tokens");
    row(
        "file store, one host",
        "none",
        run_fleet(replica, 16, Sharing::from(files.as_path()), ENGINE_RUN),
    );
    let _ = writeln!(
        table,
        "\n{} s runs of {}-second tokens, 16 replica processes each; no replica was handed an expired token or an error in any run.",
        ENGINE_RUN.as_secs(),
        fleet::TOKEN_LIFETIME.as_secs()
    );
    table
}
