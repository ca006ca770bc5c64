//! The secret: from standard input, a file, the variable a profile names, or
//! `LEARN_API_SECRET`.

use std::ffi::OsString;
use std::fmt;
use std::io::Read;

use zeroize::Zeroizing;

use super::error::{MAX_SECRET_BYTES, Origin, SettingError};
use crate::args::SourceArgs;
use crate::profile::Loaded;

/// The secret: `--secret-stdin`, `--secret-file`, the profile's `secret_file` or
/// `secret_env`, else `LEARN_API_SECRET`.
pub(super) fn secret(
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

/// The client secret the settings keep (to derive the cache's sealing key from): zeroized
/// when dropped, redacted in `Debug`, never displayed.
pub(crate) struct Secret(Zeroizing<String>);

impl Secret {
    /// Keeps `secret`.
    #[must_use]
    pub(crate) fn new(secret: String) -> Self {
        Secret(Zeroizing::new(secret))
    }

    /// The secret itself.
    #[must_use]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Reads a secret of at most [`MAX_SECRET_BYTES`], without one trailing newline. The
/// buffer is allocated whole up front so that growing it leaves no copy behind; on an
/// error it is zeroized.
fn read_secret(reader: &mut dyn Read, origin: Origin) -> Result<(OsString, Origin), SettingError> {
    let capacity = usize::try_from(MAX_SECRET_BYTES + 1).unwrap_or(usize::MAX);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
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
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok((OsString::from(text), origin)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(SettingError::NotUnicode { origin })
        }
    }
}
