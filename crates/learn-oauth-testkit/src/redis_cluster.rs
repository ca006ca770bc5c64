//! A real Redis Cluster on loopback for the shared-store tests: three primaries with one
//! replica each (six `redis-server --cluster-enabled yes` on free ports, joined by
//! `redis-cli --cluster create`), their state files in a scratch directory, every process
//! killed when dropped. A test can kill the primary that holds a key and wait for its
//! replica to take over.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::redis_server::{RedisServer, bulk_text, command_on, free_ports};
use crate::scratch_dir::ScratchDir;

/// Six nodes: three primaries, three replicas.
#[derive(Debug)]
pub struct RedisCluster {
    // Declared before `dir`: the servers die before their directory goes.
    nodes: Vec<RedisServer>,
    _dir: ScratchDir,
}

/// How many nodes the cluster has.
const NODES: usize = 6;

/// How long forming the cluster, or a failover, may take.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a node may be silent before the others count it as failed: short, so a
/// replica takes over a killed primary within a few seconds.
const NODE_TIMEOUT_MS: &str = "1000";

impl RedisCluster {
    /// Starts six nodes, joins them into three shards of a primary and a replica, and
    /// waits until every node reports `cluster_state:ok` and every replica is in sync.
    ///
    /// # Panics
    ///
    /// When `redis-server` or `redis-cli` is missing, or the cluster does not form
    /// within 30 s.
    #[must_use]
    pub fn start() -> Self {
        let dir = ScratchDir::new("redis-cluster");
        let ports = free_ports(2 * NODES);
        let (ports, bus_ports) = ports.split_at(NODES);
        let nodes = ports
            .iter()
            .zip(bus_ports)
            .map(|(&port, &bus)| {
                let args = [
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    &bus.to_string(),
                    "--cluster-config-file",
                    &format!("nodes-{port}.conf"),
                    "--cluster-node-timeout",
                    NODE_TIMEOUT_MS,
                    // A replica may always take over, however long it was cut off.
                    "--cluster-replica-validity-factor",
                    "0",
                    "--dir",
                    &dir.path().display().to_string(),
                ]
                .map(str::to_owned)
                .to_vec();
                RedisServer::start_custom(port, None, args)
            })
            .collect();
        let cluster = Self { nodes, _dir: dir };
        let addresses: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let status = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run redis-cli ({e}): apt-get install redis-tools"));
        assert!(status.success(), "redis-cli --cluster create failed");
        cluster.settle("the cluster to form", |_| true);
        cluster
    }

    /// `redis://127.0.0.1:PORT/` of every node, killed or not: the seed list a client
    /// gets.
    #[must_use]
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The slot `key` hashes to (`CLUSTER KEYSLOT`).
    ///
    /// # Panics
    ///
    /// When no node answers.
    #[must_use]
    pub fn keyslot(&self, key: &str) -> u16 {
        let reply = self.any(&["CLUSTER", "KEYSLOT", key]);
        reply
            .strip_prefix(':')
            .and_then(|n| n.trim_end().parse().ok())
            .unwrap_or_else(|| panic!("CLUSTER KEYSLOT answered {reply:?}"))
    }

    /// The port of the primary that serves `key`'s slot, as the running nodes see it.
    ///
    /// # Panics
    ///
    /// When no running node names a live primary for the slot.
    #[must_use]
    pub fn primary_of(&self, key: &str) -> u16 {
        let slot = self.keyslot(key);
        self.running()
            .find_map(|node| owner(&self.nodes_view(node.port())?, slot))
            .unwrap_or_else(|| panic!("no primary for slot {slot}"))
    }

    /// Runs `args` on the primary that serves `key` and returns the raw reply.
    #[must_use]
    pub fn command(&self, key: &str, args: &[&str]) -> Option<String> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        command_on(self.primary_of(key), &bytes).map(|r| String::from_utf8_lossy(&r).into_owned())
    }

    /// Empties every running node (replicas refuse, and follow their primary).
    pub fn flush_all(&self) {
        for node in self.running() {
            let _ = node.command(&["FLUSHALL"]);
        }
    }

    /// Kills (SIGKILL) the primary that serves `key` and returns its port; the cluster
    /// is down for that slot until [`await_failover`](Self::await_failover) sees its
    /// replica promoted.
    ///
    /// # Panics
    ///
    /// As [`primary_of`](Self::primary_of).
    pub fn kill_primary_of(&mut self, key: &str) -> u16 {
        let port = self.primary_of(key);
        let node = self
            .nodes
            .iter_mut()
            .find(|n| n.port() == port)
            .expect("the primary is one of ours");
        node.kill();
        port
    }

    /// Stops the primary that serves `key` answering (SIGSTOP: its connections stay open,
    /// nothing answers) and returns its port, for [`resume`](Self::resume).
    ///
    /// # Panics
    ///
    /// As [`primary_of`](Self::primary_of).
    pub fn pause_primary_of(&self, key: &str) -> u16 {
        let port = self.primary_of(key);
        self.node(port).pause();
        port
    }

    /// Lets the node on `port` go on after [`pause_primary_of`](Self::pause_primary_of).
    ///
    /// # Panics
    ///
    /// When no node of this cluster listens on `port`.
    pub fn resume(&self, port: u16) {
        self.node(port).resume();
    }

    fn node(&self, port: u16) -> &RedisServer {
        self.nodes
            .iter()
            .find(|n| n.port() == port)
            .expect("one of the cluster's nodes")
    }

    /// Waits until every running node names a running primary other than `killed` for
    /// `key`'s slot and reports `cluster_state:ok`.
    ///
    /// # Panics
    ///
    /// When that takes longer than 30 s.
    pub fn await_failover(&self, key: &str, killed: u16) {
        let slot = self.keyslot(key);
        let live: Vec<u16> = self.running().map(RedisServer::port).collect();
        self.settle("the replica's promotion", |view| {
            owner(view, slot).is_some_and(|port| port != killed && live.contains(&port))
        });
    }

    fn running(&self) -> impl Iterator<Item = &RedisServer> {
        self.nodes.iter().filter(|n| n.is_running())
    }

    /// `args` on any running node, its reply as text.
    fn any(&self, args: &[&str]) -> String {
        self.running()
            .find_map(|node| node.command(args))
            .expect("a running node answers")
    }

    /// `CLUSTER NODES` as node `port` sees it.
    fn nodes_view(&self, port: u16) -> Option<String> {
        bulk_text(&command_on(port, &[b"CLUSTER", b"NODES"])?)
    }

    /// Waits until every running node reports `cluster_state:ok`, every replica's link
    /// to its primary is up, and `view_ok` holds for every running node's `CLUSTER NODES`.
    fn settle(&self, what: &str, view_ok: impl Fn(&str) -> bool) {
        let started = Instant::now();
        let settled = |node: &RedisServer| {
            let info = node.command(&["CLUSTER", "INFO"]).unwrap_or_default();
            let replication = node.command(&["INFO", "replication"]).unwrap_or_default();
            info.contains("cluster_state:ok")
                && (replication.contains("role:master") || replication.contains("master_link_status:up"))
                && self.nodes_view(node.port()).is_some_and(|v| view_ok(&v))
        };
        while !self.running().all(settled) {
            assert!(
                started.elapsed() < SETTLE_TIMEOUT,
                "waited {SETTLE_TIMEOUT:?} for {what}"
            );
            std::thread::yield_now();
        }
    }
}

/// In a `CLUSTER NODES` listing, the port of the primary (not failed) serving `slot`.
fn owner(view: &str, slot: u16) -> Option<u16> {
    view.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let flags = fields.get(2)?;
        let is_live_primary = flags.split(',').any(|f| f == "master") && !flags.contains("fail");
        let serves = fields.iter().skip(8).any(|range| {
            let mut ends = range.splitn(2, '-').map(str::parse::<u16>);
            match (ends.next(), ends.next()) {
                (Some(Ok(first)), Some(Ok(last))) => (first..=last).contains(&slot),
                (Some(Ok(only)), None) => only == slot,
                _ => false, // a slot being migrated: `[...]`
            }
        });
        let port = fields.get(1)?.split(['@', ',']).next()?.rsplit(':').next()?;
        (is_live_primary && serves).then(|| port.parse().ok()).flatten()
    })
}
