//! Support code shared by the runnable examples in `examples/`: calling the mock's
//! protected resource with a token, and printing a token without leaking it.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use learn_oauth::AccessToken;

/// A short, safe description of a token: scopes and remaining lifetime, never its value.
#[must_use]
pub fn describe(token: &AccessToken, now: Instant) -> String {
    let left = token.expires_at().saturating_duration_since(now);
    format!(
        "{} token, {} characters (value redacted), scopes [{}], expires in {}",
        token.token_type(),
        token.expose_secret().len(),
        token.scopes(),
        human(left),
    )
}

/// `59m 58s`-style text for a duration.
#[must_use]
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec}s"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

/// How long a resource call may take to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a resource call may take in all, connecting included.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Calls `url` (the mock's protected resource) with `token` over a blocking `ureq`
/// agent (10 s to connect, 30 s in all); returns the HTTP status.
///
/// # Errors
///
/// The transport error, when no response arrived.
pub fn call_resource_blocking(url: &str, token: &AccessToken) -> Result<u16, ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(TOTAL_TIMEOUT))
        .build()
        .into();
    let response = agent
        .get(url)
        .header(http::header::AUTHORIZATION, token.authorization_header())
        .call()?;
    Ok(response.status().as_u16())
}

/// Calls `url` (the mock's protected resource) with `token` over `reqwest` (30 s in all,
/// whatever the client's own timeout); returns the HTTP status. Pass the provider's own
/// client (`provider.transport().client()`), which is configured with rustls and the ring
/// provider and, unless its options say otherwise, a 10 s connect timeout (a request
/// cannot set its own).
///
/// # Errors
///
/// The transport error, when no response arrived.
pub async fn call_resource(
    client: &reqwest::Client,
    url: &str,
    token: &AccessToken,
) -> Result<u16, reqwest::Error> {
    let response = client
        .get(url)
        .header(http::header::AUTHORIZATION, token.authorization_header())
        .timeout(TOTAL_TIMEOUT)
        .send()
        .await?;
    Ok(response.status().as_u16())
}
