//! A real `redis-server` on a free loopback port, for the shared-store tests: started by
//! the test, killed when dropped. Never a mock of Redis.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` process of this test's own: no persistence, loopback only.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
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
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut server = Self { child: None, port };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
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
        self.kill();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): install it (apt-get install redis-server) or run .ci/run")
            });
        self.child = Some(child);
        let started = Instant::now();
        while self.command(&["PING"]).as_deref() != Some("+PONG\r\n") {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "redis-server did not answer PING"
            );
            std::thread::yield_now();
        }
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

    /// [`command`](Self::command) with binary arguments and reply.
    #[must_use]
    pub fn command_bytes(&self, args: &[&[u8]]) -> Option<Vec<u8>> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        stream.write_all(&request).ok()?;
        let mut reply = Vec::new();
        let mut buf = [0u8; 4096];
        // One reply: read until the bytes end a RESP value (good enough for the simple
        // replies tests ask for: status, integer, one bulk string, an array of them).
        loop {
            let n = stream.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
            if complete(&reply) {
                break;
            }
        }
        Some(reply)
    }
}

/// Whether `reply` holds one whole RESP value of the simple kinds.
fn complete(reply: &[u8]) -> bool {
    fn value(bytes: &[u8]) -> Option<usize> {
        let end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&bytes[1..end]).ok()?;
        match bytes.first()? {
            b'+' | b'-' | b':' => Some(end + 2),
            b'$' => {
                let len: i64 = line.parse().ok()?;
                if len < 0 {
                    return Some(end + 2);
                }
                let total = end + 2 + usize::try_from(len).ok()? + 2;
                (bytes.len() >= total).then_some(total)
            }
            b'*' => {
                let n: i64 = line.parse().ok()?;
                let mut at = end + 2;
                for _ in 0..n.max(0) {
                    at += value(&bytes[at..])?;
                }
                Some(at)
            }
            _ => None,
        }
    }
    value(reply).is_some()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a paused (SIGSTOPped) server too.
        self.kill();
    }
}
