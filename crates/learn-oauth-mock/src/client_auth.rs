//! Client authentication at the token endpoint: HTTP Basic (two encodings) or form body.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::tenant::Tenant;

/// How the mock reads the user-id and password inside `Authorization: Basic`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BasicEncoding {
    /// `base64(id ":" secret)` with id and secret as they are.
    Raw,
    /// RFC 6749 §2.3.1: id and secret each `application/x-www-form-urlencoded` first.
    FormUrlEncoded,
    /// Accept either encoding (the default).
    #[default]
    Either,
}

/// How a token request presented its client credentials, as the mock saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `Authorization: Basic` with raw id and secret.
    ///
    /// When neither id nor secret contains a character that form-encoding changes, the two
    /// encodings are byte-identical; such requests are recorded as `BasicRaw`, unless the
    /// mock enforces [`BasicEncoding::FormUrlEncoded`].
    BasicRaw,
    /// `Authorization: Basic` with form-urlencoded id and secret (RFC 6749 §2.3.1).
    BasicFormUrlEncoded,
    /// `client_id` and `client_secret` in the form body.
    FormBody,
    /// No client credentials at all.
    None,
}

/// Why authentication failed: an HTTP status (400 or 401) and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl Rejection {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Rejection {
            status,
            message: message.into(),
        }
    }
}

/// The outcome of looking at a request's credentials.
#[derive(Clone, Debug)]
pub(crate) struct Verdict {
    pub(crate) method: AuthMethod,
    /// The client id presented (never the secret).
    pub(crate) client_id: Option<String>,
    pub(crate) result: Result<(), Rejection>,
}

/// Decides who the client is. `form` is the parsed body, if it parsed.
pub(crate) fn authenticate(
    authorization: Option<&[u8]>,
    form: Option<&[(String, String)]>,
    tenant: Option<&Tenant>,
    encoding: BasicEncoding,
) -> Verdict {
    let field = |name: &str| {
        form.and_then(|f| f.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.as_str())
    };
    if let Some(payload) = authorization.and_then(basic_payload) {
        return basic(
            payload,
            field("client_id"),
            field("client_secret"),
            tenant,
            encoding,
        );
    }
    let client_id = field("client_id").map(str::to_owned);
    let Some(secret) = field("client_secret") else {
        return Verdict {
            method: AuthMethod::None,
            client_id,
            result: Err(Rejection::new(401, "missing client credentials")),
        };
    };
    let result = match (&client_id, tenant) {
        (None, _) => Err(Rejection::new(401, "client_secret given without client_id")),
        (Some(_), None) => Err(Rejection::new(401, "unknown tenant")),
        (Some(id), Some(t)) if t.accepts(id, secret) => Ok(()),
        (Some(_), Some(_)) => Err(Rejection::new(401, "invalid client credentials")),
    };
    Verdict {
        method: AuthMethod::FormBody,
        client_id,
        result,
    }
}

/// The bytes after `Basic ` (scheme matched case-insensitively), if the scheme is Basic.
fn basic_payload(header: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = header.split_at(header.iter().position(|b| *b == b' ')?);
    scheme.eq_ignore_ascii_case(b"basic").then(|| rest.trim_ascii())
}

fn basic(
    payload: &[u8],
    body_id: Option<&str>,
    body_secret: Option<&str>,
    tenant: Option<&Tenant>,
    encoding: BasicEncoding,
) -> Verdict {
    let lenient = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let decoded = lenient
        .decode(payload)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((raw_id, raw_secret)) = decoded.as_deref().and_then(|s| s.split_once(':')) else {
        return Verdict {
            method: AuthMethod::BasicRaw,
            client_id: None,
            result: Err(Rejection::new(401, "malformed basic credentials")),
        };
    };
    let form = form_decode(raw_id).zip(form_decode(raw_secret));
    let identical = form
        .as_ref()
        .is_some_and(|(id, secret)| id == raw_id && secret == raw_secret);
    let accepts = |id: &str, secret: &str| tenant.is_some_and(|t| t.accepts(id, secret));
    let raw_ok = accepts(raw_id, raw_secret);
    let form_ok = form.as_ref().is_some_and(|(id, secret)| accepts(id, secret));
    let form_method = || {
        // Enforcing form-encoding, only accept what a form encoder could have produced.
        looks_form_encoded(raw_id) && looks_form_encoded(raw_secret)
    };
    let method = if identical {
        if encoding == BasicEncoding::FormUrlEncoded {
            AuthMethod::BasicFormUrlEncoded
        } else {
            AuthMethod::BasicRaw
        }
    } else if form_ok && form_method() {
        AuthMethod::BasicFormUrlEncoded
    } else if raw_ok {
        AuthMethod::BasicRaw
    } else if form_method() && (raw_id.contains(['%', '+']) || raw_secret.contains(['%', '+'])) {
        AuthMethod::BasicFormUrlEncoded
    } else {
        AuthMethod::BasicRaw
    };
    let accepted = match encoding {
        BasicEncoding::Raw => raw_ok,
        BasicEncoding::FormUrlEncoded => form_ok && form_method(),
        BasicEncoding::Either => raw_ok || form_ok,
    };
    let client_id = if method == AuthMethod::BasicFormUrlEncoded {
        form.map(|(id, _)| id)
    } else {
        Some(raw_id.to_owned())
    };
    let result = if body_secret.is_some() {
        Err(Rejection::new(400, "more than one client authentication method"))
    } else if body_id.is_some() && body_id != client_id.as_deref() {
        Err(Rejection::new(
            400,
            "client_id in the body differs from the basic credentials",
        ))
    } else if tenant.is_none() {
        Err(Rejection::new(401, "unknown tenant"))
    } else if !accepted {
        Err(Rejection::new(401, "invalid client credentials"))
    } else {
        Ok(())
    };
    Verdict {
        method,
        client_id,
        result,
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(s: &str) -> Option<String> {
    let plus_as_space = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Whether `s` could be the output of a form-urlencoding serializer (WHATWG URL §5.2).
fn looks_form_encoded(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"*-._+".contains(&b) => i += 1,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<u8> {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(s)).into_bytes()
    }

    fn verdict(creds: &str, encoding: BasicEncoding) -> Verdict {
        let tenant = Tenant::new("t", "p@ss word");
        authenticate(Some(&header(creds)), Some(&[]), Some(&tenant), encoding)
    }

    #[test]
    fn raw_basic_is_recognised_and_accepted_unless_form_is_enforced() {
        let v = verdict("t:p@ss word", BasicEncoding::Either);
        assert_eq!((v.method, v.result.is_ok()), (AuthMethod::BasicRaw, true));
        assert!(verdict("t:p@ss word", BasicEncoding::Raw).result.is_ok());
        assert!(
            verdict("t:p@ss word", BasicEncoding::FormUrlEncoded)
                .result
                .is_err()
        );
    }

    #[test]
    fn form_encoded_basic_is_recognised_and_accepted_unless_raw_is_enforced() {
        let v = verdict("t:p%40ss+word", BasicEncoding::Either);
        assert_eq!(
            (v.method, v.result.is_ok()),
            (AuthMethod::BasicFormUrlEncoded, true)
        );
        assert!(
            verdict("t:p%40ss+word", BasicEncoding::FormUrlEncoded)
                .result
                .is_ok()
        );
        assert!(verdict("t:p%40ss+word", BasicEncoding::Raw).result.is_err());
    }

    #[test]
    fn malformed_basic_is_unauthorized() {
        let tenant = Tenant::new("t", "s");
        for h in [&b"Basic !!!"[..], b"Basic dA==", b"Basic"] {
            let v = authenticate(Some(h), None, Some(&tenant), BasicEncoding::Either);
            assert_eq!(v.result.unwrap_err().status, 401);
        }
    }

    #[test]
    fn form_encoding_check_rejects_characters_an_encoder_would_escape() {
        assert!(looks_form_encoded("a%2Fb+c*-._"));
        assert!(!looks_form_encoded("a/b"));
        assert!(!looks_form_encoded("a%2"));
        assert!(!looks_form_encoded("a b"));
    }
}
