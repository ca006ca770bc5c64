//! The configuration of one invocation: flags over the selected profile over the
//! `LEARN_*` variables, turned into a [`ClientConfig`] by `learn_oauth::env` itself (one
//! reading of the variables for the library and the CLI), and every refusal traced back
//! to the flag, variable, profile key or file the value came from.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

use learn_oauth::env::EnvError;
use learn_oauth::{ClientConfig, ConfigError, RefreshPolicy, TransportOptions};

use crate::args::SourceArgs;
use crate::failure::CliError;
use crate::profile::{self, Loaded};

/// The longest secret read from a file or stdin.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// The embedded mock's tenant and secret (`--mock`).
const MOCK_TENANT: &str = "learn-oauth-mock";
const MOCK_SECRET: &str = "mock-secret";

/// Where a value came from, for messages. Never holds the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A flag.
    Flag(&'static str),
    /// A `LEARN_*` variable.
    Variable(&'static str),
    /// A key of a profile.
    Profile {
        /// The key.
        key: &'static str,
        /// The profile.
        name: String,
        /// The configuration file.
        path: PathBuf,
    },
    /// The file given with `--secret-file` or a profile's `secret_file`.
    SecretFile(PathBuf),
    /// Standard input (`--secret-stdin`).
    SecretStdin,
    /// The variable a profile's `secret_env` names.
    SecretVariable {
        /// The variable.
        variable: String,
        /// The profile.
        name: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Variable(variable) => f.write_str(variable),
            Origin::Profile { key, name, path } => {
                write!(f, "`{key}` of profile {name} ({})", path.display())
            }
            Origin::SecretFile(path) => write!(f, "the secret file {}", path.display()),
            Origin::SecretStdin => f.write_str("the secret from standard input (--secret-stdin)"),
            Origin::SecretVariable { variable, name } => {
                write!(f, "{variable} (the secret_env of profile {name})")
            }
        }
    }
}

/// A setting that is missing or wrong; the message names where it came from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SettingError {
    /// A required setting is not given anywhere.
    #[error("no {what}: {how}")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// The ways to give it.
        how: &'static str,
    },
    /// A value is not valid Unicode.
    #[error("{origin} is not valid unicode")]
    NotUnicode {
        /// Where it came from.
        origin: Origin,
    },
    /// A value is not one of its choices.
    #[error("{origin} must be one of {expected}")]
    Invalid {
        /// Where it came from.
        origin: Origin,
        /// The choices.
        expected: &'static str,
    },
    /// The configuration refused a value.
    #[error("{origin} is refused: {source}")]
    Refused {
        /// Where it came from.
        origin: Origin,
        /// Why.
        #[source]
        source: ConfigError,
    },
    /// The secret could not be read.
    #[error("cannot read {origin}")]
    SecretRead {
        /// Where from.
        origin: Origin,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The secret is implausibly long.
    #[error("{origin} is longer than {MAX_SECRET_BYTES} bytes")]
    SecretTooLong {
        /// Where from.
        origin: Origin,
    },
    /// Any other refusal of `learn_oauth::env` (its message names the variable).
    #[error(transparent)]
    Other(EnvError),
    /// A profile's `secret_env` names a variable that is not set.
    #[error("{origin} is not set")]
    SecretVariableUnset {
        /// The variable and profile.
        origin: Origin,
    },
}

/// Everything an invocation needs to get tokens and call the API.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The client configuration.
    pub(crate) config: ClientConfig,
    /// The transport's options (extra CA certificates).
    pub(crate) options: TransportOptions,
    /// The lifecycle's numbers (`--timeout` sets `max_wait`).
    pub(crate) policy: RefreshPolicy,
    /// The total timeout of each `api` request (`--timeout`), none by default.
    pub(crate) api_timeout: Option<Duration>,
    /// `scheme://host[:port]` of the API, for `api PATH`.
    pub(crate) api_base: String,
    /// The embedded mock, kept running for the invocation (`--mock`).
    pub(crate) mock: Option<learn_oauth_mock::MockServer>,
}

/// One value and its origin.
type Values = BTreeMap<&'static str, (OsString, Origin)>;

/// Resolves the settings from the flags, the selected profile and the variables `env`
/// reads; the secret from `--secret-stdin` is read from `stdin`.
///
/// # Errors
///
/// The first setting missing or wrong, or an unusable profile, CA file or mock.
pub(crate) fn resolve(
    args: &SourceArgs,
    env: &dyn Fn(&str) -> Option<OsString>,
    stdin: &mut dyn Read,
) -> Result<Settings, CliError> {
    if args.secret.is_some() {
        return Err(CliError::SecretFlag);
    }
    let loaded = match &args.profile {
        Some(name) => {
            let path = profile::config_path(env)
                .ok_or_else(|| profile::ProfileError::NoConfigDir { name: name.clone() })?;
            Some(profile::load(&path, name)?)
        }
        None => None,
    };
    let mut policy = RefreshPolicy::default();
    if let Some(secs) = args.timeout {
        policy.max_wait = Duration::from_secs(secs);
    }
    let mut options = TransportOptions::new();
    let ca_cert = args.ca_cert.clone().or_else(|| {
        let loaded = loaded.as_ref()?;
        let path = loaded.profile.ca_cert.as_deref()?;
        Some(loaded.resolve(path, crate::paths::home(env).as_deref()))
    });
    if let Some(path) = ca_cert {
        let pem = std::fs::read(&path).map_err(|source| CliError::CaCert { path, source })?;
        options = options.add_root_certificates_pem(pem);
    }
    let (config, mock) = if args.mock {
        let (config, server) = mock_config(args)?;
        (config, Some(server))
    } else {
        let values = values(args, loaded.as_ref(), env, stdin)?;
        let config = learn_oauth::env::config_from(|name| values.get(name).map(|(v, _)| v.clone()))
            .map_err(|e| blame(e, &values))?;
        (config, None)
    };
    let uri = config.token_uri();
    let api_base = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map_or("", |a| a.as_str())
    );
    Ok(Settings {
        config,
        options,
        policy,
        api_timeout: args.timeout.map(Duration::from_secs),
        api_base,
        mock,
    })
}

/// The values of the `LEARN_*` variables as `learn_oauth::env` will read them: each
/// from its flag, else the profile, else the process environment.
fn values(
    args: &SourceArgs,
    loaded: Option<&Loaded>,
    env: &dyn Fn(&str) -> Option<OsString>,
    stdin: &mut dyn Read,
) -> Result<Values, SettingError> {
    let mut values = Values::new();
    let profile = loaded.map(|l| &l.profile);
    let scopes_flag = (!args.scopes.is_empty()).then(|| args.scopes.join(" "));
    let scopes_profile = profile.and_then(|p| p.scopes.as_ref()).map(|s| s.join(" "));
    let field = |get: fn(&profile::Profile) -> Option<&String>| profile.and_then(get);
    let plain = [
        Plain::new("LEARN_TENANT_ID", "--tenant", args.tenant.as_ref())
            .or("tenant", field(|p| p.tenant.as_ref())),
        Plain::new("LEARN_CLIENT_ID", "--client-id", args.client_id.as_ref())
            .or("client_id", field(|p| p.client_id.as_ref())),
        Plain::new("LEARN_ENVIRONMENT", "--env", args.environment.as_ref())
            .or("environment", field(|p| p.environment.as_ref())),
        Plain::new("LEARN_REGION", "--region", args.region.as_ref())
            .or("region", field(|p| p.region.as_ref())),
        Plain::new("LEARN_API", "--api", args.api.as_ref()).or("api", field(|p| p.api.as_ref())),
        Plain::new("LEARN_SCOPES", "--scope", scopes_flag.as_ref()).or("scopes", scopes_profile.as_ref()),
        Plain::new("LEARN_TOKEN_URL", "--token-url", args.token_url.as_ref())
            .or("token_url", field(|p| p.token_url.as_ref())),
    ];
    for Plain {
        variable,
        flag,
        flag_value,
        key,
        profile_value,
    } in plain
    {
        let value = match (flag_value, profile_value) {
            (Some(v), _) => Some((OsString::from(v), Origin::Flag(flag))),
            (None, Some(v)) => loaded.map(|l| {
                let origin = Origin::Profile {
                    key,
                    name: l.name.clone(),
                    path: l.path.clone(),
                };
                (OsString::from(v), origin)
            }),
            (None, None) => env(variable).map(|v| (v, Origin::Variable(variable))),
        };
        if let Some(value) = value {
            values.insert(variable, value);
        }
    }
    if let Some(secret) = secret(args, loaded, env, stdin)? {
        values.insert("LEARN_API_SECRET", secret);
    }
    Ok(values)
}

/// One non-secret variable and where its value may come from.
struct Plain<'a> {
    variable: &'static str,
    flag: &'static str,
    flag_value: Option<&'a String>,
    key: &'static str,
    profile_value: Option<&'a String>,
}

impl<'a> Plain<'a> {
    fn new(variable: &'static str, flag: &'static str, flag_value: Option<&'a String>) -> Self {
        Plain {
            variable,
            flag,
            flag_value,
            key: "",
            profile_value: None,
        }
    }

    fn or(self, key: &'static str, profile_value: Option<&'a String>) -> Self {
        Plain {
            key,
            profile_value,
            ..self
        }
    }
}

/// The secret: `--secret-stdin`, `--secret-file`, the profile's `secret_file` or
/// `secret_env`, else `LEARN_API_SECRET`.
fn secret(
    args: &SourceArgs,
    loaded: Option<&Loaded>,
    env: &dyn Fn(&str) -> Option<OsString>,
    stdin: &mut dyn Read,
) -> Result<Option<(OsString, Origin)>, SettingError> {
    if args.secret_stdin {
        return read_secret(stdin, Origin::SecretStdin).map(Some);
    }
    let file = args.secret_file.clone().or_else(|| {
        let loaded = loaded?;
        let path = loaded.profile.secret_file.as_deref()?;
        Some(loaded.resolve(path, crate::paths::home(env).as_deref()))
    });
    if let Some(path) = file {
        let origin = Origin::SecretFile(path.clone());
        let mut file = std::fs::File::open(&path).map_err(|source| SettingError::SecretRead {
            origin: origin.clone(),
            source,
        })?;
        return read_secret(&mut file, origin).map(Some);
    }
    if let Some(loaded) = loaded
        && let Some(variable) = &loaded.profile.secret_env
    {
        let origin = Origin::SecretVariable {
            variable: variable.clone(),
            name: loaded.name.clone(),
        };
        return match env(variable) {
            Some(value) => Ok(Some((value, origin))),
            None => Err(SettingError::SecretVariableUnset { origin }),
        };
    }
    Ok(env("LEARN_API_SECRET").map(|v| (v, Origin::Variable("LEARN_API_SECRET"))))
}

/// Reads a secret of at most [`MAX_SECRET_BYTES`], without one trailing newline.
fn read_secret(reader: &mut dyn Read, origin: Origin) -> Result<(OsString, Origin), SettingError> {
    let mut bytes = Vec::new();
    if let Err(source) = reader.take(MAX_SECRET_BYTES + 1).read_to_end(&mut bytes) {
        return Err(SettingError::SecretRead { origin, source });
    }
    if bytes.len() as u64 > MAX_SECRET_BYTES {
        return Err(SettingError::SecretTooLong { origin });
    }
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((OsString::from(text), origin)),
        Err(_) => Err(SettingError::NotUnicode { origin }),
    }
}

/// Says which flag, profile key, file or variable an error of `learn_oauth::env` came
/// from (it names the `LEARN_*` variable the value was handed in as).
fn blame(error: EnvError, values: &Values) -> SettingError {
    let origin = |variable: &'static str| {
        values
            .get(variable)
            .map_or(Origin::Variable(variable), |(_, origin)| origin.clone())
    };
    match error {
        EnvError::Missing {
            variable: "LEARN_API_SECRET",
        } => SettingError::Missing {
            what: "API secret",
            how: "set LEARN_API_SECRET, or pass --secret-file PATH or --secret-stdin \
                  (a profile may name a secret_file or a secret_env)",
        },
        EnvError::Missing { .. } => SettingError::Missing {
            what: "tenant id",
            how: "pass --tenant, set LEARN_TENANT_ID, or set `tenant` in a profile (--profile)",
        },
        EnvError::NotUnicode { variable } => SettingError::NotUnicode {
            origin: origin(variable),
        },
        EnvError::Invalid { variable, expected } => SettingError::Invalid {
            origin: origin(variable),
            expected,
        },
        EnvError::Config { variable, source } => SettingError::Refused {
            origin: origin(variable),
            source,
        },
        // EnvError is non-exhaustive: a kind added later keeps its own message, which
        // names its variable.
        other => SettingError::Other(other),
    }
}

/// `--mock`: an embedded mock token server with one tenant, and a configuration for it
/// (only `--scope` is taken from the command line; no variable is read).
fn mock_config(args: &SourceArgs) -> Result<(ClientConfig, learn_oauth_mock::MockServer), CliError> {
    let server = learn_oauth_mock::MockServer::builder()
        .tenant(learn_oauth_mock::Tenant::new(MOCK_TENANT, MOCK_SECRET))
        .start()
        .map_err(CliError::Mock)?;
    let config = ClientConfig::builder()
        .token_url(server.token_url(MOCK_TENANT))
        .tenant_id(MOCK_TENANT)
        .client_secret(MOCK_SECRET)
        .scopes(args.scopes.iter().flat_map(|s| s.split_ascii_whitespace()))
        .build()
        .map_err(|source| SettingError::Refused {
            origin: Origin::Flag("--scope"),
            source,
        })?;
    Ok((config, server))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::args::Cli;

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
        let request = format!("{:?}", s.unwrap().config.token_request().headers());
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
}
