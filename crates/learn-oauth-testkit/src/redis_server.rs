//! A real `redis-server` on a free loopback port, for the shared-store tests: started by
//! the test, killed when dropped. Never a mock of Redis. Plain, or TLS-only with an ACL
//! user ([`RedisServer::start_tls`]).

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use learn_oauth_redis::RedisConfig;

use crate::redis_resp as resp;
use crate::redis_tls::{REDIS_PASSWORD, REDIS_USER, RedisTls};

/// A `redis-server` process of this test's own: no persistence, loopback only.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    tls: Option<RedisTls>,
    /// A config file `redis-server` reads first (a Sentinel's, which it rewrites).
    config_file: Option<PathBuf>,
    /// Arguments after the harness's own (a cluster node's, a replica's).
    extra: Vec<String>,
}

/// How long a starting server may take to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(10);

impl RedisServer {
    /// Starts one on a free loopback port.
    ///
    /// # Panics
    ///
    /// When `redis-server` is not installed (`apt-get install redis-server`; `.ci/run`
    /// installs it) or does not answer within 10 s.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Starts one that speaks TLS only (`--port 0`), with a certificate from a throwaway
    /// CA of its own ([`ca_pem`](Self::ca_pem)), the ACL user [`REDIS_USER`] (password
    /// [`REDIS_PASSWORD`], only the store's keys and commands) and a password on the
    /// `default` user (the harness's own commands use it).
    ///
    /// # Panics
    ///
    /// As [`start`](Self::start), and when the certificates cannot be made.
    pub fn start_tls() -> Self {
        Self::start_with(Some(RedisTls::generate()))
    }

    fn start_with(tls: Option<RedisTls>) -> Self {
        let mut server = Self {
            child: None,
            port: free_port(),
            tls,
            config_file: None,
            extra: Vec::new(),
        };
        // A port free when chosen may be taken by another test's server before this one
        // binds it: then choose again.
        for _ in 0..5 {
            if server.launch() {
                return server;
            }
            server.port = free_port();
        }
        panic!("redis-server could not bind a free loopback port in 5 tries")
    }

    /// Starts a plain one on `port` that reads `config_file` first (if any) and takes
    /// `extra` arguments after the harness's own, and waits until it answers `PING`.
    pub(crate) fn start_custom(port: u16, config_file: Option<PathBuf>, extra: Vec<String>) -> Self {
        let mut server = Self {
            child: None,
            port,
            tls: None,
            config_file,
            extra,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT/`, or for a TLS server
    /// `rediss://fleet:PASSWORD@127.0.0.1:PORT/` ([`REDIS_USER`], [`REDIS_PASSWORD`]).
    #[must_use]
    pub fn url(&self) -> String {
        match self.tls {
            None => format!("redis://127.0.0.1:{}/", self.port),
            Some(_) => self.url_as(REDIS_USER, REDIS_PASSWORD),
        }
    }

    /// `rediss://USER:PASSWORD@127.0.0.1:PORT/` (`redis://` for a plain server).
    #[must_use]
    pub fn url_as(&self, user: &str, password: &str) -> String {
        let scheme = if self.tls.is_some() { "rediss" } else { "redis" };
        format!("{scheme}://{user}:{password}@127.0.0.1:{}/", self.port)
    }

    /// A store configuration for it: its [`url`](Self::url), trusting its CA when it
    /// speaks TLS.
    ///
    /// # Panics
    ///
    /// Never: its URL is a Redis URL and its CA a certificate.
    #[must_use]
    pub fn config(&self) -> RedisConfig {
        let config = RedisConfig::node(&self.url()).expect("a redis url");
        match &self.tls {
            None => config,
            Some(tls) => config.root_certificates(tls.ca_pem()).expect("a CA certificate"),
        }
    }

    /// The CA that signed a TLS server's certificate (PEM), `None` for a plain server.
    #[must_use]
    pub fn ca_pem(&self) -> Option<&[u8]> {
        self.tls.as_ref().map(RedisTls::ca_pem)
    }

    /// The file holding [`ca_pem`](Self::ca_pem) (for a replica process).
    #[must_use]
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.tls.as_ref().map(RedisTls::ca_file)
    }

    /// The port it listens on (kept across [`kill`](Self::kill) and
    /// [`restart`](Self::restart)).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts it (again) on the same port, empty.
    ///
    /// # Panics
    ///
    /// As [`start`](Self::start).
    pub fn restart(&mut self) {
        assert!(
            self.launch(),
            "redis-server could not bind 127.0.0.1:{} (another process holds it)",
            self.port
        );
    }

    /// Starts it on its port and waits until it answers; false if it exited instead (the
    /// port was taken), so that no test ever talks to another test's server.
    fn launch(&mut self) -> bool {
        self.kill();
        let listen = match &self.tls {
            None => vec!["--port".to_owned(), self.port.to_string()],
            Some(tls) => tls.server_args(self.port),
        };
        let child = Command::new("redis-server")
            .args(&self.config_file)
            .args(["--bind", "127.0.0.1"])
            .args(listen)
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "yes"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): install it (apt-get install redis-server) or run .ci/run")
            });
        let pid = format!("process_id:{}\r\n", child.id());
        self.child = Some(child);
        let started = Instant::now();
        // Answered by this very process (a server of another test may hold the port).
        while !self
            .command(&["INFO", "server"])
            .is_some_and(|info| info.contains(&pid))
        {
            if self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_some())
            {
                self.child = None;
                return false;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "redis-server did not answer INFO"
            );
            std::thread::yield_now();
        }
        true
    }

    /// Whether it runs (not [`kill`](Self::kill)ed).
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills it (SIGKILL) and waits for it to go; the port is free afterwards.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops it answering (SIGSTOP): connections still open, nothing answers.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Sends one command in RESP (arguments as bulk strings) and returns the raw reply,
    /// `None` if the server cannot be reached. For tests that look at or plant values.
    #[must_use]
    pub fn command(&self, args: &[&str]) -> Option<String> {
        self.command_bytes(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>())
            .map(|reply| String::from_utf8_lossy(&reply).into_owned())
    }

    /// How many times the server has run `command` (lowercase, e.g. `exec`: one per
    /// store read), from `INFO commandstats`; 0 if it cannot be reached.
    #[must_use]
    pub fn calls(&self, command: &str) -> u64 {
        let prefix = format!("cmdstat_{command}:calls=");
        self.command(&["INFO", "commandstats"])
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix(&prefix)?.split(',').next()?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// [`command`](Self::command) with binary arguments and reply (over TLS, as the
    /// administrator, for a server started with [`start_tls`](Self::start_tls)).
    #[must_use]
    pub fn command_bytes(&self, args: &[&[u8]]) -> Option<Vec<u8>> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        stream.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
        let request = resp::request(args);
        match &self.tls {
            None => {
                stream.write_all(&request).ok()?;
                resp::reply(&mut stream)
            }
            Some(tls) => {
                let mut stream = tls.admin(stream)?;
                stream.write_all(&request).ok()?;
                resp::reply(&mut stream)
            }
        }
    }
}

/// A free loopback port (free when asked: the caller binds it soon after).
pub(crate) fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `n` distinct free loopback ports (all held at once while they are chosen).
pub(crate) fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<_> = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound port").port())
        .collect()
}

/// `args` in RESP to the plain server at 127.0.0.1:`port`, its raw reply.
pub(crate) fn command_on(port: u16, args: &[&[u8]]) -> Option<Vec<u8>> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(&resp::request(args)).ok()?;
    resp::reply(&mut stream)
}

/// The text of a bulk-string reply (`$LEN\r\nTEXT\r\n`), `None` for any other reply.
pub(crate) fn bulk_text(reply: &[u8]) -> Option<String> {
    let end = reply.windows(2).position(|w| w == b"\r\n")?;
    let len: usize = std::str::from_utf8(reply.strip_prefix(b"$")?.get(..end - 1)?)
        .ok()?
        .parse()
        .ok()?;
    let text = reply.get(end + 2..end + 2 + len)?;
    Some(String::from_utf8_lossy(text).into_owned())
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a paused (SIGSTOPped) server too.
        self.kill();
    }
}
