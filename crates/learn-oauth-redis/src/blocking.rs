//! [`RedisStore`]: the blocking adapter.

use std::fmt;
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    BlockingStore, BlockingWatch, StoreError, StoreErrorKind, StoreKeyNames, StoreRecord, StoreTime,
};

use crate::commands;
use crate::url::RedisUrlError;

/// A Redis shared store for blocking providers (`SharedStore::blocking(store, sealing)`).
///
/// Connects lazily, on the first operation, and keeps the connections that worked for
/// the next ones (one per concurrent operation: an operation never waits for another's
/// connection). A reused connection found broken is replaced once within the same
/// operation, and any failed connection is dropped, so the store recovers by itself when
/// Redis comes back.
///
/// **Bounded**: each operation runs on a short-lived thread of its own and the caller
/// waits for it at most the operation's timeout. (redis-rs's socket timeouts apply per
/// reply, and one operation reads several, so they alone would not bound it.) An
/// operation given up on finishes or fails on its own thread, within its socket
/// timeouts; its connection is kept for reuse only if it succeeded.
pub struct RedisStore {
    inner: Arc<Inner>,
    notifier: crate::notify::Notifier,
}

struct Inner {
    client: redis::Client,
    idle: Mutex<Vec<redis::Connection>>,
    publish: redis::Script,
    release: redis::Script,
    lease: redis::Script,
}

/// At most this many idle connections are kept.
const MAX_IDLE: usize = 4;

impl RedisStore {
    /// A store for the Redis at `url` (`redis://[user:password@]host:port/db`, or
    /// `rediss://…` with feature `tls`). Nothing is connected yet.
    ///
    /// # Errors
    ///
    /// When `url` is not a Redis URL.
    pub fn open(url: &str) -> Result<Self, RedisUrlError> {
        let client = redis::Client::open(url).map_err(RedisUrlError)?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                idle: Mutex::new(Vec::new()),
                publish: commands::set_then_release(),
                release: commands::release(),
                lease: commands::try_lease(),
            }),
            notifier: crate::notify::Notifier::default(),
        })
    }

    /// Runs `op` on a connection, giving up after `timeout`.
    fn run<R: Send + 'static>(
        &self,
        timeout: Duration,
        op: impl Fn(&Inner, &mut redis::Connection) -> redis::RedisResult<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        let inner = Arc::clone(&self.inner);
        let (answer, answered) = sync_channel(1);
        let deadline = Instant::now().checked_add(timeout).unwrap_or_else(far_future);
        let spawned = std::thread::Builder::new()
            .name("learn-oauth-redis".into())
            .spawn(move || {
                let result = inner.attempt(deadline, &op);
                // If nobody waits any more, the connection goes with the thread.
                let _ = answer.send(result);
            });
        if let Err(error) = spawned {
            return Err(StoreError::with_source(StoreErrorKind::Protocol, error));
        }
        match answered.recv_timeout(timeout) {
            Ok(result) => result.map_err(commands::store_error),
            Err(RecvTimeoutError::Timeout) => Err(StoreError::new(StoreErrorKind::Timeout)),
            // The operation panicked (a bug in the client): a failed operation.
            Err(RecvTimeoutError::Disconnected) => Err(StoreError::new(StoreErrorKind::Protocol)),
        }
    }
}

impl Inner {
    /// `op` on an idle connection (replaced once if it turns out broken) or a new one.
    fn attempt<R>(
        &self,
        deadline: Instant,
        op: &impl Fn(&Inner, &mut redis::Connection) -> redis::RedisResult<R>,
    ) -> redis::RedisResult<R> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        if let Some(mut connection) = idle {
            match self.on(&mut connection, deadline, op) {
                Ok(value) => {
                    self.keep(connection);
                    return Ok(value);
                }
                Err(error) if !(error.is_connection_dropped() || error.is_io_error()) => return Err(error),
                Err(_) => {} // broken since it was last used: one fresh try
            }
        }
        let left = time_left(deadline)?;
        let mut connection = self.client.get_connection_with_timeout(left)?;
        let value = self.on(&mut connection, deadline, op)?;
        self.keep(connection);
        Ok(value)
    }

    fn on<R>(
        &self,
        connection: &mut redis::Connection,
        deadline: Instant,
        op: &impl Fn(&Inner, &mut redis::Connection) -> redis::RedisResult<R>,
    ) -> redis::RedisResult<R> {
        let left = time_left(deadline)?;
        connection.set_read_timeout(Some(left))?;
        connection.set_write_timeout(Some(left))?;
        op(self, connection)
    }

    fn keep(&self, connection: redis::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
    }
}

/// An instant far enough away to mean "no deadline" (an `op_timeout` too large to add).
fn far_future() -> Instant {
    let now = Instant::now();
    now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600))
        .unwrap_or(now)
}

/// What is left until `deadline`, or a timeout error.
fn time_left(deadline: Instant) -> redis::RedisResult<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into());
    }
    Ok(left)
}

impl RedisStore {
    /// Sets `key` to `value` until `at` (Redis's clock), then releases `owner`'s lease: one
    /// script call.
    fn set_then_release(
        &self,
        key: String,
        value: Vec<u8>,
        at: StoreTime,
        keys: &StoreKeyNames,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        let (lease, owner) = (keys.lease().to_owned(), owner.to_owned());
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
        let replies = self.run(timeout, move |_, c| commands::read(&keys).query(c))?;
        Ok(commands::record(replies))
    }

    fn try_lease(
        &self,
        keys: &StoreKeyNames,
        owner: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let (keys, owner) = (keys.clone(), owner.to_owned());
        let won: i64 = self.run(timeout, move |inner, c| {
            inner
                .lease
                .key(keys.lease())
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
        self.set_then_release(
            keys.token().to_owned(),
            value.to_vec(),
            expire_at,
            keys,
            owner,
            timeout,
        )
    }

    fn cool_down(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.set_then_release(
            keys.cool_down().to_owned(),
            value.to_vec(),
            until,
            keys,
            owner,
            timeout,
        )
    }

    fn release(&self, keys: &StoreKeyNames, owner: &str, timeout: Duration) -> Result<(), StoreError> {
        let (keys, owner) = (keys.clone(), owner.to_owned());
        self.run(timeout, move |inner, c| {
            inner.release.key(keys.lease()).arg(&owner).invoke::<i64>(c)
        })
        .map(drop)
    }

    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn BlockingWatch>> {
        Some(Box::new(
            self.notifier.watch(&self.inner.client, keys.published()),
        ))
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info may hold a password: only where it points.
        let info = self.inner.client.get_connection_info();
        f.debug_struct("RedisStore")
            .field("addr", &info.addr().to_string())
            .finish_non_exhaustive()
    }
}
