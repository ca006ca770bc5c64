//! Part 4: tokens per second fetched from the loopback mock, one request per token —
//! through each of our adapters' one-shot fetch, and through `oauth2` 5 with its reqwest
//! (0.12) and ureq (2) clients. Every client reuses its connection; the mock (one thread,
//! plain HTTP/1.1 keep-alive) is the same for both sides.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use learn_oauth_bench::baseline::ONE_SHOT_TIMEOUT;
use learn_oauth_bench::fixture::{TENANT_ID, config_at, peer};
use learn_oauth_bench::loopback::{
    peer_fetch_reqwest, peer_fetch_ureq, peer_reqwest_client, peer_ureq_agent, start_mock,
};
use learn_oauth_driver::{SendAsync as _, SendBlocking as _};
use learn_oauth_mock::MockServer;

/// Forgets what the mock recorded and issued, so its memory stays flat across samples.
fn reset(server: &MockServer) {
    server.clear_requests();
    server.revoke_all_tokens();
}

fn end_to_end(c: &mut Criterion) {
    let server = start_mock(Duration::from_secs(3600));
    let config = config_at(&server.token_url(TENANT_ID));
    let (peer_client, scopes) = peer(&server.token_url(TENANT_ID));

    let mut group = c.benchmark_group("end_to_end");
    group.throughput(Throughput::Elements(1));

    let ours = learn_oauth_ureq::Transport::new().expect("a transport");
    let agent = peer_ureq_agent(None);
    group.bench_function("ureq/ours", |b| {
        b.iter_custom(|iters| {
            reset(&server);
            let began = Instant::now();
            for _ in 0..iters {
                black_box(ours.fetch_token(&config, ONE_SHOT_TIMEOUT).expect("a token"));
            }
            began.elapsed()
        });
    });
    group.bench_function("ureq/oauth2", |b| {
        b.iter_custom(|iters| {
            reset(&server);
            let began = Instant::now();
            for _ in 0..iters {
                black_box(peer_fetch_ureq(&peer_client, &scopes, &agent));
            }
            began.elapsed()
        });
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let ours = learn_oauth_reqwest::Transport::new().expect("a transport");
    let http = peer_reqwest_client(None);
    group.bench_function("reqwest/ours", |b| {
        b.iter_custom(|iters| {
            reset(&server);
            runtime.block_on(async {
                let began = Instant::now();
                for _ in 0..iters {
                    black_box(
                        ours.fetch_token(&config, ONE_SHOT_TIMEOUT)
                            .await
                            .expect("a token"),
                    );
                }
                began.elapsed()
            })
        });
    });
    group.bench_function("reqwest/oauth2", |b| {
        b.iter_custom(|iters| {
            reset(&server);
            runtime.block_on(async {
                let began = Instant::now();
                for _ in 0..iters {
                    black_box(peer_fetch_reqwest(&peer_client, &scopes, &http).await);
                }
                began.elapsed()
            })
        });
    });
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
