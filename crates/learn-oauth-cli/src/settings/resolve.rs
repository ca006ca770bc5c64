//! [`Settings`]: flags over the selected profile over the variables, resolved once per
//! invocation.

use std::ffi::OsString;
use std::io::Read;
use std::time::Duration;

use learn_oauth::{ClientConfig, RefreshPolicy, TransportOptions};

use super::error::{Origin, SettingError};
use super::secret::Secret;
use super::values::{blame, values};
use crate::args::SourceArgs;
use crate::failure::CliError;
use crate::profile;

/// The embedded mock's tenant and secret (`--mock`).
const MOCK_TENANT: &str = "learn-oauth-mock";
const MOCK_SECRET: &str = "mock-secret";

/// Everything an invocation needs to get tokens and call the API.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The client configuration.
    pub(crate) config: ClientConfig,
    /// The client secret (also inside `config`, which does not hand it out), to derive
    /// the cache's sealing key from: a cached token opens only for the secret it was
    /// fetched with.
    pub(crate) secret: Secret,
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
    let (config, secret, mock) = if args.mock {
        let (config, server) = mock_config(args)?;
        (config, Secret::new(MOCK_SECRET.to_owned()), Some(server))
    } else {
        let values = values(args, loaded.as_ref(), env, stdin)?;
        let config = learn_oauth::env::config_from(|name| values.get(name).map(|(v, _)| v.clone()))
            .map_err(|e| blame(e, &values))?;
        // The configuration took it, so it is there and valid Unicode.
        let secret = values
            .get("LEARN_API_SECRET")
            .and_then(|(v, _)| v.to_str())
            .map(|s| Secret::new(s.to_owned()))
            .ok_or(SettingError::Missing {
                what: "API secret",
                how: "set LEARN_API_SECRET, or pass --secret-file PATH or --secret-stdin",
            })?;
        (config, secret, None)
    };
    let uri = config.token_uri();
    let api_base = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map_or("", |a| a.as_str())
    );
    Ok(Settings {
        config,
        secret,
        options,
        policy,
        api_timeout: args.timeout.map(Duration::from_secs),
        api_base,
        mock,
    })
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
