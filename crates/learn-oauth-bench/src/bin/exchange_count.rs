//! Runs `<iterations>` in-memory exchanges of one side, for instruction counting:
//!
//! ```text
//! valgrind --tool=callgrind target/release/exchange_count ours 1000
//! valgrind --tool=callgrind target/release/exchange_count ours 11000
//! ```
//!
//! The difference of the two totals over the difference of the iteration counts is the
//! cost of one exchange, with setup and process start-up cancelled out.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::counting::side_and_iterations;
use learn_oauth_bench::exchange::{Prepared, Side};

fn main() -> ExitCode {
    let (side, iterations) =
        match side_and_iterations::<Side>("exchange_count", "ours|ours-via-client|oauth2|floor|client") {
            Ok(parsed) => parsed,
            Err(code) => return code,
        };
    let prepared = Prepared::new(side);
    let mut sum = 0usize;
    for _ in 0..iterations {
        sum = sum.wrapping_add(black_box(prepared.run()));
    }
    black_box(sum);
    ExitCode::SUCCESS
}
