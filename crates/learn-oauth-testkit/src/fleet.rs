//! A fleet of real OS processes (the `fleet-replica` binary spawned N times) sharing one
//! mock token server and, optionally, one real Redis: how many token requests N replicas
//! make over a run, with and without the shared store.

use std::process::{Command, Stdio};
use std::time::Duration;

use learn_oauth_mock::{MockServer, Tenant};

use crate::fixtures::{SECRET, TENANT};
use crate::redis_server::RedisServer;

/// How long each token lives at the mock during a fleet run.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(4);

/// The shortest refresh period a token of [`TOKEN_LIFETIME`] gets with the default
/// policy: its lifetime less the widest refresh window (half of it, plus 20 % jitter).
pub const MIN_PERIOD: Duration = Duration::from_millis(1_600);

/// What one fleet run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetRun {
    /// Replicas (processes).
    pub replicas: usize,
    /// Whether they shared a Redis.
    pub shared: bool,
    /// Token requests the mock answered.
    pub requests: usize,
    /// `token()` calls the replicas made, all answered with a usable token.
    pub calls: u64,
}

/// Runs `replicas` processes of `binary` (the `fleet-replica` binary) for `run`, all
/// started at once on a cold cache, against a fresh mock and, if `redis` is given, that
/// Redis (flushed first).
///
/// # Panics
///
/// When a replica fails, reports an expired token or an error.
#[must_use]
pub fn run_fleet(binary: &str, replicas: usize, redis: Option<&RedisServer>, run: Duration) -> FleetRun {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .token_lifetime(TOKEN_LIFETIME)
        .start()
        .expect("the mock starts");
    if let Some(redis) = redis {
        assert!(redis.command(&["FLUSHALL"]).is_some_and(|r| r.starts_with("+OK")));
    }
    let children: Vec<_> = (0..replicas)
        .map(|_| {
            Command::new(binary)
                .env_clear()
                .env("FLEET_TOKEN_URL", server.token_url(TENANT))
                .env("FLEET_REDIS_URL", redis.map(RedisServer::url).unwrap_or_default())
                .env("FLEET_RUN_MS", run.as_millis().to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("a replica starts")
        })
        .collect();
    let mut calls = 0;
    for child in children {
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
        assert_eq!(field("errors="), 0, "a replica got an error: {line}");
        calls += field("calls=");
    }
    FleetRun {
        replicas,
        shared: redis.is_some(),
        requests: server.token_request_count(),
        calls,
    }
}

/// The refresh periods a run of `run` spans at most (tokens refreshed every
/// [`MIN_PERIOD`] at the earliest), counting the first fetch as one.
#[must_use]
pub fn max_periods(run: Duration) -> usize {
    (run.as_millis() / MIN_PERIOD.as_millis()) as usize + 1
}
