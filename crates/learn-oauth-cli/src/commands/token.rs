//! `learn-oauth token [--format token|header|json]`.

use std::io::Write;
use std::time::SystemTime;

use crate::args::Format;
use crate::failure::CliError;
use crate::fetch::{Obtained, Tokens};
use crate::time::rfc3339;

/// Prints a token in `format`, one line.
///
/// # Errors
///
/// No token, or stdout cannot be written.
pub(crate) fn run(tokens: &Tokens<'_>, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let obtained = tokens.get()?;
    let line = render(&obtained, format, SystemTime::now());
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}

/// The line `format` prints for `obtained` at wall-clock time `now`.
#[must_use]
fn render(obtained: &Obtained, format: Format, now: SystemTime) -> String {
    let token = obtained.token.expose_secret();
    match format {
        Format::Token => token.to_owned(),
        Format::Header => format!("Authorization: Bearer {token}"),
        Format::Json => {
            let expires_in = obtained.expires_at.duration_since(now).map_or(0, |d| d.as_secs());
            serde_json::json!({
                "access_token": token,
                "token_type": obtained.token.token_type(),
                "expires_at": rfc3339(obtained.expires_at),
                "expires_in": expires_in,
                "scope": obtained.token.scopes().to_space_delimited(),
            })
            .to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // a real Instant as the origin; nothing waits

    use std::time::{Duration, Instant, UNIX_EPOCH};

    use learn_oauth::AccessToken;
    use learn_oauth::config::Scopes;

    use super::*;

    #[test]
    fn each_format_prints_one_line() {
        let token = AccessToken::new(
            "tok".into(),
            Scopes::parse_granted("api/read api/write"),
            Instant::now(),
            Duration::from_secs(3600),
        )
        .unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_735_689_600);
        let obtained = Obtained {
            token,
            expires_at: now + Duration::from_secs(3599),
            from_cache: false,
        };
        assert_eq!(render(&obtained, Format::Token, now), "tok");
        assert_eq!(
            render(&obtained, Format::Header, now),
            "Authorization: Bearer tok"
        );
        let json: serde_json::Value = serde_json::from_str(&render(&obtained, Format::Json, now)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "access_token": "tok",
                "token_type": "Bearer",
                "expires_at": "2025-01-01T00:59:59Z",
                "expires_in": 3599,
                "scope": "api/read api/write",
            })
        );
    }
}
