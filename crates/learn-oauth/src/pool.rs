pub use learn_oauth_driver::pool::*;
