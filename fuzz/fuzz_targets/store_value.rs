//! Bytes from the shared store through the value decoder: adopted only when they open
//! with the replica's key at their name. See `learn_oauth_fuzz::store_value`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    learn_oauth_fuzz::store_value::check(data);
});
