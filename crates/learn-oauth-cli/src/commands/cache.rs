//! `learn-oauth cache path|list|clear`.

use std::ffi::OsString;
use std::io::Write;
use std::time::SystemTime;

use learn_oauth::RefreshPolicy;

use crate::args::CacheAction;
use crate::cache::{CacheError, Freshness, Load, cache_dir};
use crate::failure::CliError;
use crate::fetch::open_cache;
use crate::time::rfc3339;

/// Runs `action`.
///
/// # Errors
///
/// The cache directory is unusable, or stdout cannot be written.
pub(crate) fn run(
    action: CacheAction,
    policy: &RefreshPolicy,
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
            let cache = open_cache(env)?;
            let now = SystemTime::now();
            for (path, load) in cache.list()? {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let line = match load {
                    Load::Found(entry) => {
                        let state = match entry.freshness(policy, now) {
                            Freshness::Fresh => "fresh",
                            Freshness::RefreshDue => "refresh due",
                            Freshness::Expired | Freshness::FromTheFuture => "expired",
                        };
                        let scopes = if entry.scopes.is_empty() {
                            "(default scopes)".to_owned()
                        } else {
                            entry.scopes.join(" ")
                        };
                        let expires = entry.expires_at().map_or_else(|| "?".to_owned(), rfc3339);
                        format!(
                            "{name}  {}  client {}  {scopes}  expires {expires} ({state})",
                            entry.token_url, entry.client_id
                        )
                    }
                    Load::Corrupt => format!("{name}  (corrupt: replaced on next use)"),
                    // `list` reads without a secret: it never tells another secret's apart.
                    Load::Missing | Load::OtherSecret => continue,
                    Load::Refused(e) => format!("{name}  ({e})"),
                };
                text.push_str(&line);
                text.push('\n');
            }
        }
        CacheAction::Clear => {
            let cache = open_cache(env)?;
            let removed = cache.clear()?;
            text = format!(
                "removed {removed} cached token(s) from {}\n",
                cache.dir().display()
            );
        }
    }
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}
