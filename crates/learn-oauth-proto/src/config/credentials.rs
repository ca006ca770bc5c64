//! How the client proves who it is: the authentication method, the Basic encoding, and
//! the request parts that carry the secret.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::HeaderValue;
use zeroize::Zeroizing;

use crate::scope::Scopes;
use crate::secret::ClientSecret;

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

/// Every buffer that holds the secret on the way is zeroized, and sized up front so that
/// growing it leaves no copy behind (the final `HeaderValue` cannot be zeroized; see
/// [`ClientConfig`](crate::ClientConfig)).
pub(super) fn basic_header(client_id: &str, secret: &ClientSecret, encoding: BasicEncoding) -> HeaderValue {
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

pub(super) fn form_body(
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
