//! The client configuration: validated once, at construction, with every part of the
//! token request that never changes encoded up front.

use std::borrow::Cow;
use std::fmt;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use zeroize::Zeroizing;

use crate::body::RequestBody;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::response::{ParseOptions, parse_token_response};
use crate::scope::Scopes;
use crate::secret::ClientSecret;
use crate::token::AccessToken;

mod builder;

pub use builder::ClientConfigBuilder;

/// The default `User-Agent`: `learn-oauth/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("learn-oauth/", env!("CARGO_PKG_VERSION"));

/// The smallest response cap accepted: 1 KiB.
pub const MIN_MAX_RESPONSE_BYTES: usize = 1024;

/// The largest response cap accepted: 16 MiB. A token response is a few hundred bytes;
/// the cap bounds what an adapter buffers, so it may not be unbounded.
pub const MAX_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How the client proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// HTTP Basic (`Authorization: Basic …`), the documented security scheme.
    Basic(BasicEncoding),
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    FormBody,
}

impl Default for AuthMethod {
    /// HTTP Basic with the raw encoding, as `curl -u id:secret` sends it.
    fn default() -> Self {
        AuthMethod::Basic(BasicEncoding::Raw)
    }
}

/// How id and secret are put into an HTTP Basic header. Chosen explicitly: nothing guesses,
/// and the secret is never sent twice.
///
/// | encoding | sends | use when |
/// |---|---|---|
/// | [`Raw`](BasicEncoding::Raw) (default) | `base64(id ":" secret)` exactly, like `curl -u` | the server decodes Basic the common way (the Learn platform's documented scheme); an id with `:` is refused |
/// | [`FormUrlEncoded`](BasicEncoding::FormUrlEncoded) | `base64(urlencode(id) ":" urlencode(secret))` | the server follows RFC 6749 §2.3.1 to the letter; needed when id or secret holds characters such as `:`, `%`, `+` or non-ASCII and the server decodes them |
/// | [`PercentEncoded`](BasicEncoding::PercentEncoded) | `base64(pct(id) ":" pct(secret))`, a space as `%20` | the server percent-decodes Basic credentials (`unquote`, as Authlib does) and would read a form-encoded `+` as a plus; `%20` is what every server tested decodes alike |
///
/// For ids and secrets made only of `A–Z a–z 0–9 - . _ *` both send the same bytes (form
/// encoding turns even `~` into `%7E`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BasicEncoding {
    /// `id:secret` as given.
    #[default]
    Raw,
    /// Each of id and secret `application/x-www-form-urlencoded` first (RFC 6749 §2.3.1).
    FormUrlEncoded,
    /// Each of id and secret percent-encoded first, RFC 3986 style: everything but
    /// `A-Z a-z 0-9 - . _ ~` as `%XX`, a space as `%20` (never `+`).
    PercentEncoded,
}

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
    endpoint: Endpoint,
    tenant_id: String,
    client_id: String,
    auth: AuthMethod,
    scopes: Scopes,
    uri: Uri,
    headers: HeaderMap,
    body: Zeroizing<Vec<u8>>,
    parse: ParseOptions,
}

impl ClientConfig {
    /// Starts a configuration.
    #[must_use]
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }

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

/// Every buffer that holds the secret on the way is zeroized, and sized up front so that
/// growing it leaves no copy behind (the final `HeaderValue` cannot be zeroized; see
/// [`ClientConfig`]).
fn basic_header(client_id: &str, secret: &ClientSecret, encoding: BasicEncoding) -> HeaderValue {
    let secret = secret.expose_secret();
    let (id, sec): (Cow<'_, str>, Zeroizing<String>) = match encoding {
        BasicEncoding::Raw => (Cow::Borrowed(client_id), Zeroizing::new(secret.to_owned())),
        BasicEncoding::FormUrlEncoded => {
            let mut sec = Zeroizing::new(String::with_capacity(secret.len() * 3));
            sec.extend(form_urlencoded::byte_serialize(secret.as_bytes()));
            (
                Cow::Owned(form_urlencoded::byte_serialize(client_id.as_bytes()).collect()),
                sec,
            )
        }
        BasicEncoding::PercentEncoded => {
            let mut sec = Zeroizing::new(String::with_capacity(secret.len() * 3));
            crate::path_segment::percent_encode_into(secret, &mut sec);
            // The id is no secret: the encoder the tenant id in the URL uses will do.
            (
                Cow::Owned(crate::path_segment::encode_path_segment(client_id)),
                sec,
            )
        }
    };
    let mut credentials = Zeroizing::new(String::with_capacity(id.len() + 1 + sec.len()));
    credentials.push_str(&id);
    credentials.push(':');
    credentials.push_str(&sec);
    let mut value = Zeroizing::new(String::with_capacity(6 + credentials.len().div_ceil(3) * 4));
    value.push_str("Basic ");
    BASE64.encode_string(credentials.as_bytes(), &mut value);
    // Base64 output and "Basic " are always valid header bytes.
    let mut header =
        HeaderValue::try_from(value.as_str()).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    header.set_sensitive(true);
    header
}

fn form_body(
    scopes: &Scopes,
    auth: AuthMethod,
    client_id: &str,
    secret: &ClientSecret,
) -> Zeroizing<Vec<u8>> {
    // Sized for the worst case (every byte percent-encoded), so the buffer holding the
    // secret never grows and leaves a copy behind.
    let capacity =
        64 + 3 * (scopes.to_space_delimited().len() + client_id.len() + secret.expose_secret().len());
    let mut form = form_urlencoded::Serializer::new(String::with_capacity(capacity));
    form.append_pair("grant_type", "client_credentials");
    if !scopes.is_empty() {
        form.append_pair("scope", &scopes.to_space_delimited());
    }
    if auth == AuthMethod::FormBody {
        form.append_pair("client_id", client_id);
        form.append_pair("client_secret", secret.expose_secret());
    }
    Zeroizing::new(form.finish().into_bytes())
}
