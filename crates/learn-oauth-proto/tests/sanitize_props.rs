//! Server text that echoes the client secret, over random secrets and echo shapes: the
//! secret embedded in random text, in another letter case, percent- or form-encoded,
//! inside Basic credentials, cut to a long start, wrapped in bidi controls or split by
//! zero-width characters. Whatever the shape, no error built from the answer shows the
//! echoed secret (in any case) nor any bidi or zero-width character.
#![allow(clippy::disallowed_methods)] // tests need an `Instant`; the core never reads one

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use learn_oauth_proto::{ClientConfig, Error, ErrorDetail, VendorMessage};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

const TENANT: &str = "eu-west-2_AbcdEfghI";

/// The shortest start of the secret that is redacted (the sanitizer's `MIN_PREFIX`).
const MIN_PREFIX: usize = 8;

/// The characters no error may show: the bidi controls and the zero-width characters.
const HIDDEN: [char; 17] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}',
    '\u{FEFF}',
];

/// How the echoed part of the secret is written.
#[derive(Clone, Copy, Debug)]
enum Spelling {
    Raw,
    Upper,
    Lower,
    /// Percent-encoded, escapes in upper case.
    Percent,
    /// Percent-encoded, escapes in lower case (.NET).
    PercentLower,
    /// `application/x-www-form-urlencoded`, upper-cased.
    FormUpper,
    /// `base64(client_id:secret)`, as in `Authorization: Basic`.
    Basic,
}

/// What surrounds or splits the echo.
#[derive(Clone, Copy, Debug)]
enum Decoration {
    None,
    /// An override before, a pop after (`\u{202e}…\u{202c}`), and an isolate around that.
    Bidi,
    /// A zero-width character inside the echo.
    ZeroWidth {
        at: usize,
        which: usize,
    },
}

/// Where the text ends up in the answer.
#[derive(Clone, Copy, Debug)]
enum Body {
    OAuthDescription,
    VendorMessage,
    VendorObjectMessage,
    PlainText,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    prop_oneof![
        Just(Spelling::Raw),
        Just(Spelling::Upper),
        Just(Spelling::Lower),
        Just(Spelling::Percent),
        Just(Spelling::PercentLower),
        Just(Spelling::FormUpper),
        Just(Spelling::Basic),
    ]
}

fn decoration() -> impl Strategy<Value = Decoration> {
    prop_oneof![
        Just(Decoration::None),
        Just(Decoration::Bidi),
        (1usize..64, 0..HIDDEN.len()).prop_map(|(at, which)| Decoration::ZeroWidth { at, which }),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::OAuthDescription),
        Just(Body::VendorMessage),
        Just(Body::VendorObjectMessage),
        Just(Body::PlainText),
    ]
}

fn written(piece: &str, spelling: Spelling) -> String {
    match spelling {
        Spelling::Raw => piece.to_owned(),
        Spelling::Upper => piece.to_ascii_uppercase(),
        Spelling::Lower => piece.to_ascii_lowercase(),
        Spelling::Percent => utf8_percent_encode(piece, NON_ALPHANUMERIC).to_string(),
        Spelling::PercentLower => {
            // Only the two hex digits after each `%` are lowered.
            let upper = utf8_percent_encode(piece, NON_ALPHANUMERIC).to_string();
            let mut out = String::new();
            let mut hex_left = 0;
            for c in upper.chars() {
                out.push(if hex_left > 0 { c.to_ascii_lowercase() } else { c });
                hex_left = if c == '%' {
                    2
                } else {
                    hex_left - usize::from(hex_left > 0)
                };
            }
            out
        }
        Spelling::FormUpper => form_urlencoded::byte_serialize(piece.as_bytes())
            .collect::<String>()
            .to_ascii_uppercase(),
        Spelling::Basic => STANDARD.encode(format!("{TENANT}:{piece}")),
    }
}

fn decorated(echo: &str, decoration: Decoration) -> String {
    match decoration {
        Decoration::None => echo.to_owned(),
        Decoration::Bidi => format!("\u{2067}\u{202E}{echo}\u{202C}\u{2069}"),
        Decoration::ZeroWidth { at, which } => {
            let at = echo
                .char_indices()
                .nth(at % echo.chars().count().max(1))
                .map_or(echo.len(), |(i, _)| i);
            format!("{}{}{}", &echo[..at], HIDDEN[which], &echo[at..])
        }
    }
}

fn answer(body: Body, text: &str) -> http::Response<Vec<u8>> {
    let quoted = serde_json::to_string(text).expect("a JSON string");
    let (content_type, body) = match body {
        Body::OAuthDescription => (
            "application/json",
            format!(r#"{{"error":"invalid_client","error_description":{quoted}}}"#),
        ),
        Body::VendorMessage => (
            "application/json",
            format!(r#"{{"status":401,"error":"Unauthorized","message":{quoted}}}"#),
        ),
        Body::VendorObjectMessage => (
            "application/json",
            format!(r#"{{"status":401,"error":"Unauthorized","message":{{"detail":{quoted}}}}}"#),
        ),
        Body::PlainText => ("text/plain", text.to_owned()),
    };
    http::Response::builder()
        .status(401)
        .header("content-type", content_type)
        .body(body.into_bytes())
        .expect("a valid response")
}

/// Everything an error shows: `Display`, `Debug`, and each text field of its detail.
fn shown(error: &Error) -> Vec<String> {
    let mut out = vec![error.to_string(), format!("{error:?}")];
    let Some(server) = error.server_error() else {
        return out;
    };
    match server.detail() {
        ErrorDetail::OAuth(e) => {
            out.push(e.code.to_string());
            out.extend(e.description.clone());
            out.extend(e.uri.clone());
        }
        ErrorDetail::Vendor(e) => {
            out.extend(e.error.clone());
            match &e.message {
                Some(VendorMessage::Text(t)) => out.push(t.clone()),
                Some(VendorMessage::Object(fields)) => {
                    out.extend(fields.iter().flat_map(|(k, v)| [k.clone(), v.clone()]));
                }
                _ => {}
            }
        }
        ErrorDetail::Unstructured(u) => {
            out.extend(u.excerpt.clone());
            out.extend(u.content_type.clone());
        }
        _ => {}
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_error_shows_an_echoed_secret_or_a_hidden_character(
        secret in "[!-~]{9,40}",
        cut in 0usize..64,
        spelling in spelling(),
        decoration in decoration(),
        body in body(),
        before in "[a-z ]{0,30}",
        after in "[a-z .]{0,30}",
    ) {
        let config = ClientConfig::builder()
            .tenant_id(TENANT)
            .client_secret(secret.as_str())
            .build()
            .expect("a valid configuration");
        // The whole secret, or a start of it at least MIN_PREFIX characters long.
        let len = MIN_PREFIX + cut % (secret.len() - MIN_PREFIX + 1);
        let piece = &secret[..len];
        let echo = written(piece, spelling);
        let text = format!("{before}{}{after}", decorated(&echo, decoration));
        let error = config
            .parse_response(&answer(body, &text), Instant::now())
            .expect_err("a 401 is an error");
        // What must not be shown: the secret's first MIN_PREFIX characters as written,
        // and for Basic credentials the base64 groups that hold them.
        let needle = match spelling {
            Spelling::Basic => {
                let covered = TENANT.len() + 1 + MIN_PREFIX;
                echo[..covered / 3 * 4].to_owned()
            }
            _ => written(&secret[..MIN_PREFIX], spelling),
        };
        for text in shown(&error) {
            let lower = text.to_ascii_lowercase();
            prop_assert!(
                !lower.contains(&needle.to_ascii_lowercase()),
                "the echo {needle:?} is shown: {text:?}"
            );
            prop_assert!(
                !lower.contains(&secret[..MIN_PREFIX].to_ascii_lowercase()),
                "the secret's start is shown: {text:?}"
            );
            prop_assert!(
                !text.contains(HIDDEN),
                "a hidden character is shown: {text:?}"
            );
        }
    }
}
