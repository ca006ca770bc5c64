//! Invariants of the response parser over arbitrary input: it never panics, every token it
//! returns is usable, and no error ever repeats the access token a body carried.
#![allow(clippy::disallowed_methods)] // tests need an `Instant`; the core never reads one

use std::time::Instant;

use learn_oauth_proto::{AccessToken, ClientConfig, Error};
use proptest::prelude::*;

const CANARY: &str = "CANARYtokenVALUE0123456789abcdefXYZ";

fn parse(
    status: u16,
    headers: &[(String, String)],
    body: Vec<u8>,
    now: Instant,
) -> Result<AccessToken, Error> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder.body(body).expect("valid response");
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fixture-client-secret")
        .build()
        .expect("a valid configuration")
        .parse_response(&response, now)
}

fn check_invariants(result: &Result<AccessToken, Error>, now: Instant, canary: Option<&str>) {
    match result {
        Ok(token) => {
            assert!(!token.expose_secret().is_empty());
            assert!(token.expires_at() >= now);
            assert_eq!(token.received_at(), now);
            assert!(token.lifetime() <= learn_oauth_proto::MAX_TOKEN_LIFETIME);
        }
        Err(error) => {
            if let Some(canary) = canary {
                let shown = format!("{error} {error:?}");
                assert!(!shown.contains(canary), "the token leaked: {shown}");
            }
        }
    }
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), 100u16..=599]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("retry-after".to_owned()),
        Just("date".to_owned()),
        Just("content-type".to_owned()),
    ];
    let value = prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{1,30}",
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
    ];
    proptest::collection::vec((name, value), 0..4)
}

/// JSON-ish fragments, so that bodies often get past the first byte and into the parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just(r#""access_token""#.to_owned()),
        Just(r#""token_type""#.to_owned()),
        Just(r#""expires_in""#.to_owned()),
        Just(r#""scope""#.to_owned()),
        Just(r#""error""#.to_owned()),
        Just(r#""error_description""#.to_owned()),
        Just(r#""status""#.to_owned()),
        Just(r#""message""#.to_owned()),
        Just(r#""Bearer""#.to_owned()),
        Just("null".to_owned()),
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?(e-?[0-9]{1,3})?",
        "\"[ -~]{0,20}\"",
        "[ -~]{0,10}",
    ]
}

/// A token-response-shaped object with arbitrary values; the canary is its access token.
fn object_with_canary() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just(format!(r#""{CANARY}""#)),
        Just(format!(r#""x {CANARY} y""#)),
        Just(format!(r#"{{"access_token":"{CANARY}"}}"#)),
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?",
        "\"[ -~&&[^\"\\\\]]{0,30}\"",
    ];
    let key = prop_oneof![
        Just("token_type"),
        Just("expires_in"),
        Just("scope"),
        Just("error"),
        Just("error_description"),
        Just("error_uri"),
        Just("status"),
        Just("message"),
        Just("other"),
    ];
    proptest::collection::vec((key, value), 0..6).prop_map(|fields| {
        let mut body = format!(r#"{{"access_token":"{CANARY}""#);
        for (k, v) in fields {
            body.push_str(&format!(r#","{k}":{v}"#));
        }
        body.push('}');
        body
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(status in status(), headers in headers(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let now = Instant::now();
        let result = parse(status, &headers, body, now);
        check_invariants(&result, now, None);
    }

    #[test]
    fn json_like_fragments_never_panic(status in status(), parts in proptest::collection::vec(fragment(), 0..24)) {
        let now = Instant::now();
        let result = parse(status, &[], parts.concat().into_bytes(), now);
        check_invariants(&result, now, None);
    }

    #[test]
    fn a_canary_token_in_arbitrary_bytes_never_shows_in_an_error(
        status in status(),
        before in proptest::collection::vec(any::<u8>(), 0..64),
        after in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut body = before;
        body.extend_from_slice(format!(r#""access_token":"{CANARY}""#).as_bytes());
        body.extend_from_slice(&after);
        let now = Instant::now();
        check_invariants(&parse(status, &[], body, now), now, Some(CANARY));
    }

    #[test]
    fn a_canary_token_in_an_object_never_shows_in_an_error(status in status(), body in object_with_canary(), cut in any::<prop::sample::Index>()) {
        let now = Instant::now();
        check_invariants(&parse(status, &[], body.clone().into_bytes(), now), now, Some(CANARY));
        // And every cut-off version of it.
        let end = cut.index(body.len() + 1);
        check_invariants(&parse(status, &[], body.as_bytes()[..end].to_vec(), now), now, Some(CANARY));
    }

    #[test]
    fn a_valid_token_response_is_a_token_and_every_prefix_an_error(
        value in "[!#-\\[\\]-~]{1,60}",
        expires_in in proptest::option::of(-10_000i64..10_000_000),
        scope in proptest::option::of("[a-z/ ]{0,30}"),
    ) {
        let mut body = serde_json::json!({"access_token": value, "token_type": "Bearer"});
        if let Some(e) = expires_in {
            body["expires_in"] = e.into();
        }
        if let Some(s) = &scope {
            body["scope"] = s.as_str().into();
        }
        let body = body.to_string();
        let now = Instant::now();
        let token = parse(200, &[], body.clone().into_bytes(), now).expect("a token");
        prop_assert_eq!(token.expose_secret(), value.as_str());
        for end in 0..body.len() {
            let result = parse(200, &[], body.as_bytes()[..end].to_vec(), now);
            prop_assert!(result.is_err(), "prefix {} of {} parsed", end, body);
        }
    }
}

/// Every way a server spells a number of seconds in `expires_in`.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    /// A JSON integer (`3600`; negative ones too).
    Integer,
    /// A JSON float with a fraction (`3600.25`).
    Float,
    /// A JSON number with an exponent (`3.60025e3`).
    Exponent,
    /// A string holding an integer (`"3600"`), with whitespace around it.
    IntegerString,
    /// A string holding a float (`"3600.25"`).
    FloatString,
    /// A string holding an exponent (`"3.60025E3"`).
    ExponentString,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    prop_oneof![
        Just(Spelling::Integer),
        Just(Spelling::Float),
        Just(Spelling::Exponent),
        Just(Spelling::IntegerString),
        Just(Spelling::FloatString),
        Just(Spelling::ExponentString),
    ]
}

/// `whole` seconds plus `quarters` quarter-seconds (exact in binary floating point), as
/// `spelling` writes it, and the seconds it means.
fn spell(whole: i64, quarters: u8, spelling: Spelling) -> (String, f64) {
    let fraction = f64::from(quarters % 4) * 0.25;
    #[allow(clippy::cast_precision_loss)] // |whole| < 2^53: exact
    let value = whole as f64 + if whole < 0 { -fraction } else { fraction };
    let text = match spelling {
        Spelling::Integer => return (whole.to_string(), whole as f64),
        Spelling::IntegerString => return (format!("\" {whole}\\t\""), whole as f64),
        Spelling::Float => format!("{value:.2}"),
        Spelling::FloatString => format!("\"{value:.2}\""),
        Spelling::Exponent => format!("{value:e}"),
        Spelling::ExponentString => format!("\"{}\"", format!("{value:e}").to_uppercase()),
    };
    (text, value)
}

proptest! {
    /// `expires_in` of every numeric form. Every spelling of the same number of
    /// seconds gives the same lifetime: the number, zero for zero or less, the cap above
    /// it.
    #[test]
    fn expires_in_of_every_numeric_form_means_the_same_lifetime(
        whole in prop_oneof![-100_000i64..100_000, 0i64..=i64::from(u32::MAX) * 16],
        quarters in any::<u8>(),
        spelling in spelling(),
    ) {
        let (text, seconds) = spell(whole, quarters, spelling);
        let body = format!(r#"{{"access_token":"t0k3n","token_type":"Bearer","expires_in":{text}}}"#);
        let now = Instant::now();
        let token = parse(200, &[], body.clone().into_bytes(), now)
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        let cap = learn_oauth_proto::MAX_TOKEN_LIFETIME;
        let expected = if seconds <= 0.0 {
            std::time::Duration::ZERO
        } else if seconds >= cap.as_secs_f64() {
            cap
        } else {
            std::time::Duration::from_secs_f64(seconds)
        };
        prop_assert_eq!(token.lifetime(), expected, "{}", body);
        prop_assert_eq!(token.expires_at(), now + expected);
    }
}
