//! Memory figures for the report, with a counting allocator (every thread of this process
//! counts; the mock runs in another process, so its allocations never do):
//!
//! ```text
//! memory_report providers <token-url> [<ca.pem>]   heap held by one provider with a token
//! memory_report exchange                           per in-memory exchange
//! memory_report loopback <token-url>               per loopback token
//! memory_report storm <token-url>                  RSS of 1,000 tasks on a cold provider
//! memory_report pool                               heap held per entry of a 10,000-key pool
//! ```
//!
//! `<token-url>` is `learn-oauth-mock`'s for the benchmark tenant (`fixture`); with the
//! mock's CA, every side is over HTTPS and trusts that CA alone. Each line printed is a
//! figure's key and its values, tab-separated, as `scripts/bench-memory.sh` collects them
//! and `benchmarks/report.md.in` reads them. Bytes are those requested (a growing
//! reallocation counts its growth); reallocations count as allocations.
#![forbid(unsafe_code)]

use std::alloc::System;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use learn_oauth_bench::e2e::{self, Budget, Client};
use learn_oauth_bench::exchange::Exchange;
use learn_oauth_bench::fixture::{Canned, config_at, peer, warm_blocking};
use learn_oauth_bench::loopback::{
    peer_fetch_reqwest, peer_fetch_ureq, peer_reqwest_client, peer_ureq_agent,
};
use learn_oauth_bench::pool::{KEYS, tenant_config};
use learn_oauth_driver::Blocking;
use learn_oauth_driver::pool::{PoolKey, TokenPool};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Exchanges (in memory) averaged over, after as many again to warm up.
const EXCHANGES: u64 = 10_000;
/// Loopback tokens averaged over, after a tenth as many to warm up.
const TOKENS: u64 = 2_000;
/// Tasks in the cold storm.
const STORM_TASKS: usize = 1_000;

/// Bytes live now that were not when `region` began.
fn live(region: &Region<'_, System>) -> isize {
    let change = region.change();
    // `bytes_allocated` already counts a growing reallocation's growth and
    // `bytes_deallocated` a shrinking one's (`bytes_reallocated` is the same net again).
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Allocations (reallocations included) and bytes requested per call, over `run` making
/// `calls` calls.
fn per_call(calls: u64, run: impl FnOnce()) -> (f64, f64) {
    let region = Region::new(GLOBAL);
    run();
    let change = region.change();
    let per = |v: usize| v as f64 / calls as f64;
    (
        per(change.allocations + change.reallocations),
        per(change.bytes_allocated),
    )
}

/// Lets the tasks of a dropped client (its pooled connection) end and free what they
/// hold, so that none of it is counted against the next measurement.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Heap held by one provider with a token, for each side (sides end in `-tls` with `ca`,
/// the mock's CA certificate, which every side then trusts alone).
fn providers(url: &str, ca: Option<&[u8]>) -> Result<(), String> {
    // Built inside each measurement: what the transport keeps of them (the parsed CA) is
    // part of what one provider holds.
    let options = || {
        let options = learn_oauth_driver::TransportOptions::new();
        match ca {
            Some(pem) => options.add_root_certificates_pem(pem).with_built_in_roots(false),
            None => options,
        }
    };
    let config = config_at(url);
    let ureq_ours = || {
        let region = Region::new(GLOBAL);
        let transport = learn_oauth_ureq::Transport::with_options(&options()).expect("a transport");
        let provider = learn_oauth_ureq::TokenProvider::builder(config.clone()).transport(transport);
        let provider = provider.build().expect("a provider");
        drop(provider.token().expect("a token"));
        let held = live(&region);
        drop(provider);
        held
    };
    let ureq_peer = || {
        let region = Region::new(GLOBAL);
        let (client, scopes) = peer(url);
        let agent = peer_ureq_agent(ca);
        let token = peer_fetch_ureq(&client, &scopes, &agent);
        let held = live(&region);
        drop(black_box((client, scopes, agent, token)));
        held
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let runtime = runtime.map_err(|e| format!("a runtime: {e}"))?;
    let reqwest_ours = || {
        runtime.block_on(async {
            let region = Region::new(GLOBAL);
            let transport = learn_oauth_reqwest::Transport::with_options(&options()).expect("a transport");
            let provider = learn_oauth_reqwest::TokenProvider::builder(config.clone()).transport(transport);
            let provider = provider.build().expect("a provider");
            drop(provider.token().await.expect("a token"));
            let held = live(&region);
            drop(provider);
            settle().await;
            held
        })
    };
    let reqwest_peer = || {
        runtime.block_on(async {
            let region = Region::new(GLOBAL);
            let (client, scopes) = peer(url);
            let http = peer_reqwest_client(ca);
            let token = peer_fetch_reqwest(&client, &scopes, &http).await;
            let held = live(&region);
            drop(black_box((client, scopes, http, token)));
            settle().await;
            held
        })
    };
    let sides: [(&str, &dyn Fn() -> isize); 4] = [
        ("ours-ureq", &ureq_ours),
        ("ours-reqwest", &reqwest_ours),
        ("oauth2-ureq", &ureq_peer),
        ("oauth2-reqwest", &reqwest_peer),
    ];
    let suffix = if ca.is_some() { "-tls" } else { "" };
    if ca.is_some() {
        // What these HTTPS figures leave out: Mozilla's roots as one rustls store, as
        // ureq 3 builds one per agent for its default roots (`RootCerts::WebPki`).
        let region = Region::new(GLOBAL);
        let store = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        println!("roots/mozilla-store\t{}", live(&region));
        drop(black_box(store));
    }
    // Each side twice in a row: the second is another provider's cost, the first also
    // pays for state built once per process (lazy statics, the runtime's first task).
    for (side, measure) in sides {
        let first = measure();
        let second = measure();
        println!("provider/{side}{suffix}\t{second}\t{first}");
    }
    Ok(())
}

/// Allocations and bytes per in-memory exchange.
fn exchange() -> Result<(), String> {
    for side in ["ours", "ours-via-client", "oauth2", "floor"] {
        let prepared = Exchange::new(side).ok_or(format!("no exchange side {side}"))?;
        let run = || {
            for _ in 0..EXCHANGES {
                black_box(prepared.run());
            }
        };
        run();
        let (allocs, bytes) = per_call(EXCHANGES, run);
        println!("exchange/{side}\t{allocs:.1}\t{bytes:.0}");
    }
    Ok(())
}

/// Allocations and bytes per token over loopback: section 4's one-shot fetch of each
/// side ([`Client`]), its connection reused.
fn loopback(url: &str) -> Result<(), String> {
    for side in e2e::SIDES {
        let client = Client::new(side, url).ok_or(format!("no end-to-end side {side}"))?;
        client.fetch(TOKENS / 10, Budget::Count(0));
        let (allocs, bytes) = per_call(TOKENS, || {
            client.fetch(0, Budget::Count(TOKENS));
        });
        println!("loopback/{side}\t{allocs:.1}\t{bytes:.0}");
    }
    Ok(())
}

/// A `kB` figure of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let value = status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    });
    value.ok_or_else(|| format!("no {field} in /proc/self/status"))
}

/// 1,000 tasks call `token()` at once on a cold async provider: one token request, every
/// task handed its token.
fn storm(url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.map_err(|e| format!("a runtime: {e}"))?;
    let provider = learn_oauth_reqwest::TokenProvider::new(config_at(url)).map_err(|e| e.to_string())?;
    let provider = Arc::new(provider);
    let (rss, hwm) = (status_kb("VmRSS")?, status_kb("VmHWM")?);
    let tokens = runtime.block_on(async {
        let tasks: Vec<_> = (0..STORM_TASKS)
            .map(|_| {
                let provider = Arc::clone(&provider);
                tokio::spawn(async move { provider.token().await })
            })
            .collect();
        let mut tokens = Vec::with_capacity(STORM_TASKS);
        for task in tasks {
            tokens.push(
                task.await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?,
            );
        }
        Ok::<_, String>(tokens)
    })?;
    let peak = status_kb("VmHWM")?;
    let distinct = 1 + tokens.iter().skip(1).filter(|t| !t.same_as(&tokens[0])).count();
    println!("storm/tasks\t{STORM_TASKS}\nstorm/distinct_tokens\t{distinct}");
    println!("storm/rss_before_kb\t{rss}\nstorm/hwm_before_kb\t{hwm}\nstorm/hwm_after_kb\t{peak}");
    Ok(())
}

/// Heap held per entry of a pool of [`KEYS`] keys, each holding a token, and by one
/// provider.
fn pool() -> Result<(), String> {
    let configs: Vec<_> = (0..KEYS).map(tenant_config).collect();
    let keys: Vec<PoolKey> = configs.iter().map(PoolKey::of).collect();
    let region = Region::new(GLOBAL);
    let pool = TokenPool::<Blocking<Canned>>::builder(Canned)
        .max_entries(KEYS)
        .build();
    for config in configs {
        pool.insert(config).map_err(|e| e.to_string())?;
    }
    for key in &keys {
        pool.token(key).map_err(|e| e.to_string())?;
    }
    println!("entry_bytes\t{}", live(&region) / KEYS.cast_signed());
    let region = Region::new(GLOBAL);
    let provider = warm_blocking(tenant_config(0));
    println!("provider_bytes\t{}", live(&region));
    drop((pool, provider));
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["providers", url] => providers(url, None),
        ["providers", url, ca_file] => std::fs::read(ca_file)
            .map_err(|e| format!("{ca_file}: {e}"))
            .and_then(|pem| providers(url, Some(&pem))),
        ["exchange"] => exchange(),
        ["loopback", url] => loopback(url),
        ["storm", url] => storm(url),
        ["pool"] => pool(),
        _ => {
            eprintln!(
                "usage: memory_report providers <token-url> [<ca.pem>] | exchange | loopback <token-url> | storm <token-url> | pool"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memory_report: {e}");
            ExitCode::FAILURE
        }
    }
}
