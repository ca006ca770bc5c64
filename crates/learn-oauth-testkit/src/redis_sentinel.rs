//! A real Redis primary, its replica and three Sentinels watching them, all on loopback
//! free ports, for the shared-store tests: the Sentinels' config files in a scratch
//! directory, every process killed when dropped. A test can make the Sentinels fail over
//! (`SENTINEL FAILOVER`) and wait until the replica serves as the new primary.

use std::time::{Duration, Instant};

use crate::redis_server::{RedisServer, bulk_text, command_on, free_port, free_ports};
use crate::scratch_dir::ScratchDir;

/// The service name the Sentinels monitor the primary under.
pub const SERVICE_NAME: &str = "learn-oauth";

/// How long the Sentinels' start, or a failover, may take.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a failover may run before it is asked for again (its `failover-timeout` is 3 s).
const RETRY_FAILOVER: Duration = Duration::from_secs(8);

/// A primary and a replica (in either role after a failover) and three Sentinels with a
/// quorum of 2.
#[derive(Debug)]
pub struct RedisSentinel {
    // Declared before `_dir`: the servers die before their directory goes.
    data: [RedisServer; 2],
    sentinels: Vec<RedisServer>,
    _dir: ScratchDir,
}

impl RedisSentinel {
    /// Starts the primary, its replica and three Sentinels, and waits until the replica
    /// is in sync and every Sentinel knows the replica and the other two Sentinels.
    ///
    /// # Panics
    ///
    /// When `redis-server` is missing or the set does not settle within 30 s.
    #[must_use]
    pub fn start() -> Self {
        let dir = ScratchDir::new("redis-sentinel");
        // Replication writes an RDB file: into the scratch directory, not the cwd.
        let data_dir = dir.path().display().to_string();
        let primary = data_node(free_port(), &["--dir", &data_dir]);
        let replica = data_node(
            free_port(),
            &[
                "--dir",
                &data_dir,
                "--replicaof",
                "127.0.0.1",
                &primary.port().to_string(),
            ],
        );
        let sentinels = free_ports(3)
            .into_iter()
            .map(|port| {
                let config = dir.path().join(format!("sentinel-{port}.conf"));
                let text = format!(
                    "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                     sentinel monitor {SERVICE_NAME} 127.0.0.1 {primary} 2\n\
                     sentinel down-after-milliseconds {SERVICE_NAME} 1000\n\
                     sentinel failover-timeout {SERVICE_NAME} 3000\n",
                    dir = dir.path().display(),
                    primary = primary.port(),
                );
                std::fs::write(&config, text).expect("a sentinel config file");
                RedisServer::start_custom(port, Some(config), vec!["--sentinel".to_owned()])
            })
            .collect();
        let set = Self {
            data: [primary, replica],
            sentinels,
            _dir: dir,
        };
        let replica_port = set.data[1].port().to_string();
        set.settle("the sentinels to see the replica and each other", || {
            set.replica_in_sync(set.data[0].port())
                && set.sentinels.iter().all(|s| {
                    let replicas = s
                        .command(&["SENTINEL", "REPLICAS", SERVICE_NAME])
                        .unwrap_or_default();
                    let others = s
                        .command(&["SENTINEL", "SENTINELS", SERVICE_NAME])
                        .unwrap_or_default();
                    replicas.contains(&replica_port)
                        && !replicas.contains("disconnected")
                        && others.starts_with("*2\r\n")
                })
        });
        set
    }

    /// `redis://127.0.0.1:PORT/` of every Sentinel.
    #[must_use]
    pub fn sentinel_urls(&self) -> Vec<String> {
        self.sentinels.iter().map(RedisServer::url).collect()
    }

    /// The port of the primary, as the first Sentinel names it.
    ///
    /// # Panics
    ///
    /// When that Sentinel does not answer.
    #[must_use]
    pub fn primary_port(&self) -> u16 {
        named_primary(&self.sentinels[0]).expect("the sentinel names a primary")
    }

    /// Runs `args` on the primary and returns the raw reply.
    #[must_use]
    pub fn command(&self, args: &[&str]) -> Option<String> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        command_on(self.primary_port(), &bytes).map(|r| String::from_utf8_lossy(&r).into_owned())
    }

    /// Asks a Sentinel to fail over (`SENTINEL FAILOVER`), waits until every Sentinel
    /// names the replica as primary and it says so itself, then demotes the old primary
    /// (`REPLICAOF` the new one: what the Sentinels send it some seconds later, on their
    /// next look at it) and waits until it follows in sync. From then on a write on a
    /// connection to the old primary is refused (`READONLY`). Returns the new primary's
    /// port.
    ///
    /// # Panics
    ///
    /// When that takes longer than 60 s.
    pub fn failover(&self) -> u16 {
        let old = self.primary_port();
        let new = self
            .data
            .iter()
            .map(RedisServer::port)
            .find(|&p| p != old)
            .expect("two data nodes");
        let started = Instant::now();
        let promoted = || {
            self.sentinels.iter().all(|s| named_primary(s) == Some(new))
                && role(new).as_deref() == Some("master")
        };
        // A Sentinel refuses while it has not heard from the replica lately (NOGOODSLAVE),
        // and on a busy machine a failover can run out of its `failover-timeout` and be
        // abandoned: ask again while the Sentinels still name the old primary.
        let mut asked: Option<Instant> = None;
        while !promoted() {
            let stale = asked.is_none_or(|at| at.elapsed() > RETRY_FAILOVER);
            if stale && named_primary(&self.sentinels[0]) == Some(old) {
                let reply = self.sentinels[0].command(&["SENTINEL", "FAILOVER", SERVICE_NAME]);
                if reply.is_some_and(|r| r.starts_with("+OK")) {
                    asked = Some(Instant::now());
                }
            }
            assert!(
                started.elapsed() < SETTLE_TIMEOUT,
                "waited {SETTLE_TIMEOUT:?} for the failover"
            );
            std::thread::yield_now();
        }
        let new_port = new.to_string();
        let demoted = command_on(old, &[b"REPLICAOF", b"127.0.0.1", new_port.as_bytes()]);
        assert!(
            demoted.is_some_and(|r| r.starts_with(b"+OK")),
            "the old primary takes REPLICAOF"
        );
        self.settle("the old primary to follow", || self.replica_in_sync(new));
        new
    }

    /// Whether the data node that is not `primary` replicates from it with its link up.
    fn replica_in_sync(&self, primary: u16) -> bool {
        self.data.iter().filter(|n| n.port() != primary).all(|n| {
            let info = n.command(&["INFO", "replication"]).unwrap_or_default();
            info.contains(&format!("master_port:{primary}")) && info.contains("master_link_status:up")
        })
    }

    fn settle(&self, what: &str, done: impl Fn() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < SETTLE_TIMEOUT,
                "waited {SETTLE_TIMEOUT:?} for {what}"
            );
            std::thread::yield_now();
        }
    }
}

/// A data node on `port`: no persistence, loopback only, plus `extra` arguments.
fn data_node(port: u16, extra: &[&str]) -> RedisServer {
    let dbfilename = format!("dump-{port}.rdb");
    let args = ["--dbfilename", &dbfilename]
        .into_iter()
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .collect();
    RedisServer::start_custom(port, None, args)
}

/// The primary's port as `sentinel` names it (`SENTINEL GET-MASTER-ADDR-BY-NAME`).
fn named_primary(sentinel: &RedisServer) -> Option<u16> {
    let reply = sentinel.command(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE_NAME])?;
    // *2\r\n$9\r\n127.0.0.1\r\n$5\r\nPORT\r\n
    reply.split("\r\n").nth(4)?.parse().ok()
}

/// The first line of `ROLE` at `port`: `master` or `slave`.
fn role(port: u16) -> Option<String> {
    let reply = command_on(port, &[b"ROLE"])?;
    // *3\r\n$6\r\nmaster\r\n…: the first element is a bulk string.
    let first = reply.iter().position(|&b| b == b'$')?;
    bulk_text(&reply[first..])
}
