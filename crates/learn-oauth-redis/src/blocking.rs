//! [`RedisStore`]: the blocking adapter.

use std::fmt;
use std::sync::mpsc::{RecvTimeoutError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    BlockingStore, BlockingWatch, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord, StoreTime,
};
use redis::ConnectionLike;

use crate::blocking_connection::{Connection, Connector, is_stale};
use crate::commands;
use crate::config::RedisConfig;
use crate::deadline::{far_future, time_left};

/// A Redis shared store for blocking providers (`SharedStore::blocking(store, sealing)`).
///
/// Connects lazily, on the first operation, and keeps the connections that worked for
/// the next ones (one per concurrent operation: an operation never waits for another's
/// connection). A reused connection found broken is replaced once within the same
/// operation, and any failed connection is dropped, so the store recovers by itself when
/// Redis comes back.
///
/// **Bounded**, without a thread per operation: an operation runs on the caller's thread,
/// each command sent and each reply read within the time left to its timeout (socket
/// timeouts set before each). Only making a connection (name resolution, TCP, the TLS
/// handshake, `AUTH`), which no socket timeout bounds as a whole, runs on a short-lived
/// thread of its own that the caller waits for at most the time left; a connection it
/// makes after the caller gave up is kept for the next operation. An operation on a
/// cluster (feature `cluster`) runs on such a thread as a whole: redis-rs's cluster
/// connection may connect to nodes and map the slots again within one operation.
///
/// A connection found broken, or (for Sentinel) refused with `READONLY` because its node
/// was demoted, is replaced once within the same operation; a new connection to a
/// cluster maps the slots afresh, and one through Sentinel asks the Sentinels for the
/// primary.
pub struct RedisStore {
    inner: Arc<Inner>,
    notifier: crate::notify::Notifier,
}

struct Inner {
    connector: Connector,
    idle: Mutex<Vec<Connection>>,
    publish: redis::Script,
    release: redis::Script,
    lease: redis::Script,
}

/// At most this many idle connections are kept.
const MAX_IDLE: usize = 4;

impl RedisStore {
    /// A store for the Redis `config` describes. Nothing is connected yet.
    #[must_use]
    pub fn open(config: RedisConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                connector: Connector::new(config.into_kind()),
                idle: Mutex::new(Vec::new()),
                publish: commands::set_then_release(),
                release: commands::release(),
                lease: commands::try_lease(),
            }),
            notifier: crate::notify::Notifier::default(),
        }
    }

    /// Runs `op` on a connection, giving up after `timeout`.
    fn run<R: Send + 'static>(
        &self,
        timeout: Duration,
        op: impl Fn(&Inner, &mut dyn ConnectionLike) -> redis::RedisResult<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        let deadline = Instant::now().checked_add(timeout).unwrap_or_else(far_future);
        if self.inner.connector.needs_a_thread() {
            return on_a_thread(&self.inner, deadline, op);
        }
        attempt(&self.inner, deadline, &op).map_err(commands::store_error)
    }
}

/// [`attempt`] on a short-lived thread the caller waits for until `deadline`; an
/// operation given up on finishes or fails there, within its socket timeouts, and its
/// connection is kept only if it succeeded.
fn on_a_thread<R: Send + 'static>(
    inner: &Arc<Inner>,
    deadline: Instant,
    op: impl Fn(&Inner, &mut dyn ConnectionLike) -> redis::RedisResult<R> + Send + 'static,
) -> Result<R, StoreError> {
    let left = time_left(deadline).map_err(commands::store_error)?;
    let (answer, answered) = sync_channel(1);
    let running = Arc::clone(inner);
    std::thread::Builder::new()
        .name("learn-oauth-redis".into())
        .spawn(move || {
            // If nobody waits any more, the result goes with the thread.
            let _ = answer.send(attempt(&running, deadline, &op));
        })
        .map_err(|e| StoreError::with_source(StoreErrorKind::Protocol, e))?;
    match answered.recv_timeout(left) {
        Ok(result) => result.map_err(commands::store_error),
        Err(RecvTimeoutError::Timeout) => Err(StoreError::new(StoreErrorKind::Timeout)),
        // The operation panicked (a bug in the client): a failed operation.
        Err(RecvTimeoutError::Disconnected) => Err(StoreError::new(StoreErrorKind::Protocol)),
    }
}

/// `op` on an idle connection (replaced once if it turns out broken) or a new one.
fn attempt<R>(
    inner: &Arc<Inner>,
    deadline: Instant,
    op: &impl Fn(&Inner, &mut dyn ConnectionLike) -> redis::RedisResult<R>,
) -> redis::RedisResult<R> {
    let idle = inner.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
    if let Some(mut connection) = idle {
        match connection.run(deadline, |c| op(inner, c)) {
            Ok(value) => {
                inner.keep(connection);
                return Ok(value);
            }
            Err(error) if !is_stale(&error) => return Err(error),
            Err(_) => {} // broken or demoted since it was last used: one fresh try
        }
    }
    let mut connection = connect(inner, deadline)?;
    let value = connection.run(deadline, |c| op(inner, c))?;
    inner.keep(connection);
    Ok(value)
}

/// A new connection, made on a short-lived thread the caller waits for until `deadline`.
fn connect(inner: &Arc<Inner>, deadline: Instant) -> redis::RedisResult<Connection> {
    let left = time_left(deadline)?;
    let (answer, answered) = sync_channel(1);
    let connecting = Arc::clone(inner);
    std::thread::Builder::new()
        .name("learn-oauth-redis-connect".into())
        .spawn(move || {
            let made = connecting.connector.connect(left);
            // Nobody waits any more: the connection serves the next operation.
            if let Err(TrySendError::Disconnected(Ok(connection))) = answer.try_send(made) {
                connecting.keep(connection);
            }
        })?;
    match answered.recv_timeout(left) {
        Ok(made) => made,
        Err(RecvTimeoutError::Timeout) => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
        // The connecting thread panicked (a bug in the client): a failed operation.
        Err(RecvTimeoutError::Disconnected) => Err(std::io::Error::other("connecting failed").into()),
    }
}

impl Inner {
    fn keep(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
    }
}

impl RedisStore {
    /// Sets `key` to `value` until `at` (Redis's clock), then releases `owner`'s lease: one
    /// script call.
    fn set_then_release(
        &self,
        key: &str,
        value: &[u8],
        at: StoreTime,
        keys: &StoreKeyNames,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        // Owned: a cluster's operation runs on a thread of its own.
        let (key, value, lease, owner) = (
            key.to_owned(),
            value.to_vec(),
            keys.lease().to_owned(),
            owner.to_owned(),
        );
        let channel = keys.published().to_owned();
        self.run(timeout, move |inner, c| {
            inner
                .publish
                .key(&key)
                .key(&lease)
                .arg(&value)
                .arg(at.0)
                .arg(&owner)
                .arg(&channel)
                .invoke::<i64>(c)
        })
        .map(drop)
    }
}

impl BlockingStore for RedisStore {
    fn read(&self, keys: &StoreKeyNames, timeout: Duration) -> Result<StoreRecord, StoreError> {
        let keys = keys.clone();
        self.run(timeout, move |_, c| {
            commands::record(commands::read(&keys).query(c)?)
        })
    }

    fn try_lease(
        &self,
        keys: &StoreKeyNames,
        owner: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let (lease, owner) = (keys.lease().to_owned(), owner.to_owned());
        let won: i64 = self.run(timeout, move |inner, c| {
            inner
                .lease
                .key(&lease)
                .arg(&owner)
                .arg(commands::millis(ttl))
                .invoke(c)
        })?;
        Ok(won == 1)
    }

    fn publish(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        expire_at: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.set_then_release(keys.token(), value, expire_at, keys, owner, timeout)
    }

    fn cool_down(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.set_then_release(keys.cool_down(), value, until, keys, owner, timeout)
    }

    fn release(&self, keys: &StoreKeyNames, owner: &str, timeout: Duration) -> Result<(), StoreError> {
        let (lease, owner) = (keys.lease().to_owned(), owner.to_owned());
        self.run(timeout, move |inner, c| {
            inner.release.key(&lease).arg(&owner).invoke::<i64>(c)
        })
        .map(drop)
    }

    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn BlockingWatch>> {
        // One node only: a cluster's or Sentinel's waiters poll.
        match &self.inner.connector {
            Connector::Node(client) => Some(Box::new(self.notifier.watch(client, keys.published()))),
            // Reachable only with feature `cluster` or `sentinel`.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info may hold a password: only where it points.
        f.debug_struct("RedisStore")
            .field("addr", &self.inner.connector.describe())
            .finish_non_exhaustive()
    }
}
