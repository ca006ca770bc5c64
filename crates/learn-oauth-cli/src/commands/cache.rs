//! `learn-oauth cache path|list|clear`.

use std::ffi::OsString;
use std::io::Write;
use std::time::SystemTime;

use crate::args::CacheAction;
use crate::cache::{CacheError, cache_dir, open_cache};
use crate::failure::CliError;
use crate::time::rfc3339;

/// Runs `action`.
///
/// # Errors
///
/// The cache directory is unusable, or stdout cannot be written.
pub(crate) fn run(
    action: CacheAction,
    env: &dyn Fn(&str) -> Option<OsString>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut text = String::new();
    match action {
        CacheAction::Path => {
            let dir = cache_dir(env).ok_or(CacheError::NoDir)?;
            text = format!("{}\n", dir.display());
        }
        CacheAction::List => {
            // What the cache holds: sealed values (tokens, cool-down markers) named by a
            // digest, so only their file and expiry can be shown.
            let files = open_cache(env)?;
            let now = SystemTime::now();
            for (path, found) in files.values().map_err(CacheError::from)? {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let line = match found {
                    Ok(Some(expires)) => {
                        let state = if expires > now { "fresh" } else { "expired" };
                        format!("{name}  expires {} ({state})", rfc3339(expires))
                    }
                    Ok(None) => format!("{name}  (corrupt: replaced on next use)"),
                    Err(e) => format!("{name}  ({})", CacheError::from(e)),
                };
                text.push_str(&line);
                text.push('\n');
            }
        }
        CacheAction::Clear => {
            let files = open_cache(env)?;
            let removed = files.clear().map_err(CacheError::from)?;
            text = format!(
                "removed {removed} cached token(s) from {}\n",
                files.path().display()
            );
        }
    }
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}
