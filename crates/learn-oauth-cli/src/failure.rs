//! Everything that can go wrong, typed, with the exit status each maps to, and how an
//! error is reported: one line on stderr, its causes with `-v`, never a secret.

use std::error::Error as _;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cache::CacheError;
use crate::profile::ProfileError;
use crate::settings::error::SettingError;

/// A failure of one invocation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CliError {
    /// Someone looked for a `--secret` flag.
    #[error(
        "--secret is not accepted: a secret on the command line is visible to other users \
         (ps, shell history); set LEARN_API_SECRET, or pass --secret-file PATH or --secret-stdin"
    )]
    SecretFlag,
    /// A setting (flag, variable, profile key, secret source) is missing or wrong.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// The configuration file or a profile in it is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// `--ca-cert` cannot be read.
    #[error("cannot read --ca-cert {}", path.display())]
    CaCert {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The HTTP client could not be set up (a certificate that does not parse, say).
    #[error("cannot set up the HTTP client")]
    Build(#[source] learn_oauth::BuildError),
    /// The embedded mock (`--mock`) did not start.
    #[error("cannot start the embedded mock (--mock)")]
    Mock(#[source] io::Error),
    /// No token could be had.
    #[error("no token: {0}")]
    Token(#[source] learn_oauth::Error),
    /// A `cache` command failed.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// `api` was given something it cannot send.
    #[error("{0}")]
    ApiUsage(ApiUsage),
    /// `api`: `--data-file` cannot be read.
    #[error("cannot read --data-file {}", path.display())]
    DataFile {
        /// The file (`-`: standard input).
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `api`: the request did not get an answer.
    #[error("api request to {url} failed")]
    ApiTransport {
        /// The URL, without its query.
        url: String,
        /// Why.
        #[source]
        source: ureq::Error,
    },
    /// `api`: the resource answered with a status other than 2xx (already printed).
    #[error("api: the resource answered {0}")]
    ApiStatus(http::StatusCode),
    /// Standard output could not be written.
    #[error("cannot write to standard output")]
    Stdout(#[source] io::Error),
}

/// What is wrong with an `api` invocation; the message names the argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ApiUsage {
    /// The method is not an HTTP method token.
    #[error("METHOD {0:?} is not an HTTP method")]
    Method(String),
    /// The URL-or-PATH is neither.
    #[error("URL-or-PATH {0:?} is neither a path (/…) nor an http(s) URL")]
    Target(String),
    /// An `http://` URL to a host that is not loopback: the token would travel in clear.
    #[error("URL-or-PATH: refusing to send a token over plain http to {0} (use https)")]
    PlainHttp(String),
    /// A URL to a host that is not the API host and not named with `--allow-host`: the
    /// token is not sent there.
    #[error(
        "URL-or-PATH: refusing to send the token to {host}: not the API host {api_host} \
         (pass --allow-host {host} to send it there)"
    )]
    HostNotAllowed {
        /// The URL's host.
        host: String,
        /// The API host (`scheme://host[:port]`).
        api_host: String,
    },
    /// A `-H` value is not `Name: value` with a valid name and value (the value is not
    /// repeated: it may be a credential).
    #[error("-H {name:?}: expected `Name: value` with a valid header name and value")]
    Header {
        /// The header name, when it is a valid one.
        name: String,
    },
}

impl CliError {
    /// The exit status: 2 usage or configuration, 3 credentials or request refused,
    /// 4 temporary failure, 5 `api` got a non-2xx answer.
    #[must_use]
    pub(crate) fn exit_status(&self) -> u8 {
        match self {
            CliError::SecretFlag
            | CliError::Setting(_)
            | CliError::Profile(_)
            | CliError::CaCert { .. }
            | CliError::Build(_)
            | CliError::ApiUsage(_)
            | CliError::DataFile { .. }
            | CliError::Cache(_) => 2,
            CliError::Token(error) => token_exit_status(error),
            CliError::Mock(_) | CliError::ApiTransport { .. } | CliError::Stdout(_) => 4,
            CliError::ApiStatus(_) => 5,
        }
    }
}

/// 3 when the token endpoint refused (a status that retrying does not change: 400, 401,
/// 403, …), 4 for everything worth trying again later (5xx, 429, timeouts, the network)
/// and for answers that were not a usable token.
fn token_exit_status(error: &learn_oauth::Error) -> u8 {
    if matches!(error, learn_oauth::Error::Server(_)) && !error.is_retryable() {
        3
    } else {
        4
    }
}

/// Prints `error` to stderr as one line (`learn-oauth: error: …`); with `verbose`, one
/// more line per cause not already in that line. Returns the exit status. A non-2xx
/// answer to `api` adds no line: its status line is already printed.
pub(crate) fn report(error: &CliError, verbose: bool) -> ExitCode {
    if let CliError::ApiStatus(_) = error {
        // `api` has printed the status line and the body: nothing to add.
        return ExitCode::from(error.exit_status());
    }
    let line = error.to_string();
    let mut text = format!("{}: {line}\n", label("error"));
    if verbose {
        let mut cause = error.source();
        while let Some(c) = cause {
            let shown = c.to_string();
            if !line.contains(&shown) {
                text.push_str(&format!("  caused by: {shown}\n"));
            }
            cause = c.source();
        }
    }
    let _ = io::stderr().lock().write_all(text.as_bytes());
    ExitCode::from(error.exit_status())
}

/// Prints a warning line to stderr (`learn-oauth: warning: …`).
pub(crate) fn warn(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{}: {message}", label("warning"));
}

/// `learn-oauth: error` / `learn-oauth: warning`, the word in colour when stderr is a
/// terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
fn label(word: &str) -> String {
    let colour = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match (colour, word) {
        (true, "error") => format!("learn-oauth: \x1b[1;31m{word}\x1b[0m"),
        (true, _) => format!("learn-oauth: \x1b[1;33m{word}\x1b[0m"),
        (false, _) => format!("learn-oauth: {word}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_and_refusals_and_outages_have_their_own_statuses() {
        assert_eq!(CliError::SecretFlag.exit_status(), 2);
        assert_eq!(CliError::ApiStatus(http::StatusCode::NOT_FOUND).exit_status(), 5);
        let transport =
            learn_oauth::error::TransportError::new(learn_oauth::error::TransportErrorKind::Timeout);
        assert_eq!(CliError::Token(transport.into()).exit_status(), 4);
    }

    #[test]
    fn a_header_error_does_not_repeat_the_value() {
        let e = ApiUsage::Header {
            name: "Authorization".into(),
        };
        assert!(!e.to_string().contains("Bearer"));
    }
}
