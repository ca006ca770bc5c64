//! An arbitrary HTTP response through `ClientConfig::parse_response`: a token or a typed
//! error, never a panic, never a leaked token or secret. See `learn_oauth_fuzz::response`.
#![no_main]

use learn_oauth_fuzz::response::{ResponseInput, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: ResponseInput<'_>| check(&input));
