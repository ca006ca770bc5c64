//! [`Notifier`]: the blocking store's subscriber, one thread per store.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::hub::{FIRST_RETRY, Hub, MAX_RETRY, PATTERN, Watch};

/// How long connecting and subscribing may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the listener looks whether its store is gone while nothing arrives.
const TICK: Duration = Duration::from_millis(250);

/// One blocking store's subscriber: a thread, started by the first watch, that ends
/// within [`TICK`] of the store being dropped.
#[derive(Default)]
pub(crate) struct Notifier {
    hub: Arc<Hub>,
    /// Held while the listener runs; dropped with the store, which ends it.
    stop: Mutex<Option<Sender<()>>>,
}

impl Notifier {
    /// A watch on `channel`; starts the listener on `client` if it does not run yet.
    pub(crate) fn watch(&self, client: &redis::Client, channel: &str) -> Watch {
        let watch = self.hub.watch(channel);
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        if stop.is_none() {
            let (sender, stopped) = std::sync::mpsc::channel();
            let (client, hub) = (client.clone(), Arc::clone(&self.hub));
            let spawned = std::thread::Builder::new()
                .name("learn-oauth-redis-notify".into())
                .spawn(move || listen(&client, &hub, &stopped));
            match spawned {
                Ok(_) => *stop = Some(sender),
                Err(_) => self.hub.down(),
            }
        }
        watch
    }
}

/// Subscribes, hands each notification to `hub`, and subscribes again after a failure
/// (pausing [`FIRST_RETRY`], doubling up to [`MAX_RETRY`]), until `stopped` says the
/// store is gone.
fn listen(client: &redis::Client, hub: &Hub, stopped: &Receiver<()>) {
    let mut retry = FIRST_RETRY;
    loop {
        match session(client, hub, stopped) {
            Ok(()) => return,
            Err(was_live) => {
                hub.down();
                if was_live {
                    retry = FIRST_RETRY;
                }
            }
        }
        if !matches!(stopped.recv_timeout(retry), Err(RecvTimeoutError::Timeout)) {
            return;
        }
        retry = retry.saturating_mul(2).min(MAX_RETRY);
    }
}

/// One subscription, until the store is gone (`Ok`) or it fails (`Err`: whether it had
/// been up).
fn session(client: &redis::Client, hub: &Hub, stopped: &Receiver<()>) -> Result<(), bool> {
    let mut connection = client
        .get_connection_with_timeout(CONNECT_TIMEOUT)
        .map_err(|_| false)?;
    subscribe(&mut connection).map_err(|_| false)?;
    let mut pubsub = connection.as_pubsub();
    pubsub.set_read_timeout(Some(TICK)).map_err(|_| false)?;
    hub.live();
    loop {
        if matches!(stopped.try_recv(), Err(TryRecvError::Disconnected)) {
            return Ok(());
        }
        match pubsub.get_message() {
            Ok(message) => hub.told(message.get_channel_name()),
            Err(error) if error.is_timeout() => {}
            Err(_) => return Err(true),
        }
    }
}

/// `PSUBSCRIBE` on `connection`, with its reply checked (an ACL may refuse it).
fn subscribe(connection: &mut redis::Connection) -> redis::RedisResult<()> {
    connection.set_read_timeout(Some(CONNECT_TIMEOUT))?;
    connection.set_write_timeout(Some(CONNECT_TIMEOUT))?;
    connection.send_packed_command(&redis::cmd("PSUBSCRIBE").arg(PATTERN).get_packed_command())?;
    connection.recv_response()?.extract_error().map(drop)
}
