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

    /// Understands the token endpoint's answer: a pure function of the response, this
    /// configuration and `now`. `now` is when the response arrived: the token's
    /// [`received_at`](AccessToken::received_at), from which its expiry is counted.
    ///
    /// **A 2xx answer** must be a JSON object (UTF-8, an optional byte order mark and
    /// surrounding whitespace allowed) with:
    ///
    /// - `access_token`: a non-empty string of visible ASCII (it goes in a header);
    /// - `token_type`: `Bearer` in any case; missing or `null` means `Bearer`;
    /// - `expires_in`: seconds as an integer, a float or a numeric string (`"3600"`,
    ///   `"3600.5"`); missing or `null` means the configured default lifetime
    ///   ([`ClientConfigBuilder::default_token_lifetime`](crate::ClientConfigBuilder::default_token_lifetime));
    ///   zero or negative means the token is already stale (lifetime zero); values above
    ///   [`MAX_TOKEN_LIFETIME`](crate::MAX_TOKEN_LIFETIME) are clamped to it;
    /// - `scope`: a space-delimited string, parsed leniently
    ///   ([`Scopes::parse_granted`](crate::Scopes::parse_granted)); missing or `null`
    ///   means the scopes requested ([`scopes`](Self::scopes); RFC 6749 §5.1).
    ///
    /// Unknown fields are ignored; when a field appears twice the last one counts. A 2xx
    /// body whose `error` field is a string is an error answer ([`Error::Server`] with the
    /// 2xx status).
    ///
    /// **Any other status** is an [`Error::Server`]. Its body is read as, in order:
    ///
    /// 1. the Learn platform's envelope `{status, error, message}`
    ///    ([`ErrorDetail::Vendor`](crate::ErrorDetail::Vendor)), recognised when two of its
    ///    fields are present with their documented types: `status` a number, `error` a
    ///    string, `message` a string or an object;
    /// 2. RFC 6749 §5.2's `{error, error_description, error_uri}`
    ///    ([`ErrorDetail::OAuth`](crate::ErrorDetail::OAuth)), when `error` is a string;
    /// 3. anything else ([`ErrorDetail::Unstructured`](crate::ErrorDetail::Unstructured)):
    ///    only a body that is neither JSON nor mentions a token or secret is kept, as a
    ///    short sanitized excerpt.
    ///
    /// `Retry-After` is read on every error answer: delta-seconds, or an HTTP-date minus
    /// the response's `Date` header (the clock is never read), capped at one day.
    ///
    /// Every string taken from a body is sanitized: cut short, control characters
    /// replaced, long token-like runs, the response's own `access_token` and every
    /// spelling of this configuration's client secret (raw, form- and percent-encoded,
    /// inside either Basic encoding) redacted — a server that echoes the secret back does
    /// not leak it through our errors — and none kept at all when `access_token` appears
    /// more than once.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error answer, [`Error::Response`] for a 2xx answer that is
    /// not a usable token: [`ResponseProblem::BodyTooLarge`](crate::ResponseProblem::BodyTooLarge)
    /// when the body exceeds [`max_response_bytes`](Self::max_response_bytes), and the
    /// other [`ResponseProblem`](crate::ResponseProblem)s as their docs say.
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

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::config::credentials::BasicEncoding;

    /// The options parsing reads hold every spelling of the secret, for redaction; their
    /// `Debug` shows none of them.
    #[test]
    fn the_parse_options_debug_shows_no_spelling_of_the_secret() {
        const TENANT: &str = "eu-west-2_AbcdEfghI";
        const SECRET: &str = "CANARY-SECRET p@ss/w0rd+&=%;";
        let form: String = form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let spellings = [
            "CANARY".to_owned(),
            STANDARD.encode(SECRET),
            STANDARD.encode(format!("{TENANT}:{SECRET}")),
            STANDARD.encode(format!("{TENANT}:{form}")),
        ];
        for auth in [
            AuthMethod::Basic(BasicEncoding::Raw),
            AuthMethod::Basic(BasicEncoding::FormUrlEncoded),
            AuthMethod::Basic(BasicEncoding::PercentEncoded),
            AuthMethod::FormBody,
        ] {
            let config = ClientConfig::builder()
                .tenant_id(TENANT)
                .client_secret(SECRET)
                .auth_method(auth)
                .build()
                .expect("valid config");
            for shown in [format!("{:?}", config.parse), format!("{:#?}", config.parse)] {
                for spelling in &spellings {
                    assert!(
                        !shown.contains(spelling.as_str()),
                        "{auth:?} shows {spelling:?}: {shown}"
                    );
                }
            }
        }
    }
}
