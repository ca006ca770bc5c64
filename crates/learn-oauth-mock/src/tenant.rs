//! Tenants (who may ask for tokens) and host kinds (which scopes exist).

use std::fmt;

/// A tenant the mock issues tokens to: its id (in the token URL), its OAuth client id
/// (defaults to the tenant id) and its client secret.
///
/// The secret never appears in `Debug` output.
///
/// ```
/// use learn_oauth_mock::Tenant;
/// let t = Tenant::new("eu-west-2_AbcdEfghI", "s3cret").client_id("other-id");
/// assert_eq!(t.id(), "eu-west-2_AbcdEfghI");
/// assert_eq!(t.effective_client_id(), "other-id");
/// assert!(!format!("{t:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Tenant {
    id: String,
    client_id: Option<String>,
    secret: String,
}

impl Tenant {
    /// A tenant whose client id is its tenant id.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Tenant {
            id: id.into(),
            client_id: None,
            secret: secret.into(),
        }
    }

    /// Sets a client id different from the tenant id.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The tenant id (the last segment of the token URL).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The OAuth client id: the one set with [`Tenant::client_id`], else the tenant id.
    #[must_use]
    pub fn effective_client_id(&self) -> &str {
        self.client_id.as_deref().unwrap_or(&self.id)
    }

    /// Whether `client_id` and `secret` are this tenant's credentials.
    pub(crate) fn accepts(&self, client_id: &str, secret: &str) -> bool {
        // Not constant-time: this is a test double on loopback, not a real server.
        self.effective_client_id() == client_id && self.secret == secret
    }
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant")
            .field("id", &self.id)
            .field("client_id", &self.effective_client_id())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Which kind of Learn host the mock pretends to be; it decides the scopes on offer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostKind {
    /// The public REST API hosts (`public.api.…`): `api/all`, `api/read`, `api/write`.
    #[default]
    PublicApi,
    /// The webhooks (users API) hosts (`user.api.…`): `api/all`, `api/webhooks`.
    Webhooks,
}

impl HostKind {
    /// The scopes this kind of host offers, in the order they are granted by default.
    #[must_use]
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            HostKind::PublicApi => &["api/all", "api/read", "api/write"],
            HostKind::Webhooks => &["api/all", "api/webhooks"],
        }
    }

    /// A human-readable name, used in error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            HostKind::PublicApi => "public API",
            HostKind::Webhooks => "webhooks",
        }
    }
}
