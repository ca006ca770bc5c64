//! Warm-hit throughput of each side of the pool benchmarks at 1, 2, 4 and 8 threads,
//! as tab-separated `side threads ns_per_call` lines (median of 5 runs of 2,000,000
//! calls in all, shared by the threads). Each thread starts at its own key. Run it on a
//! quiet machine: `target/release/pool_threads > pool_threads.tsv`.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::hint::black_box;
use std::time::Instant;

use learn_oauth_bench::pool::{KEYS, PoolPrepared, PoolSide};

const CALLS: usize = 2_000_000;
const RUNS: usize = 5;

fn main() {
    for side in PoolSide::ALL {
        let prepared = PoolPrepared::new(side);
        for threads in [1, 2, 4, 8] {
            let per_thread = CALLS / threads;
            let mut runs: Vec<f64> = (0..RUNS)
                .map(|_| {
                    let started = Instant::now();
                    std::thread::scope(|scope| {
                        for t in 0..threads {
                            let prepared = &prepared;
                            scope.spawn(move || {
                                let offset = t * (KEYS / 8);
                                for i in 0..per_thread {
                                    black_box(prepared.run(offset + i));
                                }
                            });
                        }
                    });
                    started.elapsed().as_nanos() as f64 / (per_thread * threads) as f64
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            println!("{side}\t{threads}\t{:.1}", runs[RUNS / 2]);
        }
    }
}
