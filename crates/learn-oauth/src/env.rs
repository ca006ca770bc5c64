//! Configuration from environment variables, for services configured the twelve-factor
//! way and for the `quickstart` example.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LEARN_TENANT_ID` | tenant id | required |
//! | `LEARN_API_SECRET` | API secret | required |
//! | `LEARN_CLIENT_ID` | client id, when it differs from the tenant id | the tenant id |
//! | `LEARN_ENVIRONMENT` | `production` or `staging` | `production` |
//! | `LEARN_REGION` | `global` or `mea` | `global` |
//! | `LEARN_API` | `public` or `webhooks` | `public` |
//! | `LEARN_SCOPES` | space-separated scopes | none (the server's default) |
//! | `LEARN_TOKEN_URL` | a custom token URL (overrides the three above) | unset |

use std::ffi::OsString;

use learn_oauth_proto::{ApiKind, ClientConfig, ConfigError, Endpoint, Environment, Region};

/// The variables read, in the order they are checked.
pub const VARIABLES: [&str; 8] = [
    "LEARN_TENANT_ID",
    "LEARN_API_SECRET",
    "LEARN_CLIENT_ID",
    "LEARN_ENVIRONMENT",
    "LEARN_REGION",
    "LEARN_API",
    "LEARN_SCOPES",
    "LEARN_TOKEN_URL",
];

/// A configuration variable that is missing or wrong. Names the variable, never its value
/// when it may be a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A required variable is not set.
    #[error("{variable} is not set")]
    Missing {
        /// The variable.
        variable: &'static str,
    },
    /// A variable is not valid Unicode.
    #[error("{variable} is not valid unicode")]
    NotUnicode {
        /// The variable.
        variable: &'static str,
    },
    /// A variable holds a value outside its choices.
    #[error("{variable} must be one of {expected}")]
    Invalid {
        /// The variable.
        variable: &'static str,
        /// The values accepted.
        expected: &'static str,
    },
    /// The values were read but the configuration refused them.
    #[error("{variable} is refused: {source}")]
    Config {
        /// The variable the refused value came from (or `the LEARN_* configuration`
        /// when no single one is to blame).
        variable: &'static str,
        /// Why.
        #[source]
        source: ConfigError,
    },
}

/// Whether any `LEARN_TENANT_ID` or `LEARN_API_SECRET` is set: the caller wants the real
/// endpoint rather than a mock.
#[must_use]
pub fn is_configured() -> bool {
    std::env::var_os("LEARN_TENANT_ID").is_some() || std::env::var_os("LEARN_API_SECRET").is_some()
}

/// Builds a [`ClientConfig`] from the process environment.
///
/// # Errors
///
/// [`EnvError`] naming the first variable that is missing or wrong.
pub fn config_from_env() -> Result<ClientConfig, EnvError> {
    config_from(|name| std::env::var_os(name))
}

/// Builds a [`ClientConfig`] from any variable source (for tests and custom loaders).
///
/// # Errors
///
/// [`EnvError`] naming the first variable that is missing or wrong.
pub fn config_from(mut get: impl FnMut(&str) -> Option<OsString>) -> Result<ClientConfig, EnvError> {
    let mut read = |variable: &'static str| -> Result<Option<String>, EnvError> {
        match get(variable) {
            None => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| EnvError::NotUnicode { variable }),
        }
    };
    let tenant = read("LEARN_TENANT_ID")?.ok_or(EnvError::Missing {
        variable: "LEARN_TENANT_ID",
    })?;
    let secret = read("LEARN_API_SECRET")?.ok_or(EnvError::Missing {
        variable: "LEARN_API_SECRET",
    })?;
    let client_id = read("LEARN_CLIENT_ID")?;
    let environment = match read("LEARN_ENVIRONMENT")?
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("production" | "prod") => Environment::Production,
        Some("staging") => Environment::Staging,
        Some(_) => return Err(invalid("LEARN_ENVIRONMENT", "production, staging")),
    };
    let region = match read("LEARN_REGION")?
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("global") => Region::Global,
        Some("mea") => Region::Mea,
        Some(_) => return Err(invalid("LEARN_REGION", "global, mea")),
    };
    let api = match read("LEARN_API")?
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("public" | "public-api" | "api") => ApiKind::PublicApi,
        Some("webhooks") => ApiKind::Webhooks,
        Some(_) => return Err(invalid("LEARN_API", "public, webhooks")),
    };
    let scopes = read("LEARN_SCOPES")?;
    let token_url = read("LEARN_TOKEN_URL")?;

    let mut builder = ClientConfig::builder().tenant_id(tenant).client_secret(secret);
    builder = match &token_url {
        Some(url) => builder.token_url(url),
        None => builder.endpoint(Endpoint::preset(environment, region, api)),
    };
    let client_id_given = client_id.is_some();
    if let Some(id) = client_id {
        builder = builder.client_id(id);
    }
    if let Some(scopes) = &scopes {
        builder = builder.scopes(scopes.split_ascii_whitespace());
    }
    builder.build().map_err(|source| EnvError::Config {
        variable: blame(&source, client_id_given),
        source,
    })
}

fn invalid(variable: &'static str, expected: &'static str) -> EnvError {
    EnvError::Invalid { variable, expected }
}

/// Which variable a configuration error came from. Without `LEARN_CLIENT_ID` the tenant
/// id is the client id, so a refused client id is the tenant id's fault.
fn blame(error: &ConfigError, client_id_given: bool) -> &'static str {
    match error {
        ConfigError::MissingTenantId | ConfigError::InvalidTenantId(_) => "LEARN_TENANT_ID",
        ConfigError::InvalidClientId(_) | ConfigError::ClientIdContainsColon if client_id_given => {
            "LEARN_CLIENT_ID"
        }
        ConfigError::InvalidClientId(_) | ConfigError::ClientIdContainsColon => "LEARN_TENANT_ID",
        ConfigError::MissingClientSecret
        | ConfigError::EmptyClientSecret
        | ConfigError::ClientSecretControlCharacter => "LEARN_API_SECRET",
        ConfigError::InvalidTokenUrl(_) => "LEARN_TOKEN_URL",
        ConfigError::InvalidScope { .. } => "LEARN_SCOPES",
        ConfigError::ScopeNotOffered { .. } => "LEARN_SCOPES",
        // Not from one variable (none of them sets the user agent or the response cap).
        _ => "the LEARN_* configuration",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_names_the_variable_it_came_from() {
        // `from` reads the first of a name, so `extra` overrides the defaults after it.
        let with = |extra| blamed(&[extra, ("LEARN_TENANT_ID", "t1"), ("LEARN_API_SECRET", "s")]);
        assert_eq!(with(("LEARN_TENANT_ID", "..")), "LEARN_TENANT_ID");
        assert_eq!(with(("LEARN_API_SECRET", "s\n")), "LEARN_API_SECRET");
        assert_eq!(with(("LEARN_CLIENT_ID", "a:b")), "LEARN_CLIENT_ID");
        assert_eq!(with(("LEARN_SCOPES", "api\"all")), "LEARN_SCOPES");
        let url = "http://auth.example.com/oauth2/token/t1";
        assert_eq!(with(("LEARN_TOKEN_URL", url)), "LEARN_TOKEN_URL");
    }

    #[test]
    fn a_colon_in_the_tenant_id_standing_in_for_the_client_id_blames_the_tenant_id() {
        let vars = [("LEARN_TENANT_ID", "a:b"), ("LEARN_API_SECRET", "s")];
        assert_eq!(blamed(&vars), "LEARN_TENANT_ID");
    }

    #[test]
    fn a_refusal_no_variable_caused_blames_none_of_them() {
        for client_id_given in [false, true] {
            assert_eq!(
                blame(&ConfigError::InvalidUserAgent, client_id_given),
                "the LEARN_* configuration"
            );
        }
    }

    /// The variable the configuration's refusal of `vars` names.
    fn blamed(vars: &[(&str, &str)]) -> &'static str {
        match from(vars).unwrap_err() {
            EnvError::Config { variable, .. } => variable,
            other => panic!("not a refusal by the configuration: {other}"),
        }
    }

    fn from(vars: &[(&str, &str)]) -> Result<ClientConfig, EnvError> {
        config_from(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn tenant_and_secret_are_enough() {
        let c = from(&[("LEARN_TENANT_ID", "t1"), ("LEARN_API_SECRET", "s")]).unwrap();
        assert_eq!(
            c.token_uri().to_string(),
            "https://public.api.learn.link/oauth2/token/t1"
        );
        assert_eq!(c.client_id(), "t1");
    }

    #[test]
    fn every_choice_is_read() {
        let c = from(&[
            ("LEARN_TENANT_ID", "t1"),
            ("LEARN_API_SECRET", "s"),
            ("LEARN_CLIENT_ID", "c1"),
            ("LEARN_ENVIRONMENT", "Staging"),
            ("LEARN_REGION", "mea"),
            ("LEARN_API", "webhooks"),
            ("LEARN_SCOPES", "api/webhooks  api/all"),
        ])
        .unwrap();
        assert_eq!(
            c.token_uri().to_string(),
            "https://user.api.meastaging.learn.tech/oauth2/token/t1"
        );
        assert_eq!(c.client_id(), "c1");
        assert_eq!(c.scopes().to_space_delimited(), "api/webhooks api/all");
    }

    #[test]
    fn missing_and_invalid_variables_are_named() {
        assert_eq!(
            from(&[("LEARN_API_SECRET", "s")]).unwrap_err(),
            EnvError::Missing {
                variable: "LEARN_TENANT_ID"
            }
        );
        assert_eq!(
            from(&[("LEARN_TENANT_ID", "t")]).unwrap_err(),
            EnvError::Missing {
                variable: "LEARN_API_SECRET"
            }
        );
        let e = from(&[
            ("LEARN_TENANT_ID", "t"),
            ("LEARN_API_SECRET", "s"),
            ("LEARN_REGION", "mars"),
        ])
        .unwrap_err();
        assert_eq!(e.to_string(), "LEARN_REGION must be one of global, mea");
        let e = from(&[
            ("LEARN_TENANT_ID", "t"),
            ("LEARN_API_SECRET", "s"),
            ("LEARN_SCOPES", "api/webhooks"),
        ])
        .unwrap_err();
        assert!(e.to_string().starts_with("LEARN_SCOPES is refused"), "{e}");
    }

    #[test]
    fn a_refused_secret_is_named_but_not_shown() {
        let e = from(&[("LEARN_TENANT_ID", "t"), ("LEARN_API_SECRET", "CANARY\n")]).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(text.contains("LEARN_API_SECRET"));
        assert!(!text.contains("CANARY"));
    }
}
