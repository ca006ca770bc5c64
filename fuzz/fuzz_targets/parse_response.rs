//! An arbitrary HTTP response through `parse_token_response`: a token or a typed error,
//! never a panic, never a leaked token. See `learn_oauth_fuzz::response`.
#![no_main]

use learn_oauth_fuzz::response::{ResponseInput, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: ResponseInput<'_>| check(&input));
