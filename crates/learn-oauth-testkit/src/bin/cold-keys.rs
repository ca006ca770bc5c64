//! Prints a Markdown table of a cold start: 10,000 keys (tenants) asked for at once from
//! one async pool over reqwest, against the mock in this process, which holds each token
//! request it admits for `--latency-ms` and admits only `--mock-limit` at once (the rest
//! get a 429 with `Retry-After: 1`, as a rate-limited endpoint does).
//!
//! One row per `--bound` (default: `none 32 50`): the pool's `max_concurrent_fetches`
//! (`none`: `usize::MAX`, no effective bound). Each row gets a fresh mock and pool. A
//! caller whose `token()` fails asks again after 200 ms, as a service's next request
//! would; a row stops after `--give-up-s` (default 180) with the keys served so far.
//!
//! ```text
//! cold-keys [--keys 10000] [--mock-limit 50] [--latency-ms 50] [--bound none|N]... [--give-up-s 180]
//! ```
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use learn_oauth_driver::pool::PoolKey;
use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::ClientConfig;

const SECRET: &str = "cold-keys-secret";

/// What one run is asked to do.
#[derive(Debug, Clone)]
struct Setup {
    keys: usize,
    mock_limit: usize,
    latency: Duration,
    give_up: Duration,
}

/// What one run measured.
#[derive(Debug)]
struct Row {
    bound: String,
    served: usize,
    all_served: Option<Duration>,
    peak_requests: usize,
    peak_connections: usize,
    over_limit: usize,
    token_requests: usize,
    caller_errors: usize,
}

fn tenant(n: usize) -> String {
    format!("tenant-{n:05}")
}

fn usage() -> ! {
    eprintln!(
        "usage: cold-keys [--keys N] [--mock-limit K] [--latency-ms MS] [--bound none|N]... [--give-up-s S]"
    );
    std::process::exit(2)
}

fn number(value: Option<String>) -> usize {
    value.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage())
}

fn main() {
    let mut setup = Setup {
        keys: 10_000,
        mock_limit: 50,
        latency: Duration::from_millis(50),
        give_up: Duration::from_secs(180),
    };
    let mut bounds: Vec<Option<usize>> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--keys" => setup.keys = number(args.next()),
            "--mock-limit" => setup.mock_limit = number(args.next()),
            "--latency-ms" => setup.latency = Duration::from_millis(number(args.next()) as u64),
            "--give-up-s" => setup.give_up = Duration::from_secs(number(args.next()) as u64),
            "--bound" => match args.next().as_deref() {
                Some("none") => bounds.push(None),
                other => bounds.push(Some(number(other.map(str::to_owned)))),
            },
            _ => usage(),
        }
    }
    if bounds.is_empty() {
        bounds = vec![None, Some(32), Some(50)];
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    println!(
        "{} cold keys at once, one async pool over reqwest; the mock holds each admitted token \
         request {} ms and admits {} at once (the rest: 429, Retry-After: 1)\n",
        setup.keys,
        setup.latency.as_millis(),
        setup.mock_limit
    );
    println!(
        "| pool bound (max_concurrent_fetches) | time until every key has its token | peak concurrent token requests at the mock | peak connections | 429s | token requests | failed token() calls |"
    );
    println!("|---|---|---|---|---|---|---|");
    for bound in bounds {
        let row = runtime.block_on(run(&setup, bound));
        let time = match row.all_served {
            Some(took) => format!("{:.1} s", took.as_secs_f64()),
            None => format!(
                "not all after {} s ({} of {})",
                setup.give_up.as_secs(),
                row.served,
                setup.keys
            ),
        };
        println!(
            "| {} | {time} | {} | {} | {} | {} | {} |",
            row.bound,
            row.peak_requests,
            row.peak_connections,
            row.over_limit,
            row.token_requests,
            row.caller_errors
        );
    }
}

/// One cold start with the pool bounded at `bound` (`None`: `usize::MAX`).
async fn run(setup: &Setup, bound: Option<usize>) -> Row {
    let mut builder = MockServer::builder()
        .max_records(16)
        .max_concurrent_token_requests(setup.mock_limit);
    for n in 0..setup.keys {
        builder = builder.tenant(Tenant::new(tenant(n), SECRET));
    }
    let server = builder.start().expect("the mock starts");
    // Every admitted request is held for the latency (a 429 takes no fault).
    server.enqueue_n(setup.keys * 4, Fault::Delay(setup.latency));

    let transport = learn_oauth_reqwest::Transport::new().expect("a reqwest transport");
    let pool = learn_oauth_reqwest::TokenPool::builder(transport)
        .max_concurrent_fetches(bound.unwrap_or(usize::MAX)) // the pool's bound
        .build();
    let keys: Vec<PoolKey> = (0..setup.keys)
        .map(|n| {
            let config = ClientConfig::builder()
                .token_url(server.token_url(&tenant(n)))
                .tenant_id(tenant(n))
                .client_secret(SECRET)
                .build()
                .expect("a configuration");
            pool.insert(config).expect("room in the pool").0
        })
        .collect();

    let served = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let give_up = started + setup.give_up;
    let mut callers = tokio::task::JoinSet::new();
    for key in keys {
        let (pool, served, errors) = (pool.clone(), Arc::clone(&served), Arc::clone(&errors));
        callers.spawn(async move {
            while Instant::now() < give_up {
                match pool.token(&key).await {
                    Ok(_) => {
                        served.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        });
    }
    while callers.join_next().await.is_some() {}
    let took = started.elapsed();
    let served = served.load(Ordering::Relaxed);
    Row {
        bound: bound.map_or_else(|| "none (`usize::MAX`)".to_owned(), |b| b.to_string()),
        served,
        all_served: (served == setup.keys).then_some(took),
        peak_requests: server.peak_concurrent_token_requests(),
        peak_connections: server.peak_connections(),
        over_limit: server.token_requests_over_limit(),
        token_requests: server.token_request_count(),
        caller_errors: errors.load(Ordering::Relaxed),
    }
}
