pub use learn_oauth_driver::store::*;
pub use learn_oauth_proto::store::{StoreOutcome, StorePolicy};
