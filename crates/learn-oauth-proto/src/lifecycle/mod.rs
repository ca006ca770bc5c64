//! The token lifecycle: [`TokenLifecycle`], the state machine, and what goes in and out of
//! it. The crate docs describe its states and the driving loop; the items are
//! re-exported at the crate root.

mod backoff;
mod machine;
mod outcome;
mod policy;
mod poll;
mod refresh_point;
mod snapshot;
mod state;
mod step;
mod transitions;

#[cfg(feature = "invariants")]
#[doc(hidden)]
pub mod invariants;

pub use machine::TokenLifecycle;
pub use outcome::ResponseOutcome;
pub(crate) use policy::MIN_DELAY;
pub use policy::RefreshPolicy;
pub use poll::{FetchId, TokenPoll};
pub use snapshot::Snapshot;
pub use step::DriverStep;
