//! `learn-oauth`: access tokens for the Learn platform API, for the shell.
//!
//! ```text
//! curl -H "Authorization: Bearer $(learn-oauth token)" https://…
//! learn-oauth check
//! learn-oauth api /learn/api/public/v1/…
//! learn-oauth cache list
//! ```
//!
//! The configuration is `learn_oauth::env`'s (`LEARN_TENANT_ID`, `LEARN_API_SECRET`, …),
//! overridden by a profile and by flags; the secret never comes from a flag value. Tokens
//! are shared across invocations through `$XDG_CACHE_HOME/learn-oauth/`, safely (see the
//! `cache` module). Built on the blocking provider: no async runtime. `learn-oauth --help`
//! lists the exit statuses.
#![forbid(unsafe_code)]

mod args;
mod cache;
mod commands;
mod failure;
mod fetch;
mod paths;
mod profile;
mod settings;
mod time;

use std::ffi::OsString;
use std::io;
use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::failure::CliError;
use crate::fetch::Tokens;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = cli.verbose > 0;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => failure::report(&error, verbose),
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let env = |name: &str| -> Option<OsString> { std::env::var_os(name) };
    let mut out = io::stdout().lock();
    if let Command::Cache { action } = cli.command {
        // Needs no configuration, only the directory.
        return commands::cache::run(action, &env, &mut out);
    }
    let mut stdin = io::stdin().lock();
    let settings = settings::resolve(&cli.source, &env, &mut stdin)?;
    let tokens = Tokens::new(&settings, !cli.no_cache, &env);
    match &cli.command {
        Command::Token { format } => commands::token::run(&tokens, *format, &mut out),
        Command::Check { fresh } => commands::check::run(&settings, &tokens, *fresh, &mut out),
        Command::Api(args) => {
            commands::api::run(&settings, &tokens, args, &mut stdin, &mut out, &mut io::stderr())
        }
        Command::Cache { .. } => Ok(()),
    }
}
