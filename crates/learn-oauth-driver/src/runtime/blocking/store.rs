//! The blocking flavour's loop for a request through the shared store.

use std::time::Instant;

use learn_oauth_proto::store::StoreStep;
use learn_oauth_proto::{AccessToken, Error};

use super::Blocking;
use super::{SendBlocking, exchange};
use crate::provider::Inner;
use crate::store::BlockingStore;
use crate::store::StoreHandle;

impl StoreHandle<dyn BlockingStore> {
    /// One token request for `provider` through the store, given up on at `deadline` (the
    /// lifecycle's, unchanged: a request never outlives it, nor its lease).
    pub(crate) fn fetch<T: SendBlocking>(
        &self,
        provider: &Inner<Blocking<T>>,
        deadline: Option<Instant>,
    ) -> Result<AccessToken, Error> {
        let mut run = self.begin(&provider.lifecycle, provider.now(), deadline);
        let (store, keys, owner) = (&*self.shared.store, &self.keys, self.owner());
        // Made before the first read: a publish after it is told, whenever the wait starts.
        let mut watch = store.watch(keys);
        loop {
            let now = provider.now();
            let op = self.op_timeout(now, deadline);
            match run.fetch.poll(now) {
                StoreStep::Read => {
                    let result = store.read(keys, op);
                    self.read_answered(&mut run, now, provider.now(), result);
                }
                StoreStep::TryLease { ttl } => {
                    let result = store.try_lease(keys, owner, ttl, op);
                    self.lease_answered(&mut run, provider.now(), result);
                }
                StoreStep::Fetch { timeout } => {
                    let config = provider.lifecycle.config();
                    let result = exchange(&provider.transport, config, timeout, || provider.now());
                    run.fetch.handle_fetched(provider.now(), result);
                }
                StoreStep::Publish {
                    token,
                    issued,
                    expire_at,
                } => {
                    let value = self.encode(&token, issued, expire_at);
                    let result = store.publish(keys, &value, expire_at, owner, op);
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::CoolDown { until } => {
                    let value = self.encode_cool_down(until);
                    let result = store.cool_down(keys, &value, until, owner, op);
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::Release => {
                    let result = store.release(keys, owner, op);
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::AwaitPublish { until } => {
                    let left = until.saturating_duration_since(now);
                    if watch.as_mut().is_some_and(|watch| watch.wait(left)) {
                        run.fetch.handle_published(provider.now());
                    } else {
                        provider.clock.sleep_until(until);
                    }
                }
                StoreStep::Done(result) => {
                    self.finished(&run);
                    return result;
                }
                // A step this driver does not know: go on without the store.
                _ => run.fetch.handle_store_error(now),
            }
        }
    }
}
