//! [`ClientConfigBuilder`]: every value a configuration is built from, checked once.

use std::fmt;
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue};

use super::client::ClientConfig;
use super::credentials::{AuthMethod, BasicEncoding, basic_header, form_body};
use crate::endpoint::{Endpoint, check_identifier};
use crate::error::ConfigError;
use crate::preset::ApiKind;
use crate::response::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME, ParseOptions};
use crate::sanitize::Redactions;
use crate::scope::{Scope, Scopes};
use crate::secret::ClientSecret;

/// The default `User-Agent`: `learn-oauth/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("learn-oauth/", env!("CARGO_PKG_VERSION"));

/// The smallest response cap accepted: 1 KiB.
pub const MIN_MAX_RESPONSE_BYTES: usize = 1024;

/// The largest response cap accepted: 16 MiB. A token response is a few hundred bytes;
/// the cap bounds what an adapter buffers, so it may not be unbounded.
pub const MAX_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Builds a [`ClientConfig`]; every value is checked in [`ClientConfigBuilder::build`].
#[derive(Clone, Default)]
pub struct ClientConfigBuilder {
    endpoint: Option<Endpoint>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    secret: Option<ClientSecret>,
    auth: AuthMethod,
    scopes: Vec<String>,
    user_agent: Option<String>,
    max_response_bytes: Option<usize>,
    default_lifetime: Option<Duration>,
}

impl ClientConfig {
    /// Starts a configuration.
    #[must_use]
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }
}

impl ClientConfigBuilder {
    /// The token endpoint. Default: production, global, public API.
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// A custom token URL; shorthand for `endpoint(Endpoint::custom(url))`.
    #[must_use]
    pub fn token_url(self, url: impl Into<String>) -> Self {
        self.endpoint(Endpoint::custom(url))
    }

    /// The tenant id (required). It goes into the URL path, percent-encoded.
    #[must_use]
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// The client id, when it differs from the tenant id.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The API secret (required).
    #[must_use]
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// How to authenticate. Default: HTTP Basic, raw encoding.
    #[must_use]
    pub fn auth_method(mut self, auth: AuthMethod) -> Self {
        self.auth = auth;
        self
    }

    /// Adds one scope (validated in `build`).
    #[must_use]
    pub fn scope(mut self, scope: impl AsRef<str>) -> Self {
        self.scopes.push(scope.as_ref().to_owned());
        self
    }

    /// Adds scopes (validated in `build`). Order is kept; duplicates are dropped.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.scopes
            .extend(scopes.into_iter().map(|s| s.as_ref().to_owned()));
        self
    }

    /// The `User-Agent`: non-empty visible text, no surrounding whitespace. Default:
    /// [`DEFAULT_USER_AGENT`].
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The cap on a response body. Default: [`DEFAULT_MAX_RESPONSE_BYTES`]; from
    /// [`MIN_MAX_RESPONSE_BYTES`] to [`MAX_MAX_RESPONSE_BYTES`].
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The lifetime assumed when a token response has no `expires_in`. Default: one hour,
    /// as the Learn platform documents.
    #[must_use]
    pub fn default_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = Some(lifetime);
        self
    }

    /// Checks everything and encodes the request parts.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`ConfigError`] naming the field.
    pub fn build(self) -> Result<ClientConfig, ConfigError> {
        let endpoint = self.endpoint.unwrap_or(Endpoint::Preset {
            environment: crate::Environment::Production,
            region: crate::Region::Global,
            api: ApiKind::PublicApi,
        });
        let tenant_id = self.tenant_id.ok_or(ConfigError::MissingTenantId)?;
        check_identifier(&tenant_id).map_err(ConfigError::InvalidTenantId)?;
        let client_id = match self.client_id {
            Some(id) => {
                check_identifier(&id).map_err(ConfigError::InvalidClientId)?;
                id
            }
            None => tenant_id.clone(),
        };
        let secret = self.secret.ok_or(ConfigError::MissingClientSecret)?;
        if secret.expose_secret().is_empty() {
            return Err(ConfigError::EmptyClientSecret);
        }
        if secret.expose_secret().chars().any(char::is_control) {
            return Err(ConfigError::ClientSecretControlCharacter);
        }
        let auth = self.auth;
        if auth == AuthMethod::Basic(BasicEncoding::Raw) && client_id.contains(':') {
            return Err(ConfigError::ClientIdContainsColon);
        }

        let mut scopes = Scopes::new();
        for (index, s) in self.scopes.into_iter().enumerate() {
            let scope = Scope::new(s).map_err(|problem| ConfigError::InvalidScope { index, problem })?;
            if let Some(api) = endpoint.api()
                && !scope.is_offered_by(api)
            {
                return Err(ConfigError::ScopeNotOffered {
                    scope: scope.as_str().to_owned(),
                    api,
                });
            }
            scopes.insert(scope);
        }

        let max_body_bytes = self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_body_bytes < MIN_MAX_RESPONSE_BYTES {
            return Err(ConfigError::ResponseLimitTooSmall {
                limit: max_body_bytes,
                min: MIN_MAX_RESPONSE_BYTES,
            });
        }
        if max_body_bytes > MAX_MAX_RESPONSE_BYTES {
            return Err(ConfigError::ResponseLimitTooLarge {
                limit: max_body_bytes,
                max: MAX_MAX_RESPONSE_BYTES,
            });
        }

        let uri = endpoint.token_uri(&tenant_id)?;
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        // HTTP strips surrounding whitespace, so the server would see another value.
        if user_agent.is_empty() || user_agent.trim() != user_agent {
            return Err(ConfigError::InvalidUserAgent);
        }
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| ConfigError::InvalidUserAgent)?;

        let mut headers = HeaderMap::with_capacity(4);
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, user_agent);
        if let AuthMethod::Basic(encoding) = auth {
            headers.insert(AUTHORIZATION, basic_header(&client_id, &secret, encoding));
        }
        let body = form_body(&scopes, auth, &client_id, &secret);

        let parse = ParseOptions {
            requested_scopes: scopes.clone(),
            max_body_bytes,
            default_lifetime: self.default_lifetime.unwrap_or(DEFAULT_TOKEN_LIFETIME),
            redact: Redactions::of_secret(&client_id, secret.expose_secret()),
        };

        Ok(ClientConfig {
            endpoint,
            tenant_id,
            client_id,
            auth,
            scopes,
            uri,
            headers,
            body,
            parse,
        })
    }
}

impl fmt::Debug for ClientConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigBuilder")
            .field("endpoint", &self.endpoint)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("auth", &self.auth)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
