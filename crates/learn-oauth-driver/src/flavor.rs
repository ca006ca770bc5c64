//! Flavour markers: what makes `Provider<Blocking<T>>` and `Provider<Async<T>>` two
//! disjoint types with one implementation.

use std::fmt;
use std::marker::PhantomData;

use crate::clock::{BlockingClock, Clock, SystemClock};
use crate::options::TransportOptions;
use crate::transport::{BuildError, SendBlocking};

/// How a [`Provider`](crate::Provider) waits: blocking threads ([`Blocking`]) or async
/// tasks (`Async`, feature `async`). Sealed: the two flavours are all there is; a new
/// transport plugs in through [`SendBlocking`] or `SendAsync` instead.
pub trait Flavor: imp::FlavorImpl + Sized + 'static {
    /// What sends token requests.
    type Transport: fmt::Debug + Send + Sync + 'static;
    /// What the provider reads the time from and sleeps on (a trait object).
    type Clock: ?Sized + Clock;
    /// The shared store a fleet of such providers coordinates through (a trait object:
    /// [`BlockingStore`](crate::store::BlockingStore) or `AsyncStore`; feature `store`).
    #[cfg(feature = "store")]
    #[cfg_attr(docsrs, doc(cfg(feature = "store")))]
    type Store: ?Sized + fmt::Debug + Send + Sync + 'static;
}

/// The blocking flavour over transport `T`: callers are threads, a request runs on the
/// calling thread (a refresh ahead on a thread of its own), waiting callers sleep on a
/// condition variable. Never constructed; only named in `Provider<Blocking<T>>`.
pub struct Blocking<T>(PhantomData<fn() -> T>);

impl<T: SendBlocking> Flavor for Blocking<T> {
    type Transport = T;
    type Clock = dyn BlockingClock;
    #[cfg(feature = "store")]
    type Store = dyn crate::store::BlockingStore;
}

impl<T: SendBlocking> imp::FlavorImpl for Blocking<T> {
    type Signal = std::sync::Condvar;

    fn default_transport(options: &TransportOptions) -> Result<<Self as Flavor>::Transport, BuildError> {
        T::from_options(options)
    }

    fn default_clock() -> std::sync::Arc<<Self as Flavor>::Clock> {
        std::sync::Arc::new(SystemClock)
    }

    fn wake(signal: &Self::Signal) {
        signal.notify_all();
    }

    type Once<V: Send + Sync + 'static> = std::sync::OnceLock<V>;

    type Resolver<K: 'static> = std::sync::Arc<
        dyn Fn(&K) -> Result<learn_oauth_proto::ClientConfig, crate::pool::ResolveError> + Send + Sync,
    >;

    fn once_filled<V: Send + Sync + 'static>(value: V) -> Self::Once<V> {
        std::sync::OnceLock::from(value)
    }

    fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V> {
        std::sync::OnceLock::new()
    }

    fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V> {
        once.get()
    }
}

#[cfg(feature = "async")]
pub use self::asynchronous::Async;

#[cfg(feature = "async")]
mod asynchronous {
    use std::marker::PhantomData;

    use super::{Flavor, imp};
    use crate::clock::{AsyncClock, TokioClock};
    use crate::options::TransportOptions;
    use crate::transport::{BuildError, SendAsync};

    /// The async flavour over transport `T`: callers are Tokio tasks, every request runs
    /// as a task of its own, waiting callers wait on a Tokio `Notify`. Never constructed;
    /// only named in `Provider<Async<T>>`.
    pub struct Async<T>(PhantomData<fn() -> T>);

    impl<T: SendAsync> Flavor for Async<T> {
        type Transport = T;
        type Clock = dyn AsyncClock;
        #[cfg(feature = "store")]
        type Store = dyn crate::store::AsyncStore;
    }

    impl<T: SendAsync> imp::FlavorImpl for Async<T> {
        type Signal = tokio::sync::Notify;

        fn default_transport(options: &TransportOptions) -> Result<<Self as Flavor>::Transport, BuildError> {
            T::from_options(options)
        }

        fn default_clock() -> std::sync::Arc<<Self as Flavor>::Clock> {
            std::sync::Arc::new(TokioClock)
        }

        fn wake(signal: &Self::Signal) {
            signal.notify_waiters();
        }

        type Once<V: Send + Sync + 'static> = tokio::sync::OnceCell<V>;

        type Resolver<K: 'static> = std::sync::Arc<dyn Fn(&K) -> crate::pool::ResolveFuture + Send + Sync>;

        fn once_filled<V: Send + Sync + 'static>(value: V) -> Self::Once<V> {
            tokio::sync::OnceCell::new_with(Some(value))
        }

        fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V> {
            tokio::sync::OnceCell::new()
        }

        fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V> {
            once.get()
        }
    }
}

/// What the flavours implement and users cannot name: the wake-up primitive and the
/// defaults.
pub(crate) mod imp {
    use std::fmt;

    use crate::options::TransportOptions;
    use crate::transport::BuildError;

    /// The flavour's own machinery (sealed: this module is private).
    pub trait FlavorImpl: 'static {
        /// Woken whenever a request has been reported.
        type Signal: Default + fmt::Debug + Send + Sync;

        /// The transport built from `options` when none is given.
        fn default_transport(
            options: &TransportOptions,
        ) -> Result<<Self as super::Flavor>::Transport, BuildError>
        where
            Self: super::Flavor;

        /// The clock used when none is given.
        fn default_clock() -> std::sync::Arc<<Self as super::Flavor>::Clock>
        where
            Self: super::Flavor;

        /// Wakes every caller waiting for a report.
        fn wake(signal: &Self::Signal);

        /// A value set once, by one caller, while others wait for it (a pool entry's
        /// provider, resolved on first use): `OnceLock` for threads, Tokio's `OnceCell`
        /// for tasks.
        type Once<V: Send + Sync + 'static>: Send + Sync + 'static;

        /// What a pool calls to load a key's configuration on a miss.
        type Resolver<K: 'static>: Send + Sync + 'static;

        /// A cell already holding `value`.
        fn once_filled<V: Send + Sync + 'static>(value: V) -> Self::Once<V>;

        /// An empty cell.
        fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V>;

        /// The value, once set.
        fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V>;
    }
}
