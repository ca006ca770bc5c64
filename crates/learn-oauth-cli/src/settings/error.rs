//! Where a value came from ([`Origin`]) and what is wrong with it ([`SettingError`]).

use std::fmt;
use std::io;
use std::path::PathBuf;

use learn_oauth::ConfigError;
use learn_oauth::env::EnvError;

/// The longest secret read from a file or stdin.
pub(super) const MAX_SECRET_BYTES: u64 = 64 * 1024;

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
