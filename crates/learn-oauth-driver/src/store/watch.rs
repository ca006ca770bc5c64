//! How a store tells a waiting replica that a peer published: a watch on one key's
//! publishes, made before the read that may lead to a wait, so no publish after that
//! read is missed.

use std::time::Duration;

/// A blocking store's watch on the publishes of one token (a token or a cool-down
/// written for its key), from [`BlockingStore::watch`](super::BlockingStore::watch).
/// It sees every publish the store tells of after the watch was made.
///
/// What it reports is a hint, never a value: the waiting replica then reads the store,
/// and what it finds is judged as after any read. A notification nobody published costs
/// one read.
pub trait BlockingWatch: Send {
    /// Blocks until the store tells of a publish not yet reported by this watch, at most
    /// `timeout`; whether it told of one. Returns `false` at once while the store cannot
    /// tell (the subscription is refused or lost): the provider then waits out its own
    /// timer, as without a watch.
    fn wait(&mut self, timeout: Duration) -> bool;
}

#[cfg(feature = "async")]
pub use self::asynchronous::AsyncWatch;

#[cfg(feature = "async")]
mod asynchronous {
    use std::future::Future;
    use std::pin::Pin;

    /// The async twin of [`BlockingWatch`](super::BlockingWatch), from
    /// [`AsyncStore::watch`](crate::store::AsyncStore::watch), with the same rules. The
    /// provider races it against its own timer, so it takes no timeout.
    pub trait AsyncWatch: Send {
        /// Resolves when the store tells of a publish not yet reported by this watch;
        /// stays pending while the store cannot tell.
        fn published(&mut self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    }
}
