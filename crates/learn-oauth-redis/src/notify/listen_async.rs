//! [`AsyncNotifier`]: the async store's subscriber, one task per store.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::oneshot;

use super::hub::{FIRST_RETRY, Hub, MAX_RETRY, PATTERN, Watch};

/// How long connecting and subscribing may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// One async store's subscriber: a task on the runtime of the first watch, with one
/// connection; it ends when the store is dropped.
#[derive(Default)]
pub(crate) struct AsyncNotifier {
    hub: Arc<Hub>,
    /// Held while the listener runs; dropped with the store, which ends it.
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

impl AsyncNotifier {
    /// A watch on `channel`; starts the listener on `client` if it does not run yet
    /// (outside a Tokio runtime it cannot: waiters then poll).
    pub(crate) fn watch(&self, client: &redis::Client, channel: &str) -> Watch {
        let watch = self.hub.watch(channel);
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        if stop.is_none() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    let (sender, stopped) = oneshot::channel();
                    let (client, hub) = (client.clone(), Arc::clone(&self.hub));
                    runtime.spawn(listen(client, hub, stopped));
                    *stop = Some(sender);
                }
                Err(_) => self.hub.down(),
            }
        }
        watch
    }
}

/// Subscribes, hands each notification to `hub`, and subscribes again after a failure
/// (pausing [`FIRST_RETRY`], doubling up to [`MAX_RETRY`]), until `stopped` says the
/// store is gone.
async fn listen(client: redis::Client, hub: Arc<Hub>, mut stopped: oneshot::Receiver<()>) {
    let mut retry = FIRST_RETRY;
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            was_live = session(&client, &hub) => {
                hub.down();
                if was_live {
                    retry = FIRST_RETRY;
                }
            }
        }
        tokio::select! {
            _ = &mut stopped => return,
            () = tokio::time::sleep(retry) => {}
        }
        retry = retry.saturating_mul(2).min(MAX_RETRY);
    }
}

/// One subscription, until it fails: whether it had been up.
async fn session(client: &redis::Client, hub: &Hub) -> bool {
    let subscribed = tokio::time::timeout(CONNECT_TIMEOUT, async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.psubscribe(PATTERN).await?;
        redis::RedisResult::Ok(pubsub.into_on_message())
    })
    .await;
    let Ok(Ok(mut messages)) = subscribed else {
        return false;
    };
    hub.live();
    while let Some(message) = std::future::poll_fn(|cx| Pin::new(&mut messages).poll_next(cx)).await {
        hub.told(message.get_channel_name());
    }
    true
}
