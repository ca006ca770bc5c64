//! The async flavour's loop for a request through the shared store.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Instant;

use learn_oauth_proto::store::StoreStep;
use learn_oauth_proto::{AccessToken, Error};

use super::Async;
use super::{SendAsync, exchange};
use crate::provider::Inner;
use crate::store::StoreHandle;
use crate::store::{AsyncStore, StoreError, StoreErrorKind};

/// `op`, cut off at `deadline` on `shared`'s clock: a hung store never holds a
/// request longer than the policy's operation timeout, whatever the adapter does.
async fn bounded<T: SendAsync, R>(
    provider: &Inner<Async<T>>,
    deadline: Instant,
    op: impl Future<Output = Result<R, StoreError>>,
) -> Result<R, StoreError> {
    let mut op = pin!(op);
    let mut timer = provider.clock.sleep_until(deadline);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = op.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(StoreError::new(StoreErrorKind::Timeout))),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Whether `told` resolved before `timer`.
async fn first_of(told: impl Future<Output = ()>, timer: impl Future<Output = ()>) -> bool {
    let (mut told, mut timer) = (pin!(told), pin!(timer));
    std::future::poll_fn(|cx| {
        if told.as_mut().poll(cx).is_ready() {
            return Poll::Ready(true);
        }
        timer.as_mut().poll(cx).map(|()| false)
    })
    .await
}

impl StoreHandle<dyn AsyncStore> {
    /// One token request for `provider` through the store, given up on at `deadline` (the
    /// lifecycle's, unchanged: a request never outlives it, nor its lease).
    pub(crate) async fn fetch<T: SendAsync>(
        &self,
        provider: &Inner<Async<T>>,
        deadline: Option<Instant>,
    ) -> Result<AccessToken, Error> {
        let mut run = self.begin(&provider.lifecycle, provider.now(), deadline);
        let (store, keys, owner) = (&*self.shared.store, &self.keys, self.owner());
        // Made before the first read: a publish after it is told, whenever the wait starts.
        let mut watch = store.watch(keys);
        loop {
            let now = provider.now();
            let op = self.op_timeout(now, deadline);
            let cutoff = now.checked_add(op).unwrap_or(now);
            match run.fetch.poll(now) {
                StoreStep::Read => {
                    let result = bounded(provider, cutoff, store.read(keys, op)).await;
                    self.read_answered(&mut run, now, provider.now(), result);
                }
                StoreStep::TryLease { ttl } => {
                    let result = bounded(provider, cutoff, store.try_lease(keys, owner, ttl, op)).await;
                    self.lease_answered(&mut run, provider.now(), result);
                }
                StoreStep::Fetch { timeout } => {
                    let config = provider.lifecycle.config();
                    let result = exchange(&provider.transport, config, timeout, || provider.now()).await;
                    run.fetch.handle_fetched(provider.now(), result);
                }
                StoreStep::Publish {
                    token,
                    issued,
                    expire_at,
                } => {
                    let value = self.encode(&token, issued, expire_at);
                    let result = bounded(
                        provider,
                        cutoff,
                        store.publish(keys, &value, expire_at, owner, op),
                    )
                    .await;
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::CoolDown { until } => {
                    let value = self.encode_cool_down(until);
                    let result =
                        bounded(provider, cutoff, store.cool_down(keys, &value, until, owner, op)).await;
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::Release => {
                    let result = bounded(provider, cutoff, store.release(keys, owner, op)).await;
                    self.written(&mut run, provider.now(), result);
                }
                StoreStep::AwaitPublish { until } => {
                    let timer = provider.clock.sleep_until(until);
                    let told = match watch.as_mut() {
                        Some(watch) => first_of(watch.published(), timer).await,
                        None => {
                            timer.await;
                            false
                        }
                    };
                    if told {
                        run.fetch.handle_published(provider.now());
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
