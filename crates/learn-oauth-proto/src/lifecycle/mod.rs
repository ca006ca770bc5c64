//! The token lifecycle state machine (documentation in progress).

mod backoff;
mod machine;
mod policy;
mod snapshot;
mod state;
mod step;

#[doc(hidden)]
pub mod invariants;

pub use machine::{FetchId, TokenLifecycle, TokenPoll};
pub use policy::RefreshPolicy;
pub use snapshot::Snapshot;
pub use step::DriverStep;
