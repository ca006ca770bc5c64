//! Runs `<iterations>` warm `token()` calls of one side, for instruction counting:
//!
//! ```text
//! valgrind --tool=callgrind target/release/warm_count blocking 1000
//! valgrind --tool=callgrind target/release/warm_count blocking 101000
//! ```
//!
//! The difference of the two totals over the difference of the iteration counts is the
//! cost of one warm hit, with setup and process start-up cancelled out.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::counting::side_and_iterations;
use learn_oauth_bench::warm::{WarmPrepared, WarmSide};

fn main() -> ExitCode {
    let (side, iterations) = match side_and_iterations::<WarmSide>(
        "warm_count",
        "blocking|blocking-store|async|polled-blocking|mutex|floor",
    ) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let prepared = WarmPrepared::new(side);
    let mut hits = 0u64;
    for _ in 0..iterations {
        hits += u64::from(black_box(prepared.run()).is_some());
    }
    if hits != iterations {
        eprintln!("warm_count: {side}: {hits} of {iterations} calls were warm hits");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
