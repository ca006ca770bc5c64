//! Arbitrary configuration inputs: a valid configuration whose request decodes back to
//! the inputs, or the predicted typed error. See `learn_oauth_fuzz::config`.
#![no_main]

use learn_oauth_fuzz::config::{ConfigInput, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: ConfigInput| check(&input));
