//! `count exchange|warm|auth|pool|store <side> <iterations>` runs `<iterations>` calls of
//! one side (one of the module's `SIDES`) of one benchmark, for instruction counting under
//! callgrind (`scripts/bench-report.sh`).
//!
//! `exchange`, `warm`, `auth`, `store`: the difference of two runs' totals over the
//! difference of their iteration counts is one call's cost. `pool`: each hit is one call of
//! an out-of-line `hit_*` function, counted alone (`--toggle-collect='count::hit_*'`; why:
//! `scripts/bench-report.sh`'s `count_in_fn`).
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use learn_oauth_bench::auth::Auth;
use learn_oauth_bench::exchange::Exchange;
use learn_oauth_bench::pool::Pool;
use learn_oauth_bench::store::Store;
use learn_oauth_bench::warm::Warm;
use learn_oauth_driver::pool::PoolKey;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bench, side, n] = args.as_slice() else {
        eprintln!("usage: count exchange|warm|auth|pool|store <side> <iterations>");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("count: not a whole number: {n:?}");
        return ExitCode::from(2);
    };
    let done = match bench.as_str() {
        "exchange" => Exchange::new(side).map(|prepared| calls(n, |_| black_box(prepared.run()) > 0)),
        "warm" => Warm::new(side).map(|prepared| calls(n, |_| black_box(prepared.run()).is_some())),
        "auth" => Auth::new(side).map(|mut prepared| calls(n, |_| black_box(prepared.run()) == Some(200))),
        "pool" => Pool::new(side).map(|prepared| {
            let prepared = black_box(&prepared);
            // The key is chosen outside the counted function: only the hit itself is counted.
            calls(n, |i| match prepared.side() {
                "pool" => hit_pool(prepared, prepared.key(i)),
                "provider" => hit_provider(prepared),
                _ => hit_mutex_map(prepared, prepared.key(i)),
            })
        }),
        "store" => Store::new(side).map(|prepared| calls(n, |_| black_box(prepared.run()).is_some())),
        _ => None,
    };
    match done {
        Some(hits) if hits == n => ExitCode::SUCCESS,
        Some(hits) => {
            eprintln!("count: {bench} {side}: {hits} of {n} calls were warm hits");
            ExitCode::FAILURE
        }
        None => {
            eprintln!("count: unknown benchmark or side: {bench} {side}");
            ExitCode::from(2)
        }
    }
}

/// Calls `run` with `0..n`: how many of its results were what a warm call returns.
fn calls(n: u64, mut run: impl FnMut(usize) -> bool) -> u64 {
    let mut hits = 0u64;
    for i in 0..usize::try_from(n).unwrap_or(usize::MAX) {
        hits += u64::from(run(i));
    }
    hits
}

// One function per side, each kept out of line so callgrind counts it alone and each
// compiled on its own: in one function with a match, one side's code changes how the
// others' are compiled.

/// One warm hit through the pool.
#[inline(never)]
fn hit_pool(prepared: &Pool, key: &PoolKey) -> bool {
    black_box(prepared.pool_hit(black_box(key))).is_some()
}

/// One warm hit of the provider.
#[inline(never)]
fn hit_provider(prepared: &Pool) -> bool {
    black_box(prepared.provider_hit()).is_some()
}

/// One warm hit through the mutex-guarded map.
#[inline(never)]
fn hit_mutex_map(prepared: &Pool, key: &PoolKey) -> bool {
    black_box(prepared.mutex_map_hit(black_box(key))).is_some()
}
