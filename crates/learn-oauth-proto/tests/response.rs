//! Parsing a 2xx token response: what makes a token, and every way a 2xx body can fail
//! to be one. Error answers (4xx, 5xx) are in `response_errors.rs`.
#![allow(clippy::disallowed_methods)] // tests need an `Instant`; the core never reads one

use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, ClientConfig, ClientConfigBuilder, DEFAULT_TOKEN_LIFETIME, Error, ErrorDetail,
    MAX_TOKEN_LIFETIME, OAuthErrorCode, ResponseProblem, Scope, Scopes,
};

/// The documented 200 body.
const DOCUMENTED: &str = r#"{"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig","token_type":"Bearer","expires_in":3600,"scope":"api/read api/write"}"#;
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig";
/// A token value that must never show up in an error.
const CANARY: &str = "CANARYtokenVALUE0123456789abcdefXYZ";

/// The fixture configuration: a tenant, a secret and the scope `api/all` requested.
fn builder() -> ClientConfigBuilder {
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fixture-client-secret")
        .scopes(["api/all"])
}

fn config() -> ClientConfig {
    builder().build().expect("a valid configuration")
}

fn response(status: u16, body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.into())
        .expect("valid response")
}

fn parse_with(config: &ClientConfig, status: u16, body: impl Into<Vec<u8>>) -> Result<AccessToken, Error> {
    config.parse_response(&response(status, body), Instant::now())
}

fn token(body: impl Into<Vec<u8>>) -> AccessToken {
    parse_with(&config(), 200, body).expect("a token")
}

/// The problem a 2xx body has, after checking the error never shows the canary.
fn problem(body: impl Into<Vec<u8>>) -> ResponseProblem {
    match parse_with(&config(), 200, body) {
        Err(Error::Response(e)) => {
            assert_eq!(e.status(), 200);
            assert_no_canary(&Error::Response(e.clone()));
            e.problem().clone()
        }
        other => panic!("expected a response error, got {other:?}"),
    }
}

fn assert_no_canary(error: &Error) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(CANARY), "the token leaked: {shown}");
    assert!(!shown.contains("CANARY"), "part of the token leaked: {shown}");
}

/// A body with the documented fields, `expires_in` replaced by `json`.
fn with_expires_in(json: &str) -> String {
    format!(r#"{{"access_token":"{JWT}","token_type":"Bearer","expires_in":{json}}}"#)
}

fn lifetime_of(json: &str) -> Duration {
    token(with_expires_in(json)).lifetime()
}

// ---------------------------------------------------------------------------------------
// The documented shape

#[test]
fn the_documented_200_gives_a_bearer_token_with_its_scopes_and_lifetime() {
    let now = Instant::now();
    let token = config()
        .parse_response(&response(200, DOCUMENTED), now)
        .expect("a token");
    assert_eq!(token.expose_secret(), JWT);
    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.authorization_header(), format!("Bearer {JWT}").as_str());
    assert!(token.authorization_header().is_sensitive());
    assert_eq!(
        token.scopes(),
        &Scopes::parse("api/read api/write").expect("valid")
    );
    assert_eq!(token.lifetime(), Duration::from_secs(3600));
    assert_eq!(token.received_at(), now);
    assert_eq!(token.expires_at(), now + Duration::from_secs(3600));
}

#[test]
fn any_2xx_status_is_a_success() {
    for status in [200, 201, 203] {
        assert!(parse_with(&config(), status, DOCUMENTED).is_ok(), "{status}");
    }
}

#[test]
fn client_config_parse_response_uses_the_configured_scopes_and_limit() {
    let config = ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("s3cret")
        .scopes(["api/webhooks"])
        .endpoint(learn_oauth_proto::Endpoint::preset(
            learn_oauth_proto::Environment::Production,
            learn_oauth_proto::Region::Global,
            learn_oauth_proto::ApiKind::Webhooks,
        ))
        .build()
        .expect("valid config");
    let body = format!(r#"{{"access_token":"{JWT}"}}"#);
    let token = config
        .parse_response(&response(200, body), Instant::now())
        .expect("a token");
    assert!(token.scopes().contains(&Scope::WEBHOOKS));

    let huge = vec![b' '; config.max_response_bytes() + 1];
    let err = config
        .parse_response(&response(200, huge), Instant::now())
        .expect_err("too large");
    assert!(
        matches!(err, Error::Response(ref e) if matches!(e.problem(), ResponseProblem::BodyTooLarge { .. }))
    );
}

#[test]
fn unknown_fields_are_ignored_whatever_their_type() {
    let body = format!(
        r#"{{"id_token":"x","nested":{{"a":[1,{{"b":null}}],"c":"d"}},"n":1.5e3,"f":false,"access_token":"{JWT}","list":[[],[{{}}]]}}"#
    );
    assert_eq!(token(body).expose_secret(), JWT);
}

#[test]
fn a_field_given_twice_counts_the_last_time() {
    let body =
        format!(r#"{{"access_token":"first","expires_in":10,"access_token":"{JWT}","expires_in":20}}"#);
    let token = token(body);
    assert_eq!(token.expose_secret(), JWT);
    assert_eq!(token.lifetime(), Duration::from_secs(20));
}

#[test]
fn escaped_characters_in_the_token_are_decoded() {
    let token = token(r#"{"access_token":"a\/b\u0043"}"#);
    assert_eq!(token.expose_secret(), "a/bC");
}

#[test]
fn a_byte_order_mark_and_surrounding_whitespace_are_accepted() {
    let body = format!("\u{feff} \r\n\t{DOCUMENTED}\n ");
    assert_eq!(token(body).expose_secret(), JWT);
}

#[test]
fn a_body_exactly_at_the_limit_is_read() {
    let config = builder()
        .max_response_bytes(1024)
        .build()
        .expect("a valid configuration");
    let mut body = DOCUMENTED.as_bytes().to_vec();
    body.resize(1024, b' ');
    assert!(parse_with(&config, 200, body).is_ok());
}

// ---------------------------------------------------------------------------------------
// access_token

#[test]
fn a_missing_access_token_is_refused() {
    assert_eq!(
        problem(r#"{"token_type":"Bearer"}"#),
        ResponseProblem::MissingAccessToken
    );
}

#[test]
fn a_null_access_token_is_missing() {
    assert_eq!(
        problem(r#"{"access_token":null}"#),
        ResponseProblem::MissingAccessToken
    );
}

#[test]
fn an_access_token_that_is_not_a_string_is_missing() {
    for value in ["123", "true", "[\"a\"]", "{\"a\":\"b\"}", "1.5"] {
        let body = format!(r#"{{"access_token":{value}}}"#);
        assert_eq!(problem(body), ResponseProblem::MissingAccessToken, "{value}");
    }
}

#[test]
fn an_empty_access_token_is_refused() {
    assert_eq!(
        problem(r#"{"access_token":""}"#),
        ResponseProblem::EmptyAccessToken
    );
}

#[test]
fn an_access_token_that_cannot_go_in_a_header_is_refused() {
    for value in [
        "CANARY with space",
        "CANARY\\nnewline",
        "CANARY\\u0000",
        "CANARYé",
        "CANARY\\u007f",
    ] {
        let body = format!(r#"{{"access_token":"{value}"}}"#);
        assert_eq!(problem(body), ResponseProblem::InvalidAccessToken, "{value}");
    }
}

// ---------------------------------------------------------------------------------------
// token_type

#[test]
fn token_type_bearer_is_accepted_in_any_case() {
    for value in ["Bearer", "bearer", "BEARER", "bEaReR", " Bearer "] {
        let body = format!(r#"{{"access_token":"{JWT}","token_type":"{value}"}}"#);
        assert_eq!(token(body).token_type(), "Bearer", "{value}");
    }
}

#[test]
fn a_missing_or_null_token_type_means_bearer() {
    assert!(parse_with(&config(), 200, format!(r#"{{"access_token":"{JWT}"}}"#)).is_ok());
    assert!(
        parse_with(
            &config(),
            200,
            format!(r#"{{"access_token":"{JWT}","token_type":null}}"#)
        )
        .is_ok()
    );
}

#[test]
fn another_token_type_is_refused_and_named() {
    let body = format!(r#"{{"access_token":"{CANARY}","token_type":"mac"}}"#);
    assert_eq!(
        problem(body),
        ResponseProblem::UnsupportedTokenType("mac".to_owned())
    );
}

#[test]
fn an_unsupported_token_type_is_sanitized_and_cut_short() {
    let long = format!("DPoP\u{7}{}", "x ".repeat(100));
    let body = serde_json::json!({"access_token": CANARY, "token_type": long}).to_string();
    let ResponseProblem::UnsupportedTokenType(shown) = problem(body) else {
        panic!("expected an unsupported token type");
    };
    assert!(shown.starts_with("DPoP "), "{shown}");
    assert!(shown.chars().count() <= 40, "{shown}");
}

#[test]
fn a_token_type_holding_the_token_is_not_repeated() {
    let body = format!(r#"{{"access_token":"{CANARY}","token_type":"x {CANARY}"}}"#);
    assert!(matches!(problem(body), ResponseProblem::UnsupportedTokenType(_)));
}

#[test]
fn a_token_type_that_is_not_a_string_is_invalid() {
    for value in ["1", "true", "[]", "{}"] {
        let body = format!(r#"{{"access_token":"{CANARY}","token_type":{value}}}"#);
        assert_eq!(problem(body), ResponseProblem::InvalidTokenType, "{value}");
    }
}

// ---------------------------------------------------------------------------------------
// expires_in

#[test]
fn expires_in_as_an_integer_is_seconds() {
    assert_eq!(lifetime_of("3600"), Duration::from_secs(3600));
}

#[test]
fn expires_in_as_a_float_keeps_the_fraction() {
    assert_eq!(lifetime_of("3600.5"), Duration::from_millis(3_600_500));
    assert_eq!(lifetime_of("3.6e3"), Duration::from_secs(3600));
}

#[test]
fn expires_in_as_a_numeric_string_is_accepted() {
    assert_eq!(lifetime_of(r#""3600""#), Duration::from_secs(3600));
    assert_eq!(lifetime_of(r#""3600.5""#), Duration::from_millis(3_600_500));
    assert_eq!(lifetime_of(r#"" 60 ""#), Duration::from_secs(60));
}

#[test]
fn a_missing_or_null_expires_in_means_the_default_lifetime() {
    let body = format!(r#"{{"access_token":"{JWT}"}}"#);
    assert_eq!(token(body.clone()).lifetime(), DEFAULT_TOKEN_LIFETIME);
    assert_eq!(lifetime_of("null"), DEFAULT_TOKEN_LIFETIME);

    let config = builder()
        .default_token_lifetime(Duration::from_secs(600))
        .build()
        .expect("a valid configuration");
    let token = parse_with(&config, 200, body).expect("a token");
    assert_eq!(token.lifetime(), Duration::from_secs(600));
}

#[test]
fn zero_or_negative_expires_in_means_already_stale() {
    let now = Instant::now();
    for value in ["0", "-1", "-3600", "-0.5", "0.0", "-1e308", r#""-10""#, r#""0""#] {
        let body = with_expires_in(value);
        let token = config()
            .parse_response(&response(200, body), now)
            .expect("a token");
        assert_eq!(token.lifetime(), Duration::ZERO, "{value}");
        assert_eq!(token.expires_at(), now, "{value}");
        assert!(token.is_expired(now), "{value}");
    }
    assert_eq!(lifetime_of(&i64::MIN.to_string()), Duration::ZERO);
}

#[test]
fn huge_expires_in_is_clamped_without_overflow() {
    let now = Instant::now();
    for value in [
        "1e308".to_owned(),
        u64::MAX.to_string(),
        "99999999999999999999".to_owned(),
        r#""99999999999999999999""#.to_owned(),
        r#""1e999""#.to_owned(),
        (MAX_TOKEN_LIFETIME.as_secs() + 1).to_string(),
    ] {
        let token = config()
            .parse_response(&response(200, with_expires_in(&value)), now)
            .expect("a token");
        assert_eq!(token.lifetime(), MAX_TOKEN_LIFETIME, "{value}");
        assert_eq!(token.expires_at(), now + MAX_TOKEN_LIFETIME, "{value}");
    }
}

#[test]
fn a_number_json_cannot_represent_is_malformed_json() {
    // serde_json refuses numbers beyond f64's range rather than making them infinite.
    assert_eq!(problem(with_expires_in("1e400")), ResponseProblem::InvalidJson);
}

#[test]
fn expires_in_of_another_type_or_a_non_numeric_string_is_invalid() {
    for value in [
        "true",
        "[3600]",
        r#"{"s":3600}"#,
        r#""""#,
        r#""soon""#,
        r#""3600s""#,
        r#""NaN""#,
        r#""inf""#,
        r#""0x10""#,
    ] {
        assert_eq!(
            problem(with_expires_in(value)),
            ResponseProblem::InvalidExpiresIn,
            "{value}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// scope

#[test]
fn the_granted_scope_string_is_the_token_scopes() {
    let body = format!(r#"{{"access_token":"{JWT}","scope":"api/read"}}"#);
    let scopes = token(body).scopes().clone();
    assert_eq!(scopes.iter().collect::<Vec<_>>(), [&Scope::READ]);
}

#[test]
fn the_granted_scope_string_is_read_leniently() {
    let body = format!(r#"{{"access_token":"{JWT}","scope":"  api/read\tapi/write  api/read bad\"scope "}}"#);
    let scopes = token(body).scopes().clone();
    assert_eq!(scopes.iter().collect::<Vec<_>>(), [&Scope::READ, &Scope::WRITE]);
}

#[test]
fn a_missing_or_null_scope_means_the_scopes_requested() {
    for body in [
        format!(r#"{{"access_token":"{JWT}"}}"#),
        format!(r#"{{"access_token":"{JWT}","scope":null}}"#),
    ] {
        let token = token(body);
        assert_eq!(token.scopes(), config().scopes());
        assert!(!token.scopes_stated_by_server(), "the server said nothing");
    }
}

#[test]
fn a_scope_string_is_stated_by_the_server_even_when_empty_or_as_requested() {
    // A caller could not tell "granted as requested" from "said nothing".
    for scope in ["api/read api/write", "api/read", ""] {
        let body = format!(r#"{{"access_token":"{JWT}","scope":"{scope}"}}"#);
        assert!(token(body).scopes_stated_by_server(), "{scope:?}");
    }
}

#[test]
fn an_empty_scope_string_grants_no_scopes() {
    let body = format!(r#"{{"access_token":"{JWT}","scope":""}}"#);
    assert!(token(body).scopes().is_empty());
}

#[test]
fn a_scope_that_is_not_a_string_is_invalid() {
    for value in [r#"["api/read"]"#, "1", "true", "{}"] {
        let body = format!(r#"{{"access_token":"{CANARY}","scope":{value}}}"#);
        assert_eq!(problem(body), ResponseProblem::InvalidScope, "{value}");
    }
}

// ---------------------------------------------------------------------------------------
// Bodies that are not a token response

#[test]
fn an_empty_body_is_refused() {
    assert_eq!(problem(""), ResponseProblem::Empty);
}

#[test]
fn a_body_of_only_whitespace_is_empty() {
    assert_eq!(problem(" \r\n\t"), ResponseProblem::Empty);
}

#[test]
fn an_html_page_is_not_json() {
    assert_eq!(
        problem("<html><body>CANARY</body></html>"),
        ResponseProblem::NotJson
    );
}

#[test]
fn plain_text_is_not_json() {
    assert_eq!(
        problem("access_token=CANARY&token_type=bearer"),
        ResponseProblem::NotJson
    );
}

#[test]
fn invalid_utf8_is_not_json() {
    assert_eq!(problem(b"\xff\xfe{}".to_vec()), ResponseProblem::NotJson);
    let mut body = format!(r#"{{"access_token":"{JWT}","note":""#).into_bytes();
    body.extend_from_slice(b"\xc3\x28\"}");
    assert_eq!(
        problem(body),
        ResponseProblem::NotJson,
        "even inside an ignored string"
    );
}

#[test]
fn a_truncated_body_is_cut_off_json_and_retryable() {
    for body in [
        r#"{"access_token":"CANARY"#,
        r#"{"access_token":"CANARY","#,
        r#"{"access_token":"CANARY","expires_in":36"#,
        "{",
    ] {
        assert_eq!(problem(body), ResponseProblem::Truncated, "{body}");
        let error = parse_with(&config(), 200, body).expect_err(body);
        assert!(error.is_retryable(), "{body}");
    }
}

#[test]
fn trailing_garbage_is_malformed_json_and_not_retryable() {
    for tail in ["x", "}", "{}", ",", "\0"] {
        let body = format!(r#"{{"access_token":"{CANARY}"}}{tail}"#);
        assert_eq!(problem(body.clone()), ResponseProblem::InvalidJson, "{tail:?}");
        assert!(
            !parse_with(&config(), 200, body.clone())
                .expect_err(&body)
                .is_retryable(),
            "{tail:?}"
        );
    }
}

#[test]
fn json_that_is_not_an_object_is_refused() {
    for body in [
        "[]",
        r#"["CANARY"]"#,
        r#""CANARY""#,
        "1",
        "-1.5",
        "true",
        "false",
        "null",
    ] {
        assert_eq!(problem(body), ResponseProblem::NotAnObject, "{body}");
    }
}

/// A configuration that lets a megabyte through, for bodies that test the parser, not the
/// limit.
fn roomy() -> ClientConfig {
    builder()
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("a valid configuration")
}

#[test]
fn deeply_nested_json_is_malformed_not_a_crash() {
    let inside = format!(r#"{{"access_token":"{CANARY}","x":{}}}"#, "[".repeat(100_000));
    for body in ["[".repeat(100_000), "{\"a\":".repeat(100_000), inside] {
        // Never closed, so also cut off: either verdict is right, a crash is not.
        let err = parse_with(&roomy(), 200, body).expect_err("malformed");
        assert!(
            matches!(err, Error::Response(ref e)
                if matches!(e.problem(), ResponseProblem::InvalidJson | ResponseProblem::Truncated)),
            "{err:?}"
        );
        assert_no_canary(&err);
    }
}

#[test]
fn deep_but_balanced_nesting_does_not_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let _ = parse_with(&roomy(), 200, deep.clone());
    let body = format!(r#"{{"access_token":"{JWT}","x":{deep}}}"#);
    let _ = parse_with(&roomy(), 200, body);
}

#[test]
fn a_body_over_the_limit_is_refused_unread() {
    let mut body = DOCUMENTED.as_bytes().to_vec();
    body.resize(10 * 1024 * 1024, b' ');
    assert_eq!(
        problem(body),
        ResponseProblem::BodyTooLarge {
            limit: learn_oauth_proto::DEFAULT_MAX_RESPONSE_BYTES
        }
    );
}

#[test]
fn the_limit_is_the_configured_one() {
    let config = builder()
        .max_response_bytes(1024)
        .build()
        .expect("a valid configuration");
    let mut body = DOCUMENTED.as_bytes().to_vec();
    body.resize(1025, b' ');
    let err = parse_with(&config, 200, body).expect_err("too large");
    assert!(
        matches!(err, Error::Response(ref e) if *e.problem() == ResponseProblem::BodyTooLarge { limit: 1024 })
    );
}

#[test]
fn every_prefix_of_a_valid_body_is_an_error_and_the_whole_body_a_token() {
    for end in 0..DOCUMENTED.len() {
        let result = parse_with(&config(), 200, &DOCUMENTED.as_bytes()[..end]);
        let err = result.expect_err(&format!("prefix of {end} bytes"));
        assert!(matches!(err, Error::Response(_)), "{end}: {err:?}");
        assert!(!format!("{err} {err:?}").contains("eyJ"), "{end}: {err:?}");
    }
    assert!(parse_with(&config(), 200, DOCUMENTED).is_ok());
}

#[test]
fn malformed_2xx_errors_are_not_retryable_except_malformed_json() {
    let err = parse_with(&config(), 200, "{").expect_err("bad");
    assert!(err.is_retryable());
    let err = parse_with(&config(), 200, "{}").expect_err("bad");
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(http::StatusCode::OK));
}

// ---------------------------------------------------------------------------------------
// An error inside a 2xx

#[test]
fn an_error_field_in_a_2xx_body_is_a_server_error_with_the_2xx_status() {
    let body = r#"{"error":"invalid_scope","error_description":"scope not allowed"}"#;
    let err = parse_with(&config(), 200, body).expect_err("an error");
    let server = err.server_error().expect("a server error");
    assert_eq!(server.status(), 200);
    assert_eq!(server.oauth_code(), Some(&OAuthErrorCode::InvalidScope));
    assert_eq!(server.message(), Some("scope not allowed"));
}

#[test]
fn a_vendor_envelope_in_a_2xx_body_is_a_server_error() {
    let body = r#"{"status":401,"error":"Unauthorized","message":"bad credentials"}"#;
    let err = parse_with(&config(), 200, body).expect_err("an error");
    let server = err.server_error().expect("a server error");
    assert!(matches!(server.detail(), ErrorDetail::Vendor(v) if v.status == Some(401)));
}

#[test]
fn an_error_next_to_a_token_wins_and_the_token_is_not_repeated() {
    let body = format!(
        r#"{{"access_token":"{CANARY}","error":"{CANARY}","error_description":"token {CANARY} revoked","error_uri":"{CANARY}"}}"#
    );
    let err = parse_with(&config(), 200, body).expect_err("an error");
    assert!(matches!(err, Error::Server(_)));
    assert_no_canary(&err);
}

#[test]
fn a_short_token_is_redacted_from_an_error_in_a_2xx_body() {
    let body = r#"{"access_token":"CANARY","error":"bad","error_description":"CANARY was revoked"}"#;
    let err = parse_with(&config(), 200, body).expect_err("an error");
    assert_no_canary(&err);
    assert_eq!(
        err.server_error().and_then(|e| e.message()),
        Some("[redacted] was revoked")
    );
}

#[test]
fn an_error_field_that_is_not_a_string_is_ignored() {
    for value in ["null", "false", "0", "{}", "[]"] {
        let body = format!(r#"{{"access_token":"{JWT}","error":{value}}}"#);
        assert!(parse_with(&config(), 200, body).is_ok(), "{value}");
    }
}

// ---------------------------------------------------------------------------------------
// The token never leaks

#[test]
fn no_2xx_error_shows_the_token() {
    let bodies = [
        format!(r#"{{"access_token":"{CANARY}","token_type":"mac"}}"#),
        format!(r#"{{"access_token":"{CANARY}","token_type":"{CANARY}"}}"#),
        format!(r#"{{"access_token":"{CANARY}","expires_in":"{CANARY}"}}"#),
        format!(r#"{{"access_token":"{CANARY}","scope":["{CANARY}"]}}"#),
        format!(r#"{{"access_token":"{CANARY} x"}}"#),
        format!(r#"{{"access_token":"{CANARY}""#),
        format!(r#"{{"access_token":"{CANARY}"}} trailing {CANARY}"#),
        format!(r#"["{CANARY}"]"#),
        format!("<p>{CANARY}</p>"),
    ];
    for body in bodies {
        let err = parse_with(&config(), 200, body.clone()).expect_err(&body);
        assert_no_canary(&err);
    }
}
