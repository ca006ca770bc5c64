pub use learn_oauth_driver::{FailureClass, FailureCounts, Stats, StoreStats};
