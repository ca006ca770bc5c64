//! A new provider's first `token()` over the canned in-memory exchange (section 2d): with
//! no store (`fetch`), with an empty in-memory store (`fetch-store`: read, lease, fetch,
//! seal and publish), and with one holding a token another replica published (`adopt`:
//! read, open, adopt), for instruction counting (`count store` under callgrind). Sealing
//! and opening are internal to the driver, so they are measured on these public paths.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use learn_oauth_driver::store::{
    BlockingStore, Sealing, SealingKey, SharedStore, StoreError, StoreKeyNames, StoreRecord, StoreTime,
};
use learn_oauth_driver::{Blocking, Provider};
use learn_oauth_proto::{AccessToken, ClientConfig};

use crate::fixture::{self, Canned};

/// The sides, in report order.
pub const SIDES: [&str; 3] = ["fetch", "fetch-store", "adopt"];

/// An in-memory store of one token: it keeps the value last published and, if `serves`,
/// hands it back on a read (with an hour to live, its clock standing still); it grants every lease and counts every
/// call. Clones share the value and the count.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    published: Arc<Mutex<Option<Vec<u8>>>>,
    calls: Arc<AtomicUsize>,
    serves: bool,
}

impl MemoryStore {
    /// How many calls reached the store.
    #[must_use]
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    fn called(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// A shared store over this one, sealing with a fixed benchmark key.
    #[must_use]
    pub fn shared(&self) -> SharedStore<dyn BlockingStore> {
        let key = SealingKey::new(1, &[7; 32]).expect("32 bytes");
        SharedStore::blocking(self.clone(), Sealing::new(key))
    }
}

type Keys = StoreKeyNames;
type Done = Result<(), StoreError>;

impl BlockingStore for MemoryStore {
    fn read(&self, _: &Keys, _: Duration) -> Result<StoreRecord, StoreError> {
        self.called();
        let published = self.published.lock().unwrap_or_else(PoisonError::into_inner);
        let token = published
            .clone()
            .filter(|_| self.serves)
            .map(|v| (v, Duration::from_secs(3600)));
        let now = Some(StoreTime(1_700_000_000_000));
        Ok(StoreRecord::new(token, None, false, now))
    }
    fn try_lease(&self, _: &Keys, _: &str, _: Duration, _: Duration) -> Result<bool, StoreError> {
        self.called();
        Ok(true)
    }
    fn publish(&self, _: &Keys, value: &[u8], _: StoreTime, _: &str, _: Duration) -> Done {
        self.called();
        *self.published.lock().unwrap_or_else(PoisonError::into_inner) = Some(value.to_vec());
        Ok(())
    }
    fn cool_down(&self, _: &Keys, _: &[u8], _: StoreTime, _: &str, _: Duration) -> Done {
        self.called();
        Ok(())
    }
    fn release(&self, _: &Keys, _: &str, _: Duration) -> Done {
        self.called();
        Ok(())
    }
}

/// One side, prepared: for `adopt`, its store holds a published token.
#[derive(Debug)]
pub struct Store {
    config: ClientConfig,
    store: Option<MemoryStore>,
    shared: Option<SharedStore<dyn BlockingStore>>,
}

impl Store {
    /// Builds `side`; `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str) -> Option<Self> {
        let store = match side {
            "fetch" => None,
            "fetch-store" => Some(MemoryStore::default()),
            "adopt" => Some(MemoryStore {
                serves: true,
                ..MemoryStore::default()
            }),
            _ => return None,
        };
        let prepared = Self {
            config: fixture::config(),
            shared: store.as_ref().map(MemoryStore::shared),
            store,
        };
        if let Some(store) = prepared.store.as_ref().filter(|s| s.serves) {
            // Another replica fetches and publishes the token the calls adopt.
            let publisher = MemoryStore {
                serves: false,
                ..store.clone()
            };
            prepared.first_token(Some(publisher.shared())).expect("a token");
        }
        Some(prepared)
    }

    fn first_token(&self, shared: Option<SharedStore<dyn BlockingStore>>) -> Option<AccessToken> {
        let builder = Provider::<Blocking<Canned>>::builder(self.config.clone()).transport(Canned);
        let builder = match shared {
            Some(shared) => builder.shared_store(shared),
            None => builder,
        };
        builder.build().ok()?.token().ok()
    }

    /// One new provider's first `token()`; `None` if it got no token.
    pub fn run(&self) -> Option<AccessToken> {
        self.first_token(self.shared.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_store_publishes_and_adopt_only_reads() {
        for side in SIDES {
            let prepared = Store::new(side).unwrap();
            let before = prepared.store.as_ref().map_or(0, MemoryStore::calls);
            let token = prepared.run().unwrap_or_else(|| panic!("{side}: no token"));
            assert_eq!(token.expose_secret(), fixture::ACCESS_TOKEN, "{side}");
            let calls = prepared.store.as_ref().map_or(0, MemoryStore::calls) - before;
            let value = prepared
                .store
                .as_ref()
                .and_then(|s| s.published.lock().unwrap().clone());
            let sealed = value.as_ref().is_some_and(|v| {
                !v.windows(40)
                    .any(|w| w == &fixture::ACCESS_TOKEN.as_bytes()[..40])
            });
            let published = value.is_some() && sealed;
            match side {
                "fetch" => assert_eq!((calls, published), (0, false)),
                // Read, lease, publish (then release): the value went in sealed.
                "fetch-store" => assert!(calls >= 3 && published, "{side}: {calls} calls"),
                _ => assert_eq!(calls, 1, "adopt: one read, no lease, no publish"),
            }
        }
        assert!(Store::new("nope").is_none());
    }
}
