//! The README's main command: `cargo run --example quickstart`.
//!
//! With no `LEARN_*` variables set, it starts the embedded mock token server on
//! 127.0.0.1, gets a token through the blocking (`ureq`) and the async (`reqwest`)
//! provider, calls the mock's protected resource with each, and prints a short summary.
//!
//! With `LEARN_TENANT_ID` and `LEARN_API_SECRET` set (plus optional `LEARN_CLIENT_ID`,
//! `LEARN_ENVIRONMENT`, `LEARN_REGION`, `LEARN_API`, `LEARN_SCOPES`), it asks the real
//! Learn platform token endpoint instead. A missing or invalid setting is a one-line
//! error naming the variable, and exit code 2; a failed token request exits with 1.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // an application reads the clock

use std::process::ExitCode;
use std::time::Instant;

use learn_oauth::{ClientConfig, Error, env};
use learn_oauth_examples::{call_resource, call_resource_blocking, describe};
use learn_oauth_mock::{MockServer, Tenant};

const MOCK_TENANT: &str = "eu-west-2_AbcdEfghI";
const MOCK_SECRET: &str = "quickstart-secret";

fn main() -> ExitCode {
    if env::is_configured() {
        let config = match env::config_from_env() {
            Ok(config) => config,
            Err(e) => {
                eprintln!("quickstart: {e}");
                return ExitCode::from(2);
            }
        };
        println!("token endpoint: {} (from LEARN_* variables)", config.token_uri());
        return report(run(config, None));
    }

    let server = match MockServer::builder()
        .tenant(Tenant::new(MOCK_TENANT, MOCK_SECRET))
        .start()
    {
        Ok(server) => server,
        Err(e) => {
            eprintln!("quickstart: cannot start the embedded mock token server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = ClientConfig::builder()
        .token_url(server.token_url(MOCK_TENANT))
        .tenant_id(MOCK_TENANT)
        .client_secret(MOCK_SECRET)
        .scopes(["api/read", "api/write"])
        .build()
        .expect("the mock's configuration is valid");
    println!(
        "token endpoint: embedded mock at {} (set LEARN_TENANT_ID and LEARN_API_SECRET for the real one)",
        server.base_url()
    );
    let result = run(config, Some(&server.resource_url()));
    if result.is_ok() {
        println!(
            "mock saw {} token request(s): one per provider, none for cached calls",
            server.token_request_count()
        );
    }
    report(result)
}

/// Gets a token through both providers; with a resource URL, calls it with each token.
fn run(config: ClientConfig, resource: Option<&str>) -> Result<(), Failure> {
    // Blocking: no async runtime involved.
    let provider =
        learn_oauth::ureq::TokenProvider::new(config.clone()).map_err(|e| Failure::Setup(e.to_string()))?;
    let token = provider.token()?;
    println!("blocking (ureq):  {}", describe(&token, Instant::now()));
    let again = provider.token()?;
    assert!(again.same_as(&token), "a second call is served from the cache");
    if let Some(url) = resource {
        let status = call_resource_blocking(url, &token).map_err(|e| Failure::Setup(e.to_string()))?;
        println!("blocking (ureq):  GET {url} -> {status}");
    }

    // Async: the same configuration over reqwest on Tokio.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .map_err(|e| Failure::Setup(e.to_string()))?;
    runtime.block_on(async {
        let provider =
            learn_oauth::reqwest::TokenProvider::new(config).map_err(|e| Failure::Setup(e.to_string()))?;
        let token = provider.token().await?;
        println!("async (reqwest):  {}", describe(&token, Instant::now()));
        if let Some(url) = resource {
            let client = provider.transport().client();
            let status = call_resource(client, url, &token)
                .await
                .map_err(|e| Failure::Setup(e.to_string()))?;
            println!("async (reqwest):  GET {url} -> {status}");
        }
        Ok(())
    })
}

enum Failure {
    Token(Error),
    Setup(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Token(e)
    }
}

fn report(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Token(e)) => {
            eprintln!(
                "quickstart: no token: {e}{}",
                if e.is_retryable() { " (retryable)" } else { "" }
            );
            ExitCode::FAILURE
        }
        Err(Failure::Setup(e)) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}
