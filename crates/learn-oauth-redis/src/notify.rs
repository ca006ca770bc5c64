//! Telling replicas waiting for a peer that it published, over Redis pub/sub.
//!
//! The publish and cool-down scripts end with `PUBLISH` on the key's channel,
//! `learn-oauth:v1:{<hash>}:published` (ordinary pub/sub, empty message). Each store has
//! one subscriber connection, made on the first watch, subscribed to the pattern
//! `learn-oauth:v1:*:published`, so no key ever waits for a subscription
//! of its own; every watch of the store shares it (the blocking store: one thread; the
//! async store: one task). In Redis Cluster an ordinary `PUBLISH` reaches every node, so
//! the subscriber may be on any node; the channel keeps the key's hash tag, so sharded
//! pub/sub (`SPUBLISH`) stays possible.
//!
//! A notification is only a hint: the waiter reads, and the provider judges what it
//! reads as after any read. When the subscription is refused (an ACL without the
//! channel, `PSUBSCRIBE` renamed away) or lost, waiters poll until it is back; after it
//! is made again, every waiter reads once, since a publish may have gone by unheard.

mod hub;
mod listen;
#[cfg(feature = "async")]
mod listen_async;

pub(crate) use listen::Notifier;
#[cfg(feature = "async")]
pub(crate) use listen_async::AsyncNotifier;
