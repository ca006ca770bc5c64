//! Sharing tokens across a fleet: the protocol a provider runs against a store shared
//! by many replicas (Redis, for one), so N processes make about one token request per
//! refresh period instead of N.
//!
//! Decisions only, as everywhere in this crate: [`StoreFetch`] says what to read,
//! lease, request, publish or wait for, and [`StoreBreaker`] when to leave a failing
//! store alone; the driver layer carries the steps out (`learn-oauth-driver`'s `store`
//! module, over a store adapter such as `learn-oauth-redis`). What is stored (the value's
//! format, its sealing) and how keys are named is the driver's; what this module decides
//! about a value is whether an authentic one is worth adopting, and whether it is an old
//! one written back ([`StoreHistory`]).
//!
//! The warm path never sees any of this: a store is consulted only when the lifecycle
//! hands out a request (cold start, refresh point, invalidation).

mod breaker;
mod clock;
mod fetch;
mod history;
mod policy;
mod view;

pub use breaker::StoreBreaker;
pub use clock::StoreTime;
pub use fetch::StoreFetch;
pub use history::{StoreHistory, StoreRefusal};
pub use policy::StorePolicy;
pub use view::{StoreOutcome, StoreStep, StoreView};
