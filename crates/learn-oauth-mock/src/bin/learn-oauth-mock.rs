//! `learn-oauth-mock`: run the mock token server from the command line.
//!
//! ```text
//! learn-oauth-mock --port 8080 --tenant id:secret [--tenant ...] [--webhooks]
//!                  [--lifetime 3600] [--tls [--ca-out ca.pem]]
//! ```
//!
//! Prints the token URL of each tenant (and, with `--tls`, the CA certificate or where it
//! was written), then serves until killed (Ctrl-C).
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use learn_oauth_mock::{HostKind, MockServer, Tenant};

const USAGE: &str = "usage: learn-oauth-mock [--port N] --tenant ID:SECRET [--tenant ID:SECRET ...] \
                     [--webhooks] [--lifetime SECONDS] [--tls [--ca-out FILE]]";

/// The parsed command line.
#[derive(Debug, Default)]
struct Args {
    port: u16,
    tenants: Vec<Tenant>,
    webhooks: bool,
    lifetime: Option<u64>,
    tls: bool,
    ca_out: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                let v = value("--port")?;
                parsed.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--tenant" => {
                // The secret is never echoed back in an error.
                let v = value("--tenant")?;
                let (id, secret) = v
                    .split_once(':')
                    .filter(|(id, _)| !id.is_empty())
                    .ok_or("--tenant expects ID:SECRET")?;
                parsed.tenants.push(Tenant::new(id, secret));
            }
            "--webhooks" => parsed.webhooks = true,
            "--lifetime" => {
                let v = value("--lifetime")?;
                let secs = v.parse().map_err(|_| format!("invalid lifetime {v:?}"))?;
                parsed.lifetime = Some(secs);
            }
            "--tls" => parsed.tls = true,
            "--ca-out" => parsed.ca_out = Some(value("--ca-out")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if parsed.tenants.is_empty() {
        return Err("at least one --tenant is required".into());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("learn-oauth-mock: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let ids: Vec<String> = args.tenants.iter().map(|t| t.id().to_owned()).collect();
    let mut builder = MockServer::builder().port(args.port).https(args.tls);
    for tenant in args.tenants {
        builder = builder.tenant(tenant);
    }
    if args.webhooks {
        builder = builder.host_kind(HostKind::Webhooks);
    }
    if let Some(secs) = args.lifetime {
        builder = builder.token_lifetime(Duration::from_secs(secs));
    }
    let server = match builder.start() {
        Ok(server) => server,
        Err(e) => {
            eprintln!("learn-oauth-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for id in &ids {
        println!("token URL: {}", server.token_url(id));
    }
    println!("resource:  {}", server.resource_url());
    if let Some(pem) = server.ca_certificate_pem() {
        match &args.ca_out {
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
