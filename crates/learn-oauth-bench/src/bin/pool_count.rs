//! Runs `<iterations>` warm hits of one side of the pool benchmarks, for instruction
//! counting (see `learn_oauth_bench::pool`). Each hit is one call of an out-of-line
//! `hit_*` function, which callgrind counts alone:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='pool_count::hit_*' target/release/pool_count pool 100000
//! ```
//!
//! (The difference of two runs, as the other counts use, does not work here: building and
//! dropping 10,000 entries costs a different amount after 1,000 hits than after 101,000,
//! glibc's `free` consolidating differently: seen 75 more and 150 fewer instructions per hit.)
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::counting::side_and_iterations;
use learn_oauth_bench::pool::{PoolPrepared, PoolSide};
use learn_oauth_driver::pool::PoolKey;

fn main() -> ExitCode {
    let (side, iterations) = match side_and_iterations::<PoolSide>("pool_count", "pool|provider|mutex-map") {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let prepared = PoolPrepared::new(side);
    let prepared = black_box(&prepared);
    let mut hits = 0u64;
    for i in 0..iterations as usize {
        // The key is chosen outside the counted function: only the hit itself is counted.
        let hit = match side {
            PoolSide::Pool => hit_pool(prepared, prepared.key(i)),
            PoolSide::Provider => hit_provider(prepared),
            PoolSide::MutexMap => hit_mutex_map(prepared, prepared.key(i)),
        };
        hits += u64::from(hit);
    }
    if hits != iterations {
        eprintln!("pool_count: {side}: {hits} of {iterations} calls were warm hits");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

// One function per side, each kept out of line so callgrind counts it alone
// (`--toggle-collect=pool_count::hit_*`) and each compiled on its own: in one function
// with a match, one side's code changed how the others' were compiled (the provider's hit
// moved from 155 to 184 instructions when only the pool's arm changed).

/// One warm hit through the pool.
#[inline(never)]
fn hit_pool(prepared: &PoolPrepared, key: &PoolKey) -> bool {
    black_box(prepared.pool_hit(black_box(key))).is_some()
}

/// One warm hit of the provider.
#[inline(never)]
fn hit_provider(prepared: &PoolPrepared) -> bool {
    black_box(prepared.provider_hit()).is_some()
}

/// One warm hit through the mutex-guarded map.
#[inline(never)]
fn hit_mutex_map(prepared: &PoolPrepared, key: &PoolKey) -> bool {
    black_box(prepared.mutex_map_hit(black_box(key))).is_some()
}
