//! Memory figures for the report, with a counting allocator (every thread of this process
//! counts; the mock runs in another process, so its allocations never do):
//!
//! ```text
//! memory_report providers <token-url> [<ca.pem>]
//!                                       heap held by one provider with a token, per side
//!                                       (over HTTPS when the mock's CA is given)
//! memory_report exchange                allocations and bytes per in-memory exchange
//! memory_report loopback <token-url>    allocations and bytes per loopback token
//! memory_report storm <token-url>       peak RSS of 1,000 tasks calling token() on a cold provider
//! ```
//!
//! `<token-url>` is the token URL `learn-oauth-mock` printed for the benchmark tenant
//! (`learn_oauth_bench::fixture`'s `TENANT_ID` and `CLIENT_SECRET`). Each line printed is
//! `<figure>/<side>` and its values, tab-separated (`scripts/bench-memory.sh` collects
//! them; `bench_report`'s memory section reads them):
//!
//! - `provider/<side>[-tls]  <bytes> <first bytes>`: live bytes after the first
//!   `token()` minus live bytes before building, transport and its pooled connection
//!   (and, over HTTPS, its TLS session) included; over HTTPS every side trusts only the
//!   mock's CA, so a root store of one certificate is counted, not Mozilla's 150. Each side is measured
//!   twice in a row: the second figure is another provider's cost; the first also pays
//!   for process-wide state built once (lazy statics, the runtime's first task).
//! - `roots/mozilla-store  <bytes>` (with a CA): Mozilla's roots as one rustls store, as
//!   ureq builds one per agent with its default roots; the HTTPS figures do not hold it.
//! - `exchange/<side>` and `loopback/<side>  <allocations> <bytes>`: per exchange or
//!   token, averaged over many after a warm-up; reallocations count as allocations,
//!   bytes are those requested (a growing reallocation counts its growth).
//! - `storm/<figure>  <value>`: VmRSS and VmHWM (kB, from `/proc/self/status`) before the
//!   storm, VmHWM after it, the task count and how many distinct tokens the tasks got.
#![forbid(unsafe_code)]

use std::alloc::System;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;

use learn_oauth_bench::exchange::{Prepared, Side};
use learn_oauth_bench::fixture::{CLIENT_SECRET, SCOPES, TENANT_ID};
use learn_oauth_bench::loopback::{
    peer_fetch_reqwest, peer_fetch_ureq, peer_reqwest_client, peer_ureq_agent,
};
use learn_oauth_proto::ClientConfig;
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, Scope, TokenUrl};
use rustls_pki_types::pem::PemObject as _;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use learn_oauth_driver::{SendAsync as _, SendBlocking as _};

/// How long a one-shot token request may take.
const ONE_SHOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Exchanges (in memory) averaged over, after as many again to warm up.
const EXCHANGES: usize = 10_000;
/// Loopback tokens averaged over, after a tenth as many to warm up.
const TOKENS: usize = 2_000;
/// Tasks in the cold storm.
const STORM_TASKS: usize = 1_000;

/// Bytes live now that were not when `region` began.
fn live(region: &Region<'_, System>) -> isize {
    let change = region.change();
    // `bytes_allocated` already counts a growing reallocation's growth and
    // `bytes_deallocated` a shrinking one's (`bytes_reallocated` is the same net again).
    #[allow(clippy::cast_possible_wrap)]
    let live = change.bytes_allocated as isize - change.bytes_deallocated as isize;
    live
}

/// Allocations (reallocations included) and bytes requested per call of `run`, `n` calls.
fn per_call(n: usize, mut run: impl FnMut()) -> (f64, f64) {
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        run();
    }
    let change = region.change();
    #[allow(clippy::cast_precision_loss)]
    let per = |v: usize| v as f64 / n as f64;
    (
        per(change.allocations + change.reallocations),
        per(change.bytes_allocated),
    )
}

fn our_config(url: &str) -> ClientConfig {
    ClientConfig::builder()
        .token_url(url)
        .tenant_id(TENANT_ID)
        .client_secret(CLIENT_SECRET)
        .scopes(SCOPES)
        .build()
        .expect("the mock's configuration is valid")
}

fn peer(url: &str) -> (learn_oauth_bench::exchange::PeerClient, Vec<Scope>) {
    let client = BasicClient::new(ClientId::new(TENANT_ID.to_owned()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_token_uri(TokenUrl::new(url.to_owned()).expect("a valid URL"));
    let scopes = SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect();
    (client, scopes)
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The mock's CA certificate (PEM), when it serves HTTPS.
type Ca<'a> = Option<&'a [u8]>;

fn our_options(ca: Ca<'_>) -> learn_oauth_driver::TransportOptions {
    let options = learn_oauth_driver::TransportOptions::new();
    match ca {
        Some(pem) => options.add_root_certificates_pem(pem).with_built_in_roots(false),
        None => options,
    }
}

/// A ureq 2 agent for `oauth2` as [`peer_ureq_agent`], trusting only the mock's CA when
/// it serves HTTPS (as every side does: the root store is not what is compared).
fn peer_ureq(ca: Ca<'_>) -> ureq2::Agent {
    let Some(pem) = ca else {
        return peer_ureq_agent();
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a CA certificate");
    }
    // rustls 0.23.48 deprecates its ring provider (no post-quantum key exchange) with no
    // other way to name it in 0.23; ring is the workspace's one provider (deny.toml).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq2::AgentBuilder::new()
        .redirects(0)
        .timeout_connect(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .tls_config(Arc::new(tls))
        .build()
}

/// A reqwest 0.12 client for `oauth2` as [`peer_reqwest_client`], trusting only the
/// mock's CA when it serves HTTPS.
fn peer_reqwest(ca: Ca<'_>) -> reqwest012::Client {
    let Some(pem) = ca else {
        return peer_reqwest_client();
    };
    reqwest012::Client::builder()
        .redirect(reqwest012::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest012::Certificate::from_pem(pem).expect("a PEM certificate"))
        .build()
        .expect("a reqwest 0.12 client")
}

/// Lets the tasks of a dropped client (its pooled connection) end and free what they
/// hold, so that none of it is counted against the next measurement.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
}

/// Heap held by one provider with a token, for each side (sides end in `-tls` with `ca`).
fn providers(url: &str, ca: Ca<'_>) {
    let config = our_config(url);
    let ureq_ours = || {
        let region = Region::new(GLOBAL);
        let transport = learn_oauth_ureq::Transport::with_options(&our_options(ca)).expect("a transport");
        let provider = learn_oauth_ureq::TokenProvider::builder(config.clone())
            .transport(transport)
            .build()
            .expect("a provider");
        drop(provider.token().expect("a token"));
        let held = live(&region);
        drop(provider);
        held
    };
    let ureq_peer = || {
        let region = Region::new(GLOBAL);
        let (client, scopes) = peer(url);
        let agent = peer_ureq(ca);
        let token = client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().cloned())
            .request(&agent)
            .expect("oauth2 over ureq gets a token");
        let held = live(&region);
        drop(black_box((client, scopes, agent, token)));
        held
    };
    let runtime = current_thread();
    let reqwest_ours = || {
        runtime.block_on(async {
            let region = Region::new(GLOBAL);
            let transport =
                learn_oauth_reqwest::Transport::with_options(&our_options(ca)).expect("a transport");
            let provider = learn_oauth_reqwest::TokenProvider::builder(config.clone())
                .transport(transport)
                .build()
                .expect("a provider");
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
            let http = peer_reqwest(ca);
            let token = client
                .exchange_client_credentials()
                .add_scopes(scopes.iter().cloned())
                .request_async(&http)
                .await
                .expect("oauth2 over reqwest gets a token");
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
    for (side, measure) in sides {
        let first = measure();
        let second = measure();
        println!("provider/{side}{suffix}\t{second}\t{first}");
    }
}

/// Allocations and bytes per in-memory exchange.
fn exchange() {
    for side in [Side::Ours, Side::OursViaClient, Side::Oauth2, Side::Floor] {
        let prepared = Prepared::new(side);
        let (allocs, bytes) = {
            per_call(EXCHANGES, || {
                black_box(prepared.run());
            });
            per_call(EXCHANGES, || {
                black_box(prepared.run());
            })
        };
        println!("exchange/{side}\t{allocs:.1}\t{bytes:.0}");
    }
}

/// Allocations and bytes per token over loopback, each side's one-shot fetch (as in the
/// end-to-end bench), its connection reused.
fn loopback(url: &str) {
    let config = our_config(url);
    let (client, scopes) = peer(url);
    let measure = |run: &mut dyn FnMut()| {
        per_call(TOKENS / 10, &mut *run);
        per_call(TOKENS, run)
    };

    let transport = learn_oauth_ureq::Transport::new().expect("a transport");
    let (a, b) = measure(&mut || {
        black_box(transport.fetch_token(&config, ONE_SHOT_TIMEOUT).expect("a token"));
    });
    println!("loopback/ours-ureq\t{a:.1}\t{b:.0}");
    let agent = peer_ureq_agent();
    let (a, b) = measure(&mut || {
        black_box(peer_fetch_ureq(&client, &scopes, &agent));
    });
    println!("loopback/oauth2-ureq\t{a:.1}\t{b:.0}");

    let runtime = current_thread();
    let transport = learn_oauth_reqwest::Transport::new().expect("a transport");
    let (a, b) = measure(&mut || {
        black_box(
            runtime
                .block_on(transport.fetch_token(&config, ONE_SHOT_TIMEOUT))
                .expect("a token"),
        );
    });
    println!("loopback/ours-reqwest\t{a:.1}\t{b:.0}");
    let http = peer_reqwest_client();
    let (a, b) = measure(&mut || {
        black_box(runtime.block_on(peer_fetch_reqwest(&client, &scopes, &http)));
    });
    println!("loopback/oauth2-reqwest\t{a:.1}\t{b:.0}");
}

/// A `kB` figure of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// 1,000 tasks call `token()` at once on a cold async provider: one token request, every
/// task handed its token.
fn storm(url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime: {e}"))?;
    let provider =
        Arc::new(learn_oauth_reqwest::TokenProvider::new(our_config(url)).map_err(|e| e.to_string())?);
    let rss = status_kb("VmRSS").ok_or("no VmRSS in /proc/self/status")?;
    let hwm = status_kb("VmHWM").ok_or("no VmHWM in /proc/self/status")?;
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
    let peak = status_kb("VmHWM").ok_or("no VmHWM in /proc/self/status")?;
    let distinct = 1 + tokens.iter().skip(1).filter(|t| !t.same_as(&tokens[0])).count();
    println!("storm/tasks\t{STORM_TASKS}");
    println!("storm/distinct_tokens\t{distinct}");
    println!("storm/rss_before_kb\t{rss}");
    println!("storm/hwm_before_kb\t{hwm}");
    println!("storm/hwm_after_kb\t{peak}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["providers", url] => {
            providers(url, None);
            Ok(())
        }
        ["providers", url, ca_file] => match std::fs::read(ca_file) {
            Ok(pem) => {
                providers(url, Some(&pem));
                Ok(())
            }
            Err(e) => Err(format!("reading {ca_file}: {e}")),
        },
        ["exchange"] => {
            exchange();
            Ok(())
        }
        ["loopback", url] => {
            loopback(url);
            Ok(())
        }
        ["storm", url] => storm(url),
        _ => {
            eprintln!(
                "usage: memory_report providers <token-url> [<ca.pem>] | exchange | loopback <token-url> | storm <token-url>"
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
