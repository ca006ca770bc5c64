//! Arbitrary event sequences through the token lifecycle, checked after every step by
//! the core's invariant checker. See `learn_oauth_fuzz::lifecycle`.
#![no_main]

use learn_oauth_fuzz::lifecycle::{LifecycleInput, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: LifecycleInput| check(&input));
