//! A fleet of real OS processes (the `fleet-replica` binary spawned N times) sharing one
//! mock token server and, optionally, a shared store (one Redis, a Redis Cluster, a
//! Sentinel set, or a store directory): how many token requests N replicas make over a
//! run, with and without the shared store, and what each replica saw.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{Sealing, SealingKey, SharedStore, StoreKeyNames};
use learn_oauth_mock::{MockServer, Tenant};
use learn_oauth_redis::{RedisConfig, RedisStore};

use crate::fixtures::{SECRET, TENANT};
use crate::redis_cluster::RedisCluster;
use crate::redis_sentinel::RedisSentinel;
use crate::redis_server::RedisServer;

/// How long each token lives at the mock during a fleet run.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(4);

/// The shortest refresh period a token of [`TOKEN_LIFETIME`] gets with the default
/// policy: its lifetime less the widest refresh window (half of it, plus 20 % jitter).
pub const MIN_PERIOD: Duration = Duration::from_millis(1_600);

/// A mock for fleet runs: the fixtures' tenant, [`TOKEN_LIFETIME`] tokens.
///
/// # Panics
///
/// When the mock cannot start.
#[must_use]
pub fn mock() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .token_lifetime(TOKEN_LIFETIME)
        .start()
        .expect("the mock starts")
}

/// How to start one replica.
#[derive(Debug, Clone)]
pub struct ReplicaSpec<'a> {
    /// The `fleet-replica` binary.
    pub binary: &'a str,
    /// The mock it asks for tokens.
    pub server: &'a MockServer,
    /// What it shares tokens through.
    pub sharing: Sharing,
    /// How long it calls `token()`.
    pub run: Duration,
    /// Its policy's `request_timeout` (the lease is this plus 1 s); default when `None`.
    pub request_timeout: Option<Duration>,
}

impl ReplicaSpec<'_> {
    /// Starts one replica process.
    ///
    /// # Panics
    ///
    /// When the process cannot start.
    #[must_use]
    pub fn spawn(&self) -> Child {
        let mut command = Command::new(self.binary);
        command
            .env_clear()
            .env("FLEET_TOKEN_URL", self.server.token_url(TENANT))
            .env("FLEET_RUN_MS", self.run.as_millis().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match &self.sharing {
            Sharing::Alone => {}
            Sharing::Redis { url, ca_file } => {
                command.env("FLEET_REDIS_URL", url);
                if let Some(ca) = ca_file {
                    command.env("FLEET_REDIS_CA_FILE", ca);
                }
            }
            Sharing::Cluster(seeds) => {
                command.env("FLEET_REDIS_CLUSTER", seeds.join(","));
            }
            Sharing::Sentinel(sentinels) => {
                command.env("FLEET_REDIS_SENTINEL", sentinels.join(","));
            }
            Sharing::Files(dir) => {
                command.env("FLEET_FILE_DIR", dir);
            }
        }
        if let Some(timeout) = self.request_timeout {
            command.env("FLEET_REQUEST_TIMEOUT_MS", timeout.as_millis().to_string());
        }
        command.spawn().expect("a replica starts")
    }
}

/// What a replica shares tokens through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharing {
    /// Nothing: each replica requests its own tokens.
    Alone,
    /// One Redis node, by URL (`FLEET_REDIS_URL`), trusting the CA in `ca_file` if it speaks
    /// TLS (`FLEET_REDIS_CA_FILE`).
    Redis {
        /// Its URL.
        url: String,
        /// The PEM file of the CA that signed its certificate.
        ca_file: Option<PathBuf>,
    },
    /// A cluster, by its seed URLs (`FLEET_REDIS_CLUSTER`, comma-separated).
    Cluster(Vec<String>),
    /// A primary the Sentinels at these URLs name for
    /// [`SERVICE_NAME`](crate::redis_sentinel::SERVICE_NAME) (`FLEET_REDIS_SENTINEL`,
    /// comma-separated).
    Sentinel(Vec<String>),
    /// A store directory (`FLEET_FILE_DIR`, `FileStore`).
    Files(PathBuf),
}

impl From<&RedisServer> for Sharing {
    fn from(redis: &RedisServer) -> Self {
        Self::Redis {
            url: redis.url(),
            ca_file: redis.ca_file(),
        }
    }
}

impl From<&RedisCluster> for Sharing {
    fn from(cluster: &RedisCluster) -> Self {
        Self::Cluster(cluster.urls())
    }
}

impl From<&Path> for Sharing {
    fn from(dir: &Path) -> Self {
        Self::Files(dir.to_owned())
    }
}

impl From<&RedisSentinel> for Sharing {
    fn from(sentinel: &RedisSentinel) -> Self {
        Self::Sentinel(sentinel.sentinel_urls())
    }
}

/// What one replica reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaReport {
    /// `token()` calls, every one answered with a usable token.
    pub calls: u64,
    /// The slowest `token()` call, in milliseconds.
    pub max_ms: u64,
    /// Token requests it sent holding the lease.
    pub leased: u64,
    /// Tokens it took from the store.
    pub adopted: u64,
}

/// Waits for `child` and reads its report.
///
/// # Panics
///
/// When the replica failed, was handed an expired token or got an error.
#[must_use]
pub fn report(child: Child) -> ReplicaReport {
    let output = child.wait_with_output().expect("a replica ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "a replica failed: {stdout} {stderr}");
    let line = stdout.lines().last().unwrap_or_default();
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    assert_eq!(
        field("expired="),
        0,
        "a replica was handed an expired token: {line}"
    );
    assert_eq!(field("errors="), 0, "a replica got an error: {line} {stderr}");
    ReplicaReport {
        calls: field("calls="),
        max_ms: field("max_ms="),
        leased: field("leased="),
        adopted: field("adopted="),
    }
}

/// What one fleet run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetRun {
    /// Token requests the mock answered.
    pub requests: usize,
    /// `token()` calls the replicas made, all answered with a usable token.
    pub calls: u64,
    /// The slowest `token()` call of any replica, in milliseconds.
    pub max_ms: u64,
}

impl FleetRun {
    /// Asserts that each of `replicas` kept calling through the run (more than 100 calls
    /// each).
    ///
    /// # Panics
    ///
    /// When they did not.
    pub fn assert_kept_calling(&self, replicas: u64) {
        assert!(
            self.calls > replicas * 100,
            "the replicas kept calling: {}",
            self.calls
        );
    }

    /// Asserts what `replicas` sharing one token for `run` show: at most one token request
    /// per refresh period the run spans (plus one at a lease race), and replicas that kept
    /// calling.
    ///
    /// # Panics
    ///
    /// When they made more requests or fewer calls.
    pub fn assert_shared(&self, replicas: u64, run: Duration) {
        let periods = max_periods(run);
        assert!(
            self.requests <= periods + 1,
            "{} requests over at most {periods} refresh periods",
            self.requests
        );
        self.assert_kept_calling(replicas);
    }
}

/// Waits until `done` holds, re-checking as fast as the condition allows (no sleep).
///
/// # Panics
///
/// When `done` does not hold within `limit`, naming `what` was waited for.
pub fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::yield_now();
    }
}

/// One fleet at a time within a test binary: a fleet is 16 processes (and a cluster or
/// Sentinel set six more) on a small machine, and a call's time is what the tests measure.
/// Hold the guard for the fleet's run.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static ONE_FLEET: Mutex<()> = Mutex::new(());
    ONE_FLEET.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `replicas` processes of `binary` for `run`, all started at once on a cold cache,
/// against a fresh mock, sharing through `sharing` as it is (a Redis reused between runs
/// should be flushed first, a store directory should be new).
///
/// # Panics
///
/// As [`report`].
#[must_use]
pub fn run_fleet(binary: &str, replicas: usize, sharing: Sharing, run: Duration) -> FleetRun {
    run_fleet_at(binary, replicas, &mock(), sharing, run, || {})
}

/// Runs `replicas` processes of `binary` for `run` against `server`, sharing through
/// `sharing` as it is, calling `meanwhile` once they are started (to inject a
/// fault mid-run).
///
/// # Panics
///
/// As [`report`].
#[must_use]
pub fn run_fleet_at(
    binary: &str,
    replicas: usize,
    server: &MockServer,
    sharing: Sharing,
    run: Duration,
    meanwhile: impl FnOnce(),
) -> FleetRun {
    let spec = ReplicaSpec {
        binary,
        server,
        sharing,
        run,
        request_timeout: None,
    };
    let children: Vec<_> = (0..replicas).map(|_| spec.spawn()).collect();
    meanwhile();
    let reports: Vec<_> = children.into_iter().map(report).collect();
    FleetRun {
        requests: server.token_request_count(),
        calls: reports.iter().map(|r| r.calls).sum(),
        max_ms: reports.iter().map(|r| r.max_ms).max().unwrap_or(0),
    }
}

/// The refresh periods a run of `run` spans at most (tokens refreshed every
/// [`MIN_PERIOD`] at the earliest), counting the first fetch as one.
#[must_use]
pub fn max_periods(run: Duration) -> usize {
    (run.as_millis() / MIN_PERIOD.as_millis()) as usize + 1
}

/// The store key names of `server`'s fleet token: what every replica's provider reads,
/// leases and publishes.
///
/// # Panics
///
/// Never for a fleet mock (its token URL and the fixtures make a valid configuration).
#[must_use]
pub fn token_key_names(server: &MockServer) -> StoreKeyNames {
    let config = learn_oauth_proto::ClientConfig::builder()
        .token_url(server.token_url(TENANT))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .build()
        .expect("a config");
    let key = SealingKey::new(1, &[0x5a; 32]).expect("a key");
    // Key names need no connection: the store is never used.
    let unused = RedisStore::open(RedisConfig::node("redis://127.0.0.1:1/").expect("a url"));
    SharedStore::blocking(unused, Sealing::new(key)).key_names_for(&config)
}
