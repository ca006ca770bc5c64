//! Where tokens come from: the eight preset token URLs of the Learn platform, or a
//! custom URL for proxies, tests and future hosts.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use http::Uri;

use crate::error::{ConfigError, IdentifierProblem, UrlProblem};
use crate::path_segment::encode_path_segment;
use crate::preset::{ApiKind, Environment, Region};

/// The token endpoint: a preset (environment × region × API kind) or a custom URL.
///
/// `Debug` hides a custom URL that carries user information (`user:password@`, refused
/// when the configuration is built), so a secret pasted into a URL is not printed.
#[derive(Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// One of the eight documented token URLs.
    Preset {
        /// Staging or production.
        environment: Environment,
        /// Global or MEA.
        region: Region,
        /// Public API or webhooks.
        api: ApiKind,
    },
    /// A custom token URL. Must be `https`, or `http` to a loopback host (127.0.0.0/8,
    /// `::1`, `localhost`). A literal `{tenantId}` in it is replaced by the encoded tenant
    /// id; otherwise the URL is used exactly as given.
    Custom(String),
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Preset {
                environment,
                region,
                api,
            } => f
                .debug_struct("Preset")
                .field("environment", environment)
                .field("region", region)
                .field("api", api)
                .finish(),
            Endpoint::Custom(url) if url.contains('@') => f
                .debug_tuple("Custom")
                .field(&"[url with user information, redacted]")
                .finish(),
            Endpoint::Custom(url) => f.debug_tuple("Custom").field(url).finish(),
        }
    }
}

impl Endpoint {
    /// A preset endpoint.
    #[must_use]
    pub fn preset(environment: Environment, region: Region, api: ApiKind) -> Self {
        Endpoint::Preset {
            environment,
            region,
            api,
        }
    }

    /// A custom token URL; checked when the configuration is built.
    #[must_use]
    pub fn custom(url: impl Into<String>) -> Self {
        Endpoint::Custom(url.into())
    }

    /// The API kind of a preset endpoint; `None` for custom URLs.
    #[must_use]
    pub fn api(&self) -> Option<ApiKind> {
        match self {
            Endpoint::Preset { api, .. } => Some(*api),
            Endpoint::Custom(_) => None,
        }
    }

    /// The URL template with `{tenantId}` where the tenant id goes. `None` only for a
    /// region missing from [`PRESET_DOMAINS`], which a unit test rules out.
    fn template(&self) -> Option<Cow<'_, str>> {
        match self {
            Endpoint::Preset {
                environment,
                region,
                api,
            } => {
                let &(_, production, staging) = PRESET_DOMAINS.iter().find(|(r, ..)| r == region)?;
                let domain = match environment {
                    Environment::Production => production,
                    Environment::Staging => staging,
                };
                let host = api.host_prefix();
                Some(Cow::Owned(format!(
                    "https://{host}{domain}/oauth2/token/{TENANT_PLACEHOLDER}"
                )))
            }
            Endpoint::Custom(url) => Some(Cow::Borrowed(url)),
        }
    }

    /// The token URL for `tenant_id` (already validated).
    pub(crate) fn token_uri(&self, tenant_id: &str) -> Result<Uri, ConfigError> {
        let encoded = encode_path_segment(tenant_id);
        let template = self
            .template()
            .ok_or(ConfigError::InvalidTokenUrl(UrlProblem::Unparseable))?;
        let url = template.replace(TENANT_PLACEHOLDER, &encoded);
        let uri =
            Uri::try_from(url.as_str()).map_err(|_| ConfigError::InvalidTokenUrl(UrlProblem::Unparseable))?;
        if let Endpoint::Custom(raw) = self {
            check_custom(raw, &uri)?;
        }
        Ok(uri)
    }
}

const TENANT_PLACEHOLDER: &str = "{tenantId}";

/// The preset token hosts, one row per region: `(region, production domain, staging
/// domain)`. Each domain serves the public API at `public.api.<domain>` and webhooks at
/// `user.api.<domain>` ([`ApiKind::host_prefix`]), both at `/oauth2/token/{tenantId}`.
/// Adding a region is one row here (and its [`Region`] variant).
const PRESET_DOMAINS: &[(Region, &str, &str)] = &[
    (Region::Global, "learn.link", "learnstaging.link"),
    (Region::Mea, "mea.learn.tech", "meastaging.learn.tech"),
];

/// The longest tenant or client id accepted, in bytes.
pub const MAX_IDENTIFIER_LEN: usize = 256;

/// Checks a tenant or client id.
pub(crate) fn check_identifier(id: &str) -> Result<(), IdentifierProblem> {
    if id.is_empty() {
        return Err(IdentifierProblem::Empty);
    }
    if id.len() > MAX_IDENTIFIER_LEN {
        return Err(IdentifierProblem::TooLong {
            len: id.len(),
            max: MAX_IDENTIFIER_LEN,
        });
    }
    if id == "." || id == ".." {
        return Err(IdentifierProblem::DotSegment);
    }
    if let Some((position, _)) = id.char_indices().find(|(_, c)| c.is_control()) {
        return Err(IdentifierProblem::ControlCharacter { position });
    }
    Ok(())
}

fn check_custom(raw: &str, uri: &Uri) -> Result<(), ConfigError> {
    let bad = |p| Err(ConfigError::InvalidTokenUrl(p));
    if raw.contains('#') {
        return bad(UrlProblem::Fragment);
    }
    let Some(authority) = uri.authority() else {
        return bad(UrlProblem::Unparseable);
    };
    // Anywhere before the query, not only in the authority as parsed: a password holding
    // a `/` ends the authority early (`https://id:pa/ss@host/…` parses as host `id`, port
    // `pa`, path `/ss@host/…`).
    let before_query = raw.split('?').next().unwrap_or(raw);
    if before_query.contains('@') {
        return bad(UrlProblem::UserInfo);
    }
    if !port_is_valid(authority.as_str()) {
        return bad(UrlProblem::InvalidPort);
    }
    let host = authority.host();
    if host.is_empty() {
        return bad(UrlProblem::MissingHost);
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => bad(UrlProblem::PlainHttpToNonLoopback),
        _ => bad(UrlProblem::UnsupportedScheme),
    }
}

/// Whether the port of `authority` (`host[:port]`, IPv6 in brackets), if it has one, is a
/// number from 0 to 65535.
fn port_is_valid(authority: &str) -> bool {
    let after_host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']').map_or("", |(_, rest)| rest),
        None => authority.find(':').map_or("", |i| &authority[i..]),
    };
    match after_host.strip_prefix(':') {
        None => after_host.is_empty(),
        Some(port) => {
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok()
        }
    }
}

/// Whether `host` (as in a URL authority, IPv6 in brackets) is a loopback host.
#[must_use]
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every region, by an exhaustive match: a new `Region` does not compile here until
    /// it is listed, and then the test below asks for its row.
    fn every_region() -> [Region; 2] {
        let _listed = |region: Region| match region {
            Region::Global | Region::Mea => (),
        };
        [Region::Global, Region::Mea]
    }

    #[test]
    fn every_region_has_exactly_one_row_of_domains() {
        for region in every_region() {
            let rows = PRESET_DOMAINS.iter().filter(|(r, ..)| *r == region).count();
            assert_eq!(rows, 1, "{region}");
            for environment in [Environment::Production, Environment::Staging] {
                for api in [ApiKind::PublicApi, ApiKind::Webhooks] {
                    let endpoint = Endpoint::preset(environment, region, api);
                    assert!(endpoint.template().is_some(), "{environment} {region} {api}");
                }
            }
        }
        assert_eq!(PRESET_DOMAINS.len(), every_region().len());
    }
}
