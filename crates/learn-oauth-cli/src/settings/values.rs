//! The `LEARN_*` values `learn_oauth::env` reads, each from its flag, the profile or the
//! environment, and an error of `learn_oauth::env` traced back to where its value came
//! from.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;

use learn_oauth::env::EnvError;
use zeroize::Zeroize as _;

use super::error::{Origin, SettingError};
use super::secret::secret;
use crate::args::SourceArgs;
use crate::profile::{self, Loaded};

/// The values by variable, each with its origin. The secret's value is zeroized when
/// they are dropped.
#[derive(Default)]
pub(super) struct Values(BTreeMap<&'static str, (OsString, Origin)>);

impl Values {
    /// The value of `variable` and its origin.
    pub(super) fn get(&self, variable: &str) -> Option<&(OsString, Origin)> {
        self.0.get(variable)
    }

    fn insert(&mut self, variable: &'static str, value: (OsString, Origin)) {
        self.0.insert(variable, value);
    }
}

impl Drop for Values {
    fn drop(&mut self) {
        if let Some((secret, _)) = self.0.get_mut("LEARN_API_SECRET") {
            std::mem::take(secret).into_encoded_bytes().zeroize();
        }
    }
}

/// The values of the `LEARN_*` variables as `learn_oauth::env` will read them: each
/// from its flag, else the profile, else the process environment.
pub(super) fn values(
    args: &SourceArgs,
    loaded: Option<&Loaded>,
    env: &dyn Fn(&str) -> Option<OsString>,
    stdin: &mut dyn Read,
) -> Result<Values, SettingError> {
    let mut values = Values::default();
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

/// Says which flag, profile key, file or variable an error of `learn_oauth::env` came
/// from (it names the `LEARN_*` variable the value was handed in as).
pub(super) fn blame(error: EnvError, values: &Values) -> SettingError {
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
