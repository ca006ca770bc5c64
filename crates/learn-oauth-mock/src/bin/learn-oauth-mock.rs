//! `learn-oauth-mock`: run the mock token server from the command line.
//!
//! ```text
//! LEARN_MOCK_SECRET=... learn-oauth-mock --port 8080 --tenant ID [--tenant ID:@FILE ...] [--webhooks]
//!                  [--lifetime 3600] [--tls [--ca-out ca.pem]]
//!                  [--delay MS[*N]] [--fail CODE[*N]] [--retry-after [CODE:]SECONDS[*N]]
//!                  [--drop [N]] [--html [N]] [--truncate [N]] [--fault SPEC]... [--no-control]
//!                  [--max-concurrent-token-requests K]
//! ```
//!
//! A tenant's secret comes from the file after `:@`, else from `LEARN_MOCK_SECRET`; never
//! from the command line, where other users see it (ps, shell history).
//!
//! Prints the token URL of each tenant, the protected resource's URL, the control
//! endpoint's URL (and, with `--tls`, the CA certificate or where it was written), then
//! serves until killed (Ctrl-C). The fault flags queue faults for the first token
//! requests, in the order given on the command line.
#![forbid(unsafe_code)]

use std::io::Read as _;
use std::path::Path;
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
    /// A tenant that may get tokens; repeat for more. Its secret is read from FILE
    /// (ID:@FILE), else taken from LEARN_MOCK_SECRET; a secret on the command line is
    /// refused.
    #[arg(long = "tenant", required = true, value_name = "ID[:@FILE]")]
    tenants: Vec<String>,
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
    /// Answer at most K token requests at once, the rest 429 with Retry-After: 1 (as a
    /// rate-limited endpoint does). Default: no limit.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    max_concurrent_token_requests: Option<u64>,
}

fn after_help() -> String {
    format!(
        "Fault specs (--fault, and the body of POST /mock/faults):\n{FAULT_SPEC_HELP}\n\n\
         Control endpoint, on the same port (curl it; off with --no-control; it answers only\n\
         a loopback Host with this port, and no request carrying a web page's Origin):\n  \
         GET    /mock/state      counts: token_requests, resource_requests, pending_faults,\n                          \
         peak_token_requests, peak_connections, token_requests_over_limit\n  \
         POST   /mock/faults     queue the fault specs in the body, e.g. `status=503*2 delay=500`\n  \
         DELETE /mock/faults     drop the queued faults\n  \
         POST   /mock/resource   the protected resource's next answer: `401 [WWW-Authenticate]`\n  \
         POST   /mock/revoke     invalidate every token issued\n  \
         POST   /mock/clock      move the clock forward by the body's SECONDS\n\n\
         Protected resource: GET /api/v1/ping accepts only live tokens of this mock."
    )
}

/// The variable a `--tenant ID` without `:@FILE` takes its secret from.
const SECRET_VARIABLE: &str = "LEARN_MOCK_SECRET";

/// The longest secret read from a file.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// A `--tenant` value as a tenant: `ID` (the secret from `secret_variable`) or `ID:@FILE`.
/// The error never repeats the value (it may hold a secret).
fn tenant(value: &str, secret_variable: Option<&str>) -> Result<Tenant, String> {
    let (id, secret) = match value.split_once(':') {
        None => (value, secret_variable.map(str::to_owned)),
        Some((id, rest)) => match rest.strip_prefix('@').filter(|path| !path.is_empty()) {
            Some(path) => (id, Some(read_secret(Path::new(path))?)),
            None => {
                return Err(format!(
                    "--tenant ID:SECRET is refused: a secret on the command line is visible to \
                     other users (ps, shell history); set {SECRET_VARIABLE} and pass --tenant ID, \
                     or pass --tenant ID:@FILE to read it from FILE"
                ));
            }
        },
    };
    if id.is_empty() {
        return Err("--tenant needs an ID: --tenant ID or --tenant ID:@FILE".to_owned());
    }
    match secret {
        Some(secret) if !secret.is_empty() => Ok(Tenant::new(id, secret)),
        Some(_) => Err(format!("tenant {id}: its secret is empty")),
        None => Err(format!(
            "tenant {id} has no secret: set {SECRET_VARIABLE}, or pass --tenant {id}:@FILE"
        )),
    }
}

/// The secret in `path`: at most [`MAX_SECRET_BYTES`] of UTF-8, without one trailing
/// newline. Errors name the file, never its contents.
fn read_secret(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SECRET_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the secret file {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_SECRET_BYTES {
        return Err(format!(
            "the secret file {shown} is longer than {MAX_SECRET_BYTES} bytes"
        ));
    }
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("the secret file {shown} is not UTF-8"))
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
    let secret_variable = match std::env::var(SECRET_VARIABLE) {
        Ok(secret) => Some(secret),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            eprintln!("learn-oauth-mock: {SECRET_VARIABLE} is not UTF-8");
            return ExitCode::from(2);
        }
    };
    let mut tenants = Vec::new();
    for value in &cli.tenants {
        match tenant(value, secret_variable.as_deref()) {
            Ok(tenant) => tenants.push(tenant),
            Err(e) => {
                eprintln!("learn-oauth-mock: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let ids: Vec<String> = tenants.iter().map(|t| t.id().to_owned()).collect();
    let mut builder = MockServer::builder()
        .port(cli.port)
        .https(cli.tls)
        .token_lifetime(Duration::from_secs(cli.lifetime))
        .control(!cli.no_control);
    for tenant in tenants {
        builder = builder.tenant(tenant);
    }
    if cli.webhooks {
        builder = builder.host_kind(HostKind::Webhooks);
    }
    if let Some(max) = cli.max_concurrent_token_requests {
        builder = builder.max_concurrent_token_requests(usize::try_from(max).unwrap_or(usize::MAX));
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
