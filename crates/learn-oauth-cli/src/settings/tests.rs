//! Resolving settings: precedence, and messages that name where a value came from.

use clap::Parser as _;

use std::ffi::OsString;

use super::resolve::{Settings, resolve};
use crate::args::Cli;
use crate::failure::CliError;

fn resolve_with(argv: &[&str], vars: &[(&str, &str)], stdin: &str) -> Result<Settings, CliError> {
    let cli = Cli::try_parse_from(argv).expect("parses");
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    let env = move |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| OsString::from(v))
    };
    resolve(&cli.source, &env, &mut stdin.as_bytes())
}

fn message(result: Result<Settings, CliError>) -> String {
    result.expect_err("an error").to_string()
}

#[test]
fn flags_override_variables() {
    let s = resolve_with(
        &[
            "learn-oauth",
            "--tenant",
            "flag-t",
            "--scope",
            "api/read",
            "--scope",
            "api/write",
            "check",
        ],
        &[
            ("LEARN_TENANT_ID", "env-t"),
            ("LEARN_API_SECRET", "s"),
            ("LEARN_SCOPES", "api/all"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(s.config.tenant_id(), "flag-t");
    assert_eq!(s.config.scopes().to_space_delimited(), "api/read api/write");
    assert_eq!(s.api_base, "https://public.api.learn.link");
}

#[test]
fn a_refused_value_names_its_flag_or_variable() {
    let vars = [("LEARN_TENANT_ID", "t"), ("LEARN_API_SECRET", "s")];
    let e = message(resolve_with(
        &["learn-oauth", "--region", "mars", "check"],
        &vars,
        "",
    ));
    assert_eq!(e, "--region must be one of global, mea");
    let e = message(resolve_with(
        &["learn-oauth", "check"],
        &[("LEARN_REGION", "mars"), vars[0], vars[1]],
        "",
    ));
    assert_eq!(e, "LEARN_REGION must be one of global, mea");
    let e = message(resolve_with(
        &["learn-oauth", "--tenant", "..", "check"],
        &vars,
        "",
    ));
    assert!(e.starts_with("--tenant is refused"), "{e}");
}

#[test]
fn missing_settings_say_how_to_give_them() {
    let e = message(resolve_with(
        &["learn-oauth", "check"],
        &[("LEARN_API_SECRET", "s")],
        "",
    ));
    assert!(e.contains("--tenant") && e.contains("LEARN_TENANT_ID"), "{e}");
    let e = message(resolve_with(&["learn-oauth", "--tenant", "t", "check"], &[], ""));
    assert!(e.contains("--secret-file") && e.contains("--secret-stdin"), "{e}");
}

#[test]
fn the_secret_comes_from_stdin_without_its_newline() {
    let s = resolve_with(
        &["learn-oauth", "--tenant", "t", "--secret-stdin", "check"],
        &[],
        "s3cret\r\n",
    );
    let s = s.unwrap();
    assert_eq!(s.secret.expose(), "s3cret", "kept for the cache's secret binding");
    assert!(!format!("{s:?}").contains("s3cret"), "never in Debug");
    let request = format!("{:?}", s.config.token_request().headers());
    assert!(!request.contains("s3cret"), "never in Debug");
    let e = message(resolve_with(
        &["learn-oauth", "--tenant", "t", "--secret-stdin", "check"],
        &[],
        "\n",
    ));
    assert!(
        e.starts_with("the secret from standard input (--secret-stdin) is refused"),
        "{e}"
    );
}

#[test]
fn the_secret_flag_is_refused_without_echoing_it() {
    let e = message(resolve_with(
        &["learn-oauth", "--secret", "CANARY", "check"],
        &[],
        "",
    ));
    assert!(e.contains("--secret-file") && !e.contains("CANARY"), "{e}");
}
