//! A CLI cache file's bytes through the entry parser: a token served only from a
//! well-formed entry whose tag verifies. See `learn_oauth_fuzz::cli_entry`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    learn_oauth_fuzz::cli_entry::check(data);
});
