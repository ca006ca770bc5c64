//! Part 1 of the benchmarks: the CPU cost of one in-memory exchange — ours, `oauth2` 5
//! and the floor (see `learn_oauth_bench::exchange`).
#![forbid(unsafe_code)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use learn_oauth_bench::exchange::{Exchange, SIDES};

fn exchange(c: &mut Criterion) {
    let mut group = c.benchmark_group("exchange");
    for side in SIDES {
        let prepared = Exchange::new(side).expect("a side");
        group.bench_function(side, |b| b.iter(|| black_box(prepared.run())));
    }
    group.finish();
}

criterion_group!(benches, exchange);
criterion_main!(benches);
