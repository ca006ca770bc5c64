//! Profiles: named configurations in `$XDG_CONFIG_HOME/learn-oauth/config.toml`.
//!
//! ```toml
//! [profiles.staging]
//! tenant = "eu-west-2_AbcdEfghI"
//! environment = "staging"
//! scopes = ["api/read"]
//! secret_file = "~/.config/learn-oauth/staging.secret"   # or: secret_env = "STAGING_SECRET"
//! ```
//!
//! The file never holds a secret: a `secret` (or `client_secret`, `api_secret`) key is
//! refused without its value being read into a message.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The configuration file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One profile: every field optional; what a profile leaves out comes from the
/// `LEARN_*` variables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    /// `LEARN_TENANT_ID`.
    pub(crate) tenant: Option<String>,
    /// `LEARN_CLIENT_ID`.
    pub(crate) client_id: Option<String>,
    /// `LEARN_ENVIRONMENT`.
    pub(crate) environment: Option<String>,
    /// `LEARN_REGION`.
    pub(crate) region: Option<String>,
    /// `LEARN_API`.
    pub(crate) api: Option<String>,
    /// `LEARN_SCOPES`, as a list.
    pub(crate) scopes: Option<Vec<String>>,
    /// `LEARN_TOKEN_URL`.
    pub(crate) token_url: Option<String>,
    /// A file holding the secret (`~/` is the home directory; relative to the
    /// configuration file's directory).
    pub(crate) secret_file: Option<PathBuf>,
    /// The name of a variable holding the secret.
    pub(crate) secret_env: Option<String>,
    /// A PEM file of extra CA certificates (as `--ca-cert`).
    pub(crate) ca_cert: Option<PathBuf>,
    // Refused: the file must not hold a secret. `IgnoredAny` reads past the value.
    secret: Option<IgnoredAny>,
    client_secret: Option<IgnoredAny>,
    api_secret: Option<IgnoredAny>,
}

/// A profile and where it came from.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The profile's name.
    pub(crate) name: String,
    /// The configuration file.
    pub(crate) path: PathBuf,
    /// Its settings.
    pub(crate) profile: Profile,
}

/// Why a profile cannot be used. Messages name the file and the profile; none quotes a
/// value from the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ProfileError {
    /// `--profile` was given but neither `XDG_CONFIG_HOME` nor `HOME` is set.
    #[error("--profile {name}: no configuration directory (set XDG_CONFIG_HOME or HOME)")]
    NoConfigDir {
        /// The profile asked for.
        name: String,
    },
    /// The file cannot be read (missing, say).
    #[error("--profile {name}: cannot read {}", path.display())]
    Read {
        /// The profile asked for.
        name: String,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{}: line {line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line (1-based) of the problem, 0 when unknown.
        line: usize,
        /// The parser's message, without the quoted source line.
        message: String,
    },
    /// No such profile in the file.
    #[error("--profile {name}: no [profiles.{name}] in {}", path.display())]
    Unknown {
        /// The profile asked for.
        name: String,
        /// The file.
        path: PathBuf,
    },
    /// The profile holds a secret.
    #[error(
        "{}: profile {name}: `{key}` is not allowed (a secret does not belong in the \
         configuration file); use secret_file = \"PATH\" or secret_env = \"VARIABLE\"",
        path.display()
    )]
    SecretInFile {
        /// The profile.
        name: String,
        /// The key found.
        key: &'static str,
        /// The file.
        path: PathBuf,
    },
}

/// The configuration file: `$XDG_CONFIG_HOME/learn-oauth/config.toml`, else
/// `$HOME/.config/learn-oauth/config.toml`.
#[must_use]
pub(crate) fn config_path(env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    crate::paths::xdg_dir(env, "XDG_CONFIG_HOME", ".config").map(|dir| dir.join("learn-oauth/config.toml"))
}

/// Loads profile `name` from `path`.
///
/// # Errors
///
/// The file cannot be read or parsed, has no such profile, or the profile holds a secret.
pub(crate) fn load(path: &Path, name: &str) -> Result<Loaded, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
        name: name.to_owned(),
        path: path.to_owned(),
        source,
    })?;
    let mut file = parse(&text).map_err(|(line, message)| ProfileError::Parse {
        path: path.to_owned(),
        line,
        message,
    })?;
    let profile = file.profiles.remove(name).ok_or_else(|| ProfileError::Unknown {
        name: name.to_owned(),
        path: path.to_owned(),
    })?;
    let secret_key = [
        ("secret", profile.secret.is_some()),
        ("client_secret", profile.client_secret.is_some()),
        ("api_secret", profile.api_secret.is_some()),
    ]
    .into_iter()
    .find_map(|(key, found)| found.then_some(key));
    if let Some(key) = secret_key {
        return Err(ProfileError::SecretInFile {
            name: name.to_owned(),
            key,
            path: path.to_owned(),
        });
    }
    Ok(Loaded {
        name: name.to_owned(),
        path: path.to_owned(),
        profile,
    })
}

/// Parses the file; on failure the line and the parser's message, without the source
/// excerpt toml's `Display` adds (which could quote a secret someone put there).
fn parse(text: &str) -> Result<ConfigFile, (usize, String)> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        (line, e.message().trim().to_owned())
    })
}

impl Loaded {
    /// A path from the profile: `~/…` under `home`, a relative one beside the
    /// configuration file.
    #[must_use]
    pub(crate) fn resolve(&self, path: &Path, home: Option<&Path>) -> PathBuf {
        if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), home) {
            return home.join(rest);
        }
        match self.path.parent() {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_profile_is_read_with_every_key() {
        let (_dir, path) = write(
            "[profiles.staging]\ntenant = \"t1\"\nclient_id = \"c1\"\nenvironment = \"staging\"\n\
             region = \"mea\"\napi = \"webhooks\"\nscopes = [\"api/webhooks\"]\n\
             secret_env = \"S\"\nsecret_file = \"s.txt\"\n",
        );
        let loaded = load(&path, "staging").unwrap();
        assert_eq!(loaded.profile.tenant.as_deref(), Some("t1"));
        assert_eq!(
            loaded.profile.scopes.as_deref(),
            Some(&["api/webhooks".to_owned()][..])
        );
        let file = loaded.resolve(loaded.profile.secret_file.as_deref().unwrap(), None);
        assert_eq!(file, path.parent().unwrap().join("s.txt"));
        let home = Path::new("/home/u");
        assert_eq!(loaded.resolve(Path::new("~/x"), Some(home)), home.join("x"));
    }

    #[test]
    fn a_secret_in_the_file_is_refused_without_showing_it() {
        for key in ["secret", "client_secret", "api_secret"] {
            let (_dir, path) = write(&format!("[profiles.p]\ntenant = \"t\"\n{key} = \"CANARY\"\n"));
            let e = load(&path, "p").unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(text.contains(key) && !text.contains("CANARY"), "{text}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_line_but_quotes_nothing() {
        let (_dir, path) = write("[profiles.p]\ntenant = \"t\"\nsecret_env = CANARY oops\n");
        let e = load(&path, "p").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("line 3"), "{text}");
        assert!(!text.contains("CANARY"), "{text}");
    }

    #[test]
    fn unknown_profiles_and_keys_are_named() {
        let (_dir, path) = write("[profiles.p]\ntenant = \"t\"\n");
        assert!(
            load(&path, "q")
                .unwrap_err()
                .to_string()
                .contains("no [profiles.q]")
        );
        let (_dir, path) = write("[profiles.p]\ntennant = \"t\"\n");
        assert!(load(&path, "p").unwrap_err().to_string().contains("tennant"));
    }
}
