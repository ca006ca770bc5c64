//! Runs `<iterations>` authorized requests of one side on the warm path, for instruction
//! counting (see `learn_oauth_bench::auth`):
//!
//! ```text
//! valgrind --tool=callgrind target/release/auth_count layer 1000
//! valgrind --tool=callgrind target/release/auth_count layer 101000
//! ```
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::auth::{AuthPrepared, AuthSide};
use learn_oauth_bench::counting::side_and_iterations;

fn main() -> ExitCode {
    let (side, iterations) =
        match side_and_iterations::<AuthSide>("auth_count", "layer|layer-no-replay|by-hand|inner") {
            Ok(parsed) => parsed,
            Err(code) => return code,
        };
    let mut prepared = AuthPrepared::new(side);
    let mut ok = 0u64;
    for _ in 0..iterations {
        ok += u64::from(black_box(prepared.run()) == Some(200));
    }
    if ok != iterations {
        eprintln!("auth_count: {side}: {ok} of {iterations} requests were authorized at once");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
