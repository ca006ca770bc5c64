//! Warm-hit throughput of each side of the pool benchmarks at 1, 2, 4 and 8 threads,
//! as tab-separated `side/threads ns_per_call` lines (median of 5 runs of 2,000,000
//! calls in all, shared by the threads; each thread starts at its own key). The sides'
//! runs are interleaved, so that a drift in the machine's speed falls on every side alike.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::hint::black_box;
use std::time::Instant;

use learn_oauth_bench::pool::{KEYS, Pool, SIDES};

const CALLS: usize = 2_000_000;
const RUNS: usize = 5;

/// Nanoseconds per call of one run of `prepared` on `threads` threads.
fn run(prepared: &Pool, threads: usize) -> f64 {
    let per_thread = CALLS / threads;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                let offset = t * (KEYS / 8);
                for i in 0..per_thread {
                    black_box(prepared.run(offset + i));
                }
            });
        }
    });
    started.elapsed().as_nanos() as f64 / (per_thread * threads) as f64
}

fn main() {
    let sides: Vec<Pool> = SIDES.iter().filter_map(|side| Pool::new(side)).collect();
    for threads in [1, 2, 4, 8] {
        let mut runs: Vec<Vec<f64>> = vec![Vec::with_capacity(RUNS); sides.len()];
        for _ in 0..RUNS {
            for (prepared, runs) in sides.iter().zip(&mut runs) {
                runs.push(run(prepared, threads));
            }
        }
        for (prepared, mut runs) in sides.iter().zip(runs) {
            runs.sort_by(f64::total_cmp);
            println!("{}/{threads}\t{:.1}", prepared.side(), runs[RUNS / 2]);
        }
    }
}
