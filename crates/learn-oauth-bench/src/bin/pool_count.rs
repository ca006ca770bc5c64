//! Runs `<iterations>` warm hits of one side of the pool benchmarks, for instruction
//! counting (see `learn_oauth_bench::pool`):
//!
//! ```text
//! valgrind --tool=callgrind target/release/pool_count pool 1000
//! valgrind --tool=callgrind target/release/pool_count pool 101000
//! ```
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::counting::side_and_iterations;
use learn_oauth_bench::pool::{PoolPrepared, PoolSide};

fn main() -> ExitCode {
    let (side, iterations) = match side_and_iterations::<PoolSide>("pool_count", "pool|provider|mutex-map") {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let prepared = PoolPrepared::new(side);
    let mut hits = 0u64;
    for i in 0..iterations {
        hits += u64::from(black_box(prepared.run(i as usize)).is_some());
    }
    if hits != iterations {
        eprintln!("pool_count: {side}: {hits} of {iterations} calls were warm hits");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
