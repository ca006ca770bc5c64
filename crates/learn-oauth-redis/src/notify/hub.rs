//! [`Hub`]: what one store's subscriber has heard, per watched channel, and the watches
//! that wait on it.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::BlockingWatch;

/// The pattern every store's subscriber listens on: each token's channel.
pub(super) const PATTERN: &str = "learn-oauth:v1:*:published";

/// The first pause before subscribing again after a failure; it doubles up to
/// [`MAX_RETRY`].
pub(super) const FIRST_RETRY: Duration = Duration::from_millis(500);

/// The longest pause between subscription attempts.
pub(super) const MAX_RETRY: Duration = Duration::from_secs(30);

/// The subscriber's side of one store: it reports here, watches wait here.
#[derive(Default)]
pub(crate) struct Hub {
    state: Mutex<State>,
    changed: Condvar,
    #[cfg(feature = "async")]
    notify: tokio::sync::Notify,
}

#[derive(Default)]
struct State {
    /// Per channel with a watch: how many notifications it has had.
    channels: HashMap<String, Channel>,
    /// Whether the subscription is up (`None`: not tried yet).
    live: Option<bool>,
}

#[derive(Default)]
struct Channel {
    told: u64,
    watches: usize,
}

impl Hub {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn changed(&self) {
        self.changed.notify_all();
        #[cfg(feature = "async")]
        self.notify.notify_waiters();
    }

    /// A watch on `channel` that sees what is told from now on.
    pub(crate) fn watch(self: &Arc<Self>, channel: &str) -> Watch {
        let mut state = self.state();
        let entry = state.channels.entry(channel.to_owned()).or_default();
        entry.watches = entry.watches.saturating_add(1);
        Watch {
            hub: Arc::clone(self),
            channel: channel.to_owned(),
            seen: entry.told,
        }
    }

    /// The subscription is up: every watch is told once, since a publish may have gone
    /// by while it was down or being made.
    pub(super) fn live(&self) {
        let mut state = self.state();
        state.live = Some(true);
        for channel in state.channels.values_mut() {
            channel.told = channel.told.wrapping_add(1);
        }
        drop(state);
        self.changed();
    }

    /// The subscription failed or was refused: watches stop waiting on it.
    pub(super) fn down(&self) {
        self.state().live = Some(false);
        self.changed();
    }

    /// A notification on `channel` arrived (one nobody watches is dropped).
    pub(super) fn told(&self, channel: &str) {
        let mut state = self.state();
        let Some(entry) = state.channels.get_mut(channel) else {
            return;
        };
        entry.told = entry.told.wrapping_add(1);
        drop(state);
        self.changed();
    }
}

/// One waiting request's watch on one channel.
pub(crate) struct Watch {
    hub: Arc<Hub>,
    channel: String,
    seen: u64,
}

/// What a watch finds when it looks.
enum Look {
    Told,
    CannotTell,
    Nothing,
}

impl Watch {
    fn look(&mut self, state: &State) -> Look {
        let told = state.channels.get(&self.channel).map_or(self.seen, |c| c.told);
        if told != self.seen {
            self.seen = told;
            Look::Told
        } else if state.live == Some(false) {
            Look::CannotTell
        } else {
            Look::Nothing
        }
    }
}

impl BlockingWatch for Watch {
    fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let hub = Arc::clone(&self.hub);
        let mut state = hub.state();
        loop {
            match self.look(&state) {
                Look::Told => return true,
                Look::CannotTell => return false,
                Look::Nothing => {}
            }
            let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                return false;
            }
            state = hub
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(feature = "async")]
impl learn_oauth_driver::store::AsyncWatch for Watch {
    fn published(&mut self) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let hub = Arc::clone(&self.hub);
            loop {
                let notified = hub.notify.notified();
                let mut notified = std::pin::pin!(notified);
                // Registered before looking: a change after the look wakes it.
                notified.as_mut().enable();
                if matches!(self.look(&hub.state()), Look::Told) {
                    return;
                }
                notified.await;
            }
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut state = self.hub.state();
        if let Some(entry) = state.channels.get_mut(&self.channel) {
            entry.watches = entry.watches.saturating_sub(1);
            if entry.watches == 0 {
                state.channels.remove(&self.channel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNEL: &str = "learn-oauth:v1:{abc}:published";

    #[test]
    fn a_watch_is_told_of_what_arrives_after_it_was_made_once() {
        let hub = Arc::new(Hub::default());
        hub.live();
        hub.told(CHANNEL); // nobody watched: dropped
        let mut watch = hub.watch(CHANNEL);
        assert!(!watch.wait(Duration::ZERO), "nothing since it was made");
        hub.told("learn-oauth:v1:{other}:published");
        assert!(!watch.wait(Duration::ZERO), "another key's publish");
        hub.told(CHANNEL);
        assert!(watch.wait(Duration::from_secs(10)));
        assert!(!watch.wait(Duration::ZERO), "reported once");
    }

    #[test]
    fn a_subscription_made_again_tells_every_watch_and_a_lost_one_lets_them_poll() {
        let hub = Arc::new(Hub::default());
        let mut watch = hub.watch(CHANNEL);
        hub.live();
        assert!(watch.wait(Duration::ZERO), "a publish may have gone by unheard");
        hub.down();
        let started = Instant::now();
        assert!(!watch.wait(Duration::from_secs(10)));
        assert!(started.elapsed() < Duration::from_secs(5), "returns at once");
    }

    #[test]
    fn the_last_watch_of_a_channel_takes_it_away() {
        let hub = Arc::new(Hub::default());
        let (one, two) = (hub.watch(CHANNEL), hub.watch(CHANNEL));
        drop(one);
        assert!(hub.state().channels.contains_key(CHANNEL));
        drop(two);
        assert!(hub.state().channels.is_empty());
    }
}
