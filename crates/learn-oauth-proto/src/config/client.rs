//! [`ClientConfig`]: a validated configuration, with every part of the token request
//! that never changes encoded up front.

use std::fmt;
use std::time::Instant;

use http::{HeaderMap, Method, Request, Response, Uri};
use zeroize::Zeroizing;

use super::credentials::AuthMethod;
use crate::body::RequestBody;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::response::{ParseOptions, parse_token_response};
use crate::scope::Scopes;
use crate::token::AccessToken;

/// A validated client configuration. Build it with [`ClientConfig::builder`].
///
/// It produces the token request ([`ClientConfig::token_request`]) and understands the
/// answer ([`ClientConfig::parse_response`]).
///
/// **Secret copies.** The secret is held zeroized-on-drop, and so are the precomputed
/// form body and Basic credentials. The `http::HeaderValue` handed out in each request
/// (marked sensitive) and the request body's bytes are ordinary allocations the HTTP client
/// owns; they are not zeroized.
#[derive(Clone)]
pub struct ClientConfig {
    // Set by `ClientConfigBuilder::build`, the only constructor.
    pub(super) endpoint: Endpoint,
    pub(super) tenant_id: String,
    pub(super) client_id: String,
    pub(super) auth: AuthMethod,
    pub(super) scopes: Scopes,
    pub(super) uri: Uri,
    pub(super) headers: HeaderMap,
    pub(super) body: Zeroizing<Vec<u8>>,
    pub(super) parse: ParseOptions,
}

impl ClientConfig {
    /// The token endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The token URL, with the tenant id encoded into it.
    #[must_use]
    pub fn token_uri(&self) -> &Uri {
        &self.uri
    }

    /// The tenant id.
    #[must_use]
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The client id (the tenant id unless set separately).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// How the client authenticates.
    #[must_use]
    pub fn auth_method(&self) -> AuthMethod {
        self.auth
    }

    /// The scopes requested (empty: the server's default for the host).
    #[must_use]
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// The response body cap, in bytes. Transports should read at most one byte more
    /// than this and hand what they read to [`ClientConfig::parse_response`], which
    /// reports an oversized body as a typed error.
    #[must_use]
    pub fn max_response_bytes(&self) -> usize {
        self.parse.max_body_bytes
    }

    /// The options [`ClientConfig::parse_response`] uses: the requested scopes, the body
    /// cap, the default lifetime, and every spelling of this configuration's client
    /// secret (raw, form- and percent-encoded, inside either Basic encoding), which is
    /// removed from any server text kept in an error — a server that echoes the secret
    /// back does not leak it through our errors.
    #[must_use]
    pub fn parse_options(&self) -> &ParseOptions {
        &self.parse
    }

    /// The token request: `POST` to the token URL with `Content-Type`, `Accept`,
    /// `User-Agent`, `Authorization` (Basic, marked sensitive) and the form body. All
    /// parts were encoded when the configuration was built; this copies them.
    #[must_use]
    pub fn token_request(&self) -> Request<RequestBody> {
        let mut request = Request::new(RequestBody::new(
            self.body.to_vec(),
            self.auth == AuthMethod::FormBody,
        ));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// Understands the token endpoint's answer. `now` is when the response arrived; the
    /// token's expiry is counted from it. Prefer this to calling
    /// [`parse_token_response`](crate::parse_token_response) with options of your own:
    /// these options also keep the client secret out of error text (see
    /// [`parse_options`](Self::parse_options)).
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error answer, [`Error::Response`] for a 2xx answer that is
    /// not a usable token. See [`parse_token_response`](crate::parse_token_response).
    pub fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: &Response<B>,
        now: Instant,
    ) -> Result<AccessToken, Error> {
        parse_token_response(response, &self.parse, now)
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoint", &self.endpoint)
            .field("token_uri", &self.uri)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("auth", &self.auth)
            .field("scopes", &self.scopes)
            .field("max_response_bytes", &self.parse.max_body_bytes)
            .finish()
    }
}
