//! Part 4: tokens per second fetched from the loopback mock, one request per token —
//! through each of our adapters' one-shot fetch, and through `oauth2` 5 with its reqwest
//! (0.12) and ureq (2) clients (`learn_oauth_bench::e2e`). Every client reuses its
//! connection; the mock (one thread, plain HTTP/1.1 keep-alive) is the same for both sides.
#![forbid(unsafe_code)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use learn_oauth_bench::e2e::{Budget, Client, SIDES};
use learn_oauth_bench::fixture::TENANT_ID;
use learn_oauth_bench::loopback::start_mock;

fn end_to_end(c: &mut Criterion) {
    let server = start_mock(Duration::from_secs(3600));
    let mut group = c.benchmark_group("end_to_end");
    group.throughput(Throughput::Elements(1));
    for side in SIDES {
        let client = Client::new(side, &server.token_url(TENANT_ID)).expect("a side");
        // `ours-ureq` is `ureq/ours` in the report.
        let (who, transport) = side.split_once('-').expect("a side is who-transport");
        group.bench_function(format!("{transport}/{who}"), |b| {
            b.iter_custom(|iters| {
                // Forget what the mock recorded and issued: its memory stays flat.
                server.clear_requests();
                server.revoke_all_tokens();
                client.fetch(0, Budget::Count(iters)).1
            });
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
