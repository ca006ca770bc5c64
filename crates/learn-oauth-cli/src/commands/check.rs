//! `learn-oauth check`: the configuration and a token's facts, never the token.

use std::io::Write;
use std::time::SystemTime;

use crate::failure::CliError;
use crate::fetch::Tokens;
use crate::settings::Settings;
use crate::time::{human, rfc3339};

/// Prints the endpoint, tenant, client id and requested scopes, then gets a token (from
/// the endpoint when `fresh`, else from the cache while it is fresh) and prints the
/// granted scopes, the time left and where the token came from.
///
/// # Errors
///
/// No token (after the configuration lines are printed), or stdout cannot be written.
pub(crate) fn run(
    settings: &Settings,
    tokens: &Tokens<'_>,
    fresh: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let config = &settings.config;
    let requested = config.scopes().to_space_delimited();
    let mut text = format!(
        "endpoint:   {}\ntenant:     {}\nclient id:  {}\nrequested:  {}\n",
        config.token_uri(),
        config.tenant_id(),
        config.client_id(),
        if requested.is_empty() {
            "(the server's default)"
        } else {
            &requested
        },
    );
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    written.map_err(CliError::Stdout)?;
    let obtained = if fresh { tokens.fresh()? } else { tokens.get()? };
    let left = obtained
        .expires_at
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    text = format!(
        "granted:    {}\ntoken:      valid for {}, until {} ({})\n",
        obtained.token.scopes().to_space_delimited(),
        human(left),
        rfc3339(obtained.expires_at),
        if obtained.from_cache {
            "from the cache, fetched with this secret; --fresh asks the endpoint"
        } else {
            "new: the endpoint accepted the credentials"
        },
    );
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}
