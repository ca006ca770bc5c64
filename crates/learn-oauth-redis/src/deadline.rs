//! A blocking connection whose every reply is bounded by one deadline: the socket's
//! write timeout is set to the time left before each command is sent, and its read
//! timeout to the time left before each reply is read. An operation of several round
//! trips (a script Redis no longer has: `EVALSHA`, `SCRIPT LOAD`, `EVALSHA`) or of
//! several replies (the read's `MULTI`) is then bounded by the deadline as a whole,
//! without a thread of its own.

use std::time::{Duration, Instant};

use redis::{ConnectionLike, RedisResult, Value};

/// `connection`, each exchange on it bounded by `deadline`.
pub(crate) struct Deadlined<'a> {
    connection: &'a mut redis::Connection,
    deadline: Instant,
}

impl<'a> Deadlined<'a> {
    pub(crate) fn new(connection: &'a mut redis::Connection, deadline: Instant) -> Self {
        Self { connection, deadline }
    }

    fn send(&mut self, packed: &[u8]) -> RedisResult<()> {
        self.connection
            .set_write_timeout(Some(time_left(self.deadline)?))?;
        self.connection.send_packed_command(packed)
    }

    /// The next reply (push messages skipped), read within the time left.
    fn reply(&mut self) -> RedisResult<Value> {
        loop {
            self.connection
                .set_read_timeout(Some(time_left(self.deadline)?))?;
            match self.connection.recv_response()? {
                Value::Push { .. } => {}
                reply => return Ok(reply),
            }
        }
    }
}

impl ConnectionLike for Deadlined<'_> {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        self.send(cmd)?;
        self.reply()
    }

    /// The replies to a pipeline (or `MULTI` block) of `offset + count` commands, the last
    /// `count` kept; a `MULTI` block's queueing error (its first) is the error. A failed
    /// read ends the exchange: the store keeps no connection an operation failed on.
    fn req_packed_commands(&mut self, cmd: &[u8], offset: usize, count: usize) -> RedisResult<Vec<Value>> {
        self.send(cmd)?;
        let mut replies = Vec::with_capacity(count);
        let mut queueing_error = None;
        for index in 0..offset + count {
            match self.reply()? {
                Value::ServerError(error) if index < offset => {
                    queueing_error.get_or_insert(error);
                }
                _ if index < offset => {}
                reply => replies.push(reply),
            }
        }
        match queueing_error {
            Some(error) => Err(error.into()),
            None => Ok(replies),
        }
    }

    fn get_db(&self) -> i64 {
        self.connection.get_db()
    }

    fn check_connection(&mut self) -> bool {
        redis::cmd("PING").query::<String>(self).is_ok()
    }

    fn is_open(&self) -> bool {
        self.connection.is_open()
    }
}

/// An instant far enough away to mean "no deadline" (an `op_timeout` too large to add).
pub(crate) fn far_future() -> Instant {
    let now = Instant::now();
    now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600))
        .unwrap_or(now)
}

/// What is left until `deadline`, or a timeout error.
pub(crate) fn time_left(deadline: Instant) -> RedisResult<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into());
    }
    Ok(left)
}
