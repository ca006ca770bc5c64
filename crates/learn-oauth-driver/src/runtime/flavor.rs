//! [`Flavor`]: what makes `Provider<Blocking<T>>` and `Provider<Async<T>>` two disjoint
//! types with one implementation, and the machinery each flavour brings (sealed).

use std::fmt;

use crate::clock::Clock;

/// How a [`Provider`](crate::Provider) waits: blocking threads ([`Blocking`](super::Blocking)) or async
/// tasks (`Async`, feature `async`). Sealed: the two flavours are all there is; a new
/// transport plugs in through [`SendBlocking`](super::SendBlocking) or `SendAsync` instead.
pub trait Flavor: imp::FlavorImpl + Sized + 'static {
    /// What sends token requests.
    type Transport: fmt::Debug + Send + Sync + 'static;
    /// What the provider reads the time from and sleeps on (a trait object).
    type Clock: ?Sized + Clock;
    /// The shared store a fleet of such providers coordinates through (a trait object:
    /// `BlockingStore` or `AsyncStore`; feature `store`).
    #[cfg(feature = "store")]
    #[cfg_attr(docsrs, doc(cfg(feature = "store")))]
    type Store: ?Sized + fmt::Debug + Send + Sync + 'static;
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

        /// A pool's bound on its token requests in flight, which its entries share.
        type Slots: fmt::Debug + Send + Sync + 'static;

        /// A bound of `max` requests in flight (at least 1).
        fn slots(max: usize) -> Self::Slots;

        /// Wakes every caller waiting for a report.
        fn wake(signal: &Self::Signal);

        /// A value set once, by one caller, while others wait for it (a pool entry's
        /// provider, resolved on first use): `OnceLock` for threads, Tokio's `OnceCell`
        /// for tasks.
        type Once<V: Send + Sync + 'static>: Send + Sync + 'static;

        /// What a pool calls to load a key's configuration on a miss.
        type Resolver<K: 'static>: Send + Sync + 'static;

        /// An empty cell.
        fn once_empty<V: Send + Sync + 'static>() -> Self::Once<V>;

        /// The value, once set.
        fn once_get<V: Send + Sync + 'static>(once: &Self::Once<V>) -> Option<&V>;
    }
}
