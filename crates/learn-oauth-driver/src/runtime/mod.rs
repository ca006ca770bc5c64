//! The blocking/async split, on one axis: what is generic over a [`Flavor`] lives in the
//! crate's other modules; everything that blocks a thread or awaits a future is here,
//! under `blocking/` or `asynchronous/`, one file per concept in each (the provider's
//! loop, the pool's, the shared store's), with the flavour's marker, clock and transport
//! trait in the flavour's own `blocking.rs` / `asynchronous.rs`.

#[cfg(feature = "async")]
mod asynchronous;
mod blocking;
mod flavor;

#[cfg(feature = "async")]
pub use asynchronous::{Async, AsyncClock, SendAsync, TokioClock};
pub use blocking::{Blocking, BlockingClock, SendBlocking, SystemClock};
pub use flavor::Flavor;
pub(crate) use flavor::imp;
