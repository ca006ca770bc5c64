//! `learn-oauth-mock`: run the mock token server from the command line.
//!
//! ```text
//! learn-oauth-mock --port 8080 --tenant id:secret [--tenant ...] [--webhooks]
//!                  [--lifetime 3600] [--tls [--ca-out ca.pem]]
//!                  [--delay MS[*N]] [--fail CODE[*N]] [--retry-after [CODE:]SECONDS[*N]]
//!                  [--drop [N]] [--html [N]] [--truncate [N]] [--fault SPEC]... [--no-control]
//! ```
//!
//! Prints the token URL of each tenant, the protected resource's URL, the control
//! endpoint's URL (and, with `--tls`, the CA certificate or where it was written), then
//! serves until killed (Ctrl-C). The fault flags queue faults for the first token
//! requests, in the order given on the command line.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory as _, FromArgMatches as _, Parser};
use learn_oauth_mock::{FAULT_SPEC_HELP, Fault, HostKind, MockServer, Tenant};

/// A loopback mock of the Learn platform's OAuth 2.0 token endpoint (client credentials),
/// with a protected resource, scriptable faults and a control endpoint.
#[derive(Debug, Parser)]
#[command(name = "learn-oauth-mock", version, after_help = after_help(), max_term_width = 100)]
struct Cli {
    /// Port to listen on, on 127.0.0.1 (0: any free port; the URLs printed say which).
    #[arg(long, default_value_t = 0, value_name = "N")]
    port: u16,
    /// A tenant that may get tokens, as ID:SECRET; repeat for more.
    #[arg(long = "tenant", required = true, value_name = "ID:SECRET", value_parser = tenant)]
    tenants: Vec<Tenant>,
    /// Act as a webhooks host (scope api/webhooks) instead of a public API host.
    #[arg(long)]
    webhooks: bool,
    /// Lifetime of issued tokens, and their expires_in, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    lifetime: u64,
    /// Serve HTTPS with a throwaway CA (its certificate is printed, or written by --ca-out).
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) to FILE instead of printing it.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<String>,
    /// Delay the first token response(s) by MS milliseconds (`*N`: the first N).
    #[arg(long, value_name = "MS[*N]")]
    delay: Vec<String>,
    /// Answer the first token request(s) with status CODE (5xx, or 4xx such as 401) and
    /// the vendor's JSON envelope (`503*3`: the first three).
    #[arg(long, value_name = "CODE[*N]")]
    fail: Vec<String>,
    /// Answer the first token request(s) with CODE (default 429) and Retry-After:
    /// SECONDS.
    #[arg(long, value_name = "[CODE:]SECONDS[*N]")]
    retry_after: Vec<String>,
    /// Close the connection of the first N token requests (default 1) without a byte.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1")]
    drop: Vec<String>,
    /// Answer the first N token requests (default 1) with a proxy's 502 HTML page.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1")]
    html: Vec<String>,
    /// Cut the body of the first N token responses (default 1) short.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1")]
    truncate: Vec<String>,
    /// Queue any fault spec (see below); repeatable, kept in order with the flags above.
    #[arg(long, value_name = "SPEC")]
    fault: Vec<String>,
    /// Do not serve the control endpoint (/mock/…).
    #[arg(long)]
    no_control: bool,
}

fn after_help() -> String {
    format!(
        "Fault specs (--fault, and the body of POST /mock/faults):\n{FAULT_SPEC_HELP}\n\n\
         Control endpoint, on the same port (curl it; off with --no-control):\n  \
         GET    /mock/state      counts: token_requests, resource_requests, pending_faults\n  \
         POST   /mock/faults     queue the fault specs in the body, e.g. `status=503*2 delay=500`\n  \
         DELETE /mock/faults     drop the queued faults\n  \
         POST   /mock/resource   the protected resource's next answer: `401 [WWW-Authenticate]`\n  \
         POST   /mock/revoke     invalidate every token issued\n  \
         POST   /mock/clock      move the clock forward by the body's SECONDS\n\n\
         Protected resource: GET /api/v1/ping accepts only live tokens of this mock."
    )
}

/// `ID:SECRET`. The error never repeats the argument (it may hold the secret).
fn tenant(value: &str) -> Result<Tenant, &'static str> {
    value
        .split_once(':')
        .filter(|(id, _)| !id.is_empty())
        .map(|(id, secret)| Tenant::new(id, secret))
        .ok_or("expected ID:SECRET")
}

/// A fault flag: its clap id, its values, and how a value becomes a fault spec.
type FaultFlag<'a> = (&'static str, &'a [String], fn(&str) -> String);

/// The fault flags' values as specs, in command-line order.
fn fault_specs(cli: &Cli, matches: &clap::ArgMatches) -> Vec<String> {
    let flags: [FaultFlag<'_>; 7] = [
        ("delay", &cli.delay, |v| format!("delay={v}")),
        ("fail", &cli.fail, |v| format!("status={v}")),
        ("retry_after", &cli.retry_after, |v| format!("retry-after={v}")),
        ("drop", &cli.drop, |n| format!("drop*{n}")),
        ("html", &cli.html, |n| format!("html*{n}")),
        ("truncate", &cli.truncate, |n| format!("truncate*{n}")),
        ("fault", &cli.fault, str::to_owned),
    ];
    let mut specs: Vec<(usize, String)> = Vec::new();
    for (id, values, spec) in flags {
        let indices = matches.indices_of(id).into_iter().flatten();
        specs.extend(indices.zip(values).map(|(index, value)| (index, spec(value))));
    }
    specs.sort_by_key(|(index, _)| *index);
    specs.into_iter().map(|(_, spec)| spec).collect()
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let mut faults: Vec<Fault> = Vec::new();
    for spec in fault_specs(&cli, &matches) {
        match Fault::parse_spec(&spec) {
            Ok(more) => faults.extend(more),
            Err(e) => {
                eprintln!("learn-oauth-mock: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let ids: Vec<String> = cli.tenants.iter().map(|t| t.id().to_owned()).collect();
    let mut builder = MockServer::builder()
        .port(cli.port)
        .https(cli.tls)
        .token_lifetime(Duration::from_secs(cli.lifetime))
        .control(!cli.no_control);
    for tenant in cli.tenants {
        builder = builder.tenant(tenant);
    }
    if cli.webhooks {
        builder = builder.host_kind(HostKind::Webhooks);
    }
    let server = match builder.start() {
        Ok(server) => server,
        Err(e) => {
            eprintln!("learn-oauth-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for fault in faults {
        server.enqueue(fault);
    }
    for id in &ids {
        println!("token URL: {}", server.token_url(id));
    }
    println!("resource:  {}", server.resource_url());
    if let Some(control) = server.control_url() {
        println!("control:   {control}");
    }
    if let Some(pem) = server.ca_certificate_pem() {
        match &cli.ca_out {
            Some(path) => match std::fs::write(path, &pem) {
                Ok(()) => println!("CA certificate written to {path}"),
                Err(e) => {
                    eprintln!("learn-oauth-mock: cannot write {path}: {e}");
                    return ExitCode::FAILURE;
                }
            },
            None => print!("CA certificate:\n{pem}"),
        }
    }
    println!("serving until killed (Ctrl-C)");
    loop {
        std::thread::park();
    }
}
