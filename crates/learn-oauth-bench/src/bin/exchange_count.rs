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

use learn_oauth_bench::exchange::{Prepared, Side};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (side, iterations) = match args.as_slice() {
        [side, iterations] => match (side.parse::<Side>(), iterations.parse::<u64>()) {
            (Ok(side), Ok(n)) => (side, n),
            (Err(e), _) => return usage(&e),
            (_, Err(e)) => return usage(&format!("iterations: {e}")),
        },
        _ => return usage("two arguments expected"),
    };
    let prepared = Prepared::new(side);
    let mut sum = 0usize;
    for _ in 0..iterations {
        sum = sum.wrapping_add(black_box(prepared.run()));
    }
    black_box(sum);
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "exchange_count: {problem}\nusage: exchange_count <ours|ours-via-client|oauth2|floor|client> <iterations>"
    );
    ExitCode::from(2)
}
