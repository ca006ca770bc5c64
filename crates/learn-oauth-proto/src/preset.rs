//! The coordinates of a preset token URL: the environment, the region and the API.

use std::fmt;

/// Staging or production. They may use different credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// `learn.link` / `mea.learn.tech`.
    Production,
    /// `learnstaging.link` / `meastaging.learn.tech`.
    Staging,
}

/// The hosting region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// All regions except the Middle East and Africa.
    Global,
    /// The Middle East and Africa.
    Mea,
}

/// Which API the token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiKind {
    /// The REST API (`public.api.*` hosts): scopes `api/all`, `api/read`, `api/write`.
    PublicApi,
    /// Webhooks (the users API, `user.api.*` hosts): scopes `api/all`, `api/webhooks`.
    Webhooks,
}

impl ApiKind {
    /// The start of this API's host name, before the region's domain.
    pub(crate) fn host_prefix(self) -> &'static str {
        match self {
            ApiKind::PublicApi => "public.api.",
            ApiKind::Webhooks => "user.api.",
        }
    }
}

impl fmt::Display for ApiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiKind::PublicApi => "public api",
            ApiKind::Webhooks => "webhooks",
        })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Global => "global",
            Region::Mea => "mea",
        })
    }
}
