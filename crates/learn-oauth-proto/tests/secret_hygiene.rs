//! Secret hygiene: every public type that can hold a client secret or an access token —
//! configurations and their builder (every authentication method), the token request's
//! `Debug`, tokens, and every error, including the errors raised from bodies that carry
//! the token — is built with canary values, and no canary may appear in any `Debug`,
//! `Display` or `source()` chain output.
//!
//! The canary tokens are deliberately short (under the sanitizer's 24-character "looks
//! like a token" heuristic) so that only the parser's explicit redaction of the
//! response's own `access_token` can hide them; a long JWT-shaped canary covers the
//! heuristic.
#![allow(clippy::disallowed_methods)] // tests need an `Instant`; the core never reads one

use std::error::Error as StdError;
use std::fmt::{Debug, Display};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use learn_oauth_proto::{
    AccessToken, AuthMethod, BasicEncoding, BodyKind, ClientConfig, ClientConfigBuilder, ClientSecret,
    ConfigError, Error, ErrorDetail, OAuthError, OAuthErrorCode, RefreshPolicy, ResponseError,
    ResponseProblem, Scopes, ServerError, TokenLifecycle, TokenPoll, TransportError, TransportErrorKind,
    UnstructuredBody, VendorError,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The client secret.
const SECRET: &str = "CANARY-SECRET-4f2a";
/// A short access token: only explicit redaction can hide it.
const TOKEN: &str = "CANARY-TOKEN-7b1";
/// A JWT-shaped access token: the sanitizer's run heuristic also hides it.
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJDQU5BUlktVE9LRU4ifQ.CANARY-TOKEN-jwt-sig";
const TENANT: &str = "eu-west-2_AbcdEfghI";

/// Every way a canary could be spelled in output: as text, as the `Debug` of its bytes
/// (how `Vec<u8>` bodies print), and inside Basic credentials.
fn spellings(canary: &str) -> Vec<String> {
    let bytes = format!("{:?}", canary.as_bytes());
    let bytes = bytes.trim_start_matches('[').trim_end_matches(']').to_owned();
    let mut out = vec![canary.to_owned(), "CANARY".to_owned(), bytes];
    for id in [TENANT, "client"] {
        out.push(STANDARD.encode(format!("{id}:{canary}")));
    }
    out
}

/// Asserts that `text` shows no canary, in any spelling.
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for canary in [SECRET, TOKEN, JWT] {
        for spelling in spellings(canary) {
            assert!(
                !text.contains(&spelling),
                "{what} shows a canary ({spelling:?}):\n{text}"
            );
        }
    }
}

/// Checks `Debug`, `Display` and every `source()` in the chain of an error.
#[track_caller]
fn assert_error_clean<E: StdError + 'static>(what: &str, error: &E) {
    assert_clean(what, &format!("{error:?}"));
    assert_clean(what, &error.to_string());
    assert_clean(what, &format!("{error:#?}"));
    let mut source = error.source();
    let mut depth = 0;
    while let Some(cause) = source {
        assert_clean(&format!("{what}: source #{depth}"), &format!("{cause} {cause:?}"));
        source = cause.source();
        depth += 1;
        assert!(depth < 16, "{what}: source chain too long");
    }
}

#[track_caller]
fn assert_debug_clean(what: &str, value: &impl Debug) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

#[track_caller]
fn assert_display_clean(what: &str, value: &impl Display) {
    assert_clean(what, &value.to_string());
}

fn auth_methods() -> [AuthMethod; 4] {
    [
        AuthMethod::Basic(BasicEncoding::Raw),
        AuthMethod::Basic(BasicEncoding::FormUrlEncoded),
        AuthMethod::Basic(BasicEncoding::PercentEncoded),
        AuthMethod::FormBody,
    ]
}

fn builder(auth: AuthMethod) -> ClientConfigBuilder {
    ClientConfig::builder()
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .auth_method(auth)
        .scopes(["api/read", "api/write"])
}

/// The configuration responses are parsed with: the canary secret, `api/read` requested.
/// Its redaction of the secret cannot hide a canary token: the two share no spelling.
fn parsing() -> ClientConfigBuilder {
    ClientConfig::builder()
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .scopes(["api/read"])
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).expect("valid response")
}

fn parse(status: u16, headers: &[(&str, &str)], body: &str) -> Result<AccessToken, Error> {
    parsing()
        .build()
        .expect("valid config")
        .parse_response(&response(status, headers, body), Instant::now())
}

fn json(status: u16, body: &str) -> Result<AccessToken, Error> {
    parse(status, &[("content-type", "application/json")], body)
}

// ---------------------------------------------------------------------------------------
// Configuration and the request

#[test]
fn client_secret_debug_is_redacted() {
    assert_debug_clean("ClientSecret", &ClientSecret::new(SECRET));
}

#[test]
fn configs_and_builders_of_every_auth_method_are_redacted() {
    for auth in auth_methods() {
        let what = format!("{auth:?}");
        let builder = builder(auth);
        assert_debug_clean(&format!("builder {what}"), &builder);
        let config = builder.clone().build().expect("valid config");
        assert_debug_clean(&format!("config {what}"), &config);
        assert_debug_clean(&format!("clone of config {what}"), &config.clone());
        // A separate client id, and the custom-endpoint variant.
        let config = builder
            .client_id("client")
            .token_url("https://proxy.example.com/oauth2/token/{tenantId}")
            .build()
            .expect("valid config");
        assert_debug_clean(&format!("custom config {what}"), &config);
    }
}

#[test]
fn token_request_headers_debug_is_redacted_for_every_auth_method() {
    for auth in auth_methods() {
        let config = builder(auth).build().expect("valid config");
        let request = config.token_request();
        let what = format!("request headers {auth:?}");
        assert_debug_clean(&what, request.headers());
        assert_debug_clean(&what, request.uri());
        if let Some(value) = request.headers().get(http::header::AUTHORIZATION) {
            assert!(value.is_sensitive(), "{what}: Authorization is marked sensitive");
        }
    }
}

#[test]
fn token_request_debug_is_redacted_for_basic_auth() {
    for auth in [
        AuthMethod::Basic(BasicEncoding::Raw),
        AuthMethod::Basic(BasicEncoding::FormUrlEncoded),
        AuthMethod::Basic(BasicEncoding::PercentEncoded),
    ] {
        let config = builder(auth).build().expect("valid config");
        assert_debug_clean(&format!("request {auth:?}"), &config.token_request());
    }
}

/// With `client_secret_post` the body holds the secret; `http::Request<Vec<u8>>` would
/// print it as byte values, so the request body is a `RequestBody` whose `Debug` redacts.
#[test]
fn token_request_debug_is_redacted_for_form_body_auth() {
    let config = builder(AuthMethod::FormBody).build().expect("valid config");
    assert_debug_clean("request FormBody", &config.token_request());
}

#[test]
fn every_config_error_is_clean() {
    let base = || ClientConfig::builder().tenant_id(TENANT).client_secret(SECRET);
    let cases: Vec<(&str, ClientConfigBuilder)> = vec![
        ("missing tenant", ClientConfig::builder().client_secret(SECRET)),
        ("missing secret", ClientConfig::builder().tenant_id(TENANT)),
        ("empty tenant", base().tenant_id("")),
        ("dot tenant", base().tenant_id("..")),
        ("long tenant", base().tenant_id("x".repeat(300))),
        ("control in tenant", base().tenant_id("a\nb")),
        ("empty client id", base().client_id("")),
        ("empty secret", base().client_secret("")),
        (
            "control in secret",
            base().client_secret(format!("{SECRET}\n{TOKEN}")),
        ),
        ("colon in client id", base().client_id("a:b")),
        ("unparseable url", base().token_url("not a url")),
        ("ftp url", base().token_url("ftp://example.com/t")),
        ("plain http", base().token_url("http://example.com/t")),
        ("user info", base().token_url("https://user:pass@example.com/t")),
        ("fragment", base().token_url("https://example.com/t#frag")),
        ("missing host", base().token_url("https:///t")),
        ("bad scope", base().scope("api read")),
        ("empty scope", base().scope("")),
        ("long scope", base().scope("s".repeat(300))),
        ("scope not offered", base().scope("api/webhooks")),
        ("user agent", base().user_agent("agent\n")),
        ("response limit", base().max_response_bytes(10)),
        ("huge response limit", base().max_response_bytes(usize::MAX)),
    ];
    for (what, builder) in cases {
        assert_debug_clean(what, &builder);
        let error: ConfigError = builder.build().expect_err(what);
        assert_error_clean(what, &error);
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

#[test]
fn access_token_debug_is_redacted() {
    let scopes = Scopes::parse("api/read").expect("valid");
    for value in [TOKEN, JWT] {
        let token = AccessToken::new(
            value.to_owned(),
            scopes.clone(),
            Instant::now(),
            Duration::from_secs(60),
        )
        .expect("a valid token");
        assert_debug_clean("AccessToken::new", &token);
        assert_debug_clean("authorization header", &token.authorization_header());
        assert!(token.authorization_header().is_sensitive());
    }
}

#[test]
fn parsed_access_tokens_are_redacted() {
    for value in [TOKEN, JWT] {
        for body in [
            format!(
                r#"{{"access_token":"{value}","token_type":"Bearer","expires_in":3600,"scope":"api/read"}}"#
            ),
            format!(r#"{{"access_token":"{value}","token_type":"bearer","expires_in":"3600"}}"#),
            format!(r#"{{"access_token":"{value}","extra":{{"nested":[1,2,3]}}}}"#),
        ] {
            let token = json(200, &body).expect("a token");
            assert_eq!(token.expose_secret(), value);
            assert_debug_clean(&body, &token);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors raised from bodies that carry the token

/// A status, headers and body.
type ErrorCase = (u16, Vec<(&'static str, String)>, String);

/// Bodies of error answers (any status) that carry the canary token, in every shape the
/// parser knows.
fn error_bodies(token: &str) -> Vec<ErrorCase> {
    let ct_json = || vec![("content-type", "application/json".to_owned())];
    let ct_html = || vec![("content-type", "text/html".to_owned())];
    vec![
        // The vendor envelope, message as text, mentioning the token.
        (
            400,
            ct_json(),
            format!(
                r#"{{"status":400,"error":"Bad Request","message":"token {token} is bad","access_token":"{token}"}}"#
            ),
        ),
        (
            400,
            ct_json(),
            format!(r#"{{"status":400.0,"error":"{token}","message":"{token}","access_token":"{token}"}}"#),
        ),
        // ... message as an object, token in names, values and nested values.
        (
            400,
            ct_json(),
            format!(
                r#"{{"status":400.0,"error":"Bad Request","access_token":"{token}","message":{{"{token}":1,"field":"{token}","nested":{{"deep":["{token}"]}},"client_secret":"x","auth":"Bearer {token}"}}}}"#
            ),
        ),
        (
            401,
            ct_json(),
            format!(
                r#"{{"status":401,"error":"Unauthorized","message":"bad credentials for {token}","access_token":"{token}"}}"#
            ),
        ),
        (
            500,
            ct_json(),
            format!(
                r#"{{"status":500.0,"error":"Internal Server Error","message":"{token}","access_token":"{token}"}}"#
            ),
        ),
        // RFC 6749 §5.2, token in every field, and as the code itself.
        (
            400,
            ct_json(),
            format!(
                r#"{{"error":"invalid_client","error_description":"{token} refused","error_uri":"https://example.com/{token}","access_token":"{token}"}}"#
            ),
        ),
        (
            400,
            ct_json(),
            format!(r#"{{"error":"{token}","access_token":"{token}"}}"#),
        ),
        (
            400,
            ct_json(),
            format!(r#"{{"error":"x_{token}_y","access_token":"{token}"}}"#),
        ),
        // Duplicate keys: the last access_token counts for the parser.
        (
            400,
            ct_json(),
            format!(
                r#"{{"access_token":"x","error":"invalid_grant","error_description":"{token}","access_token":"{token}"}}"#
            ),
        ),
        // ... and an earlier access_token, repeated in the text (found by the
        // parse_response fuzz target's oracle: only the last value used to be redacted).
        (
            400,
            ct_json(),
            format!(
                r#"{{"access_token":"{token}","error":"invalid_request","error_description":"token {token} is bad","access_token":"zz9"}}"#
            ),
        ),
        (
            400,
            ct_json(),
            format!(r#"{{"access_token":"{token}","error":"x{token}","access_token":"zz9"}}"#),
        ),
        (
            401,
            ct_json(),
            format!(
                r#"{{"access_token":"{token}","status":401,"error":"{token}","message":{{"{token}":"{token}"}},"access_token":"zz9"}}"#
            ),
        ),
        // JSON escapes spelling the token.
        (
            400,
            ct_json(),
            format!(
                r#"{{"error":"invalid_request","error_description":"{}","access_token":"{token}"}}"#,
                token.replace('-', "\\u002d")
            ),
        ),
        // Unknown JSON, malformed JSON, arrays and scalars holding the token.
        (
            500,
            ct_json(),
            format!(r#"{{"access_token":"{token}","foo":"{token}"}}"#),
        ),
        (500, ct_json(), format!(r#"{{"access_token":"{token}","error":"#)),
        (500, ct_json(), format!(r#"["{token}"]"#)),
        (500, ct_json(), format!(r#""{token}""#)),
        // Non-JSON bodies: a proxy's HTML, plain text, a form-encoded answer.
        (
            502,
            ct_html(),
            format!("<html><body><h1>502 Bad Gateway</h1><p>token={token}</p></body></html>"),
        ),
        (
            503,
            ct_html(),
            format!("<html>upstream said Bearer {token}</html>"),
        ),
        (400, vec![], format!("access_token={token}&token_type=bearer")),
        // Retry-After and Date headers alongside.
        (
            429,
            vec![
                ("content-type", "application/json".to_owned()),
                ("retry-after", "30".to_owned()),
            ],
            format!(r#"{{"error":"slow_down","error_description":"{token}","access_token":"{token}"}}"#),
        ),
        // 2xx bodies that are error answers.
        (
            200,
            ct_json(),
            format!(r#"{{"error":"invalid_scope","error_description":"{token}","access_token":"{token}"}}"#),
        ),
        (
            200,
            ct_json(),
            format!(r#"{{"status":400,"error":"Bad Request","message":"{token}","access_token":"{token}"}}"#),
        ),
    ]
}

#[test]
fn every_server_error_from_a_body_with_the_token_is_clean() {
    for token in [TOKEN, JWT] {
        for (status, headers, body) in error_bodies(token) {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let error = parse(status, &headers, &body).expect_err(&body);
            assert!(matches!(error, Error::Server(_)), "{body}: {error:?}");
            assert_error_clean(&body, &error);
            if let Error::Server(server) = &error {
                assert_error_clean(&body, server);
                assert_debug_clean(&body, server.detail());
                assert_display_clean(&body, server.detail());
                if let Some(message) = server.message() {
                    assert_clean(&body, message);
                }
                if let Some(code) = server.oauth_code() {
                    assert_clean(&body, code.as_str());
                }
            }
        }
    }
}

#[test]
fn an_oversized_error_body_with_the_token_is_clean() {
    let config = parsing().max_response_bytes(1024).build().expect("valid config");
    let body = format!(r#"{{"error":"{TOKEN}","pad":"{}"}}"#, "x".repeat(2000));
    for status in [200, 400, 500] {
        let error = config
            .parse_response(&response(status, &[], &body), Instant::now())
            .expect_err("too large");
        assert_error_clean("oversized body", &error);
    }
}

/// 2xx bodies with the token that are not usable token responses: every
/// [`ResponseProblem`] the parser raises.
fn unusable_success_bodies(token: &str) -> Vec<(String, ResponseProblem)> {
    vec![
        (String::new(), ResponseProblem::Empty),
        (format!("access_token={token}"), ResponseProblem::NotJson),
        (format!("<html>{token}</html>"), ResponseProblem::NotJson),
        (
            format!(r#"{{"access_token":"{token}""#),
            ResponseProblem::Truncated,
        ),
        (
            format!(r#"{{"access_token":"{token}"}} trailing"#),
            ResponseProblem::InvalidJson,
        ),
        (format!(r#"["{token}"]"#), ResponseProblem::NotAnObject),
        (
            format!(r#"{{"accessToken":"{token}"}}"#),
            ResponseProblem::MissingAccessToken,
        ),
        (
            format!(r#"{{"access_token":["{token}"]}}"#),
            ResponseProblem::MissingAccessToken,
        ),
        (
            r#"{"access_token":""}"#.to_owned(),
            ResponseProblem::EmptyAccessToken,
        ),
        (
            format!(r#"{{"access_token":"{token} x"}}"#),
            ResponseProblem::InvalidAccessToken,
        ),
        (
            format!(r#"{{"access_token":"{token}\u00e9"}}"#),
            ResponseProblem::InvalidAccessToken,
        ),
        (
            format!(r#"{{"access_token":"{token}","token_type":"{token}"}}"#),
            ResponseProblem::UnsupportedTokenType("[redacted]".to_owned()),
        ),
        (
            format!(r#"{{"access_token":"{token}","token_type":"Bearer {token}"}}"#),
            ResponseProblem::UnsupportedTokenType("[redacted]".to_owned()),
        ),
        (
            format!(r#"{{"access_token":"{token}","token_type":"x {token}","access_token":"zz9"}}"#),
            ResponseProblem::UnsupportedTokenType("[redacted]".to_owned()),
        ),
        (
            format!(r#"{{"access_token":"{token}","token_type":1}}"#),
            ResponseProblem::InvalidTokenType,
        ),
        (
            format!(r#"{{"access_token":"{token}","expires_in":"{token}"}}"#),
            ResponseProblem::InvalidExpiresIn,
        ),
        (
            format!(r#"{{"access_token":"{token}","scope":["{token}"]}}"#),
            ResponseProblem::InvalidScope,
        ),
    ]
}

#[test]
fn every_response_error_from_a_body_with_the_token_is_clean() {
    for token in [TOKEN, JWT] {
        for (body, problem) in unusable_success_bodies(token) {
            let error = json(200, &body).expect_err(&body);
            assert_error_clean(&body, &error);
            let Error::Response(response) = &error else {
                panic!("{body}: expected a response error, got {error:?}");
            };
            assert_eq!(response.problem(), &problem, "{body}");
            assert_error_clean(&body, response);
            assert_error_clean(&body, response.problem());
        }
    }
    let config = parsing().max_response_bytes(1024).build().expect("valid config");
    let body = format!(r#"{{"access_token":"{TOKEN}","pad":"{}"}}"#, "x".repeat(2000));
    let error = config
        .parse_response(&response(200, &[], &body), Instant::now())
        .expect_err("too large");
    assert_error_clean("oversized 2xx", &error);
}

#[test]
fn errors_built_by_hand_are_clean() {
    // Every variant the public constructors reach, as a custom transport would build them.
    let Err(Error::Server(empty)) = json(502, "") else {
        panic!("expected a server error");
    };
    let server = ServerError::new(StatusCode::BAD_GATEWAY, empty.detail().clone())
        .with_retry_after(Duration::from_secs(5));
    assert_error_clean("ServerError::new", &Error::from(server));
    // The detail constructors sanitize text given to them as the parser would: a
    // JWT-shaped token in it is redacted.
    for detail in [
        ErrorDetail::Unstructured(UnstructuredBody::new(BodyKind::NotJson)),
        ErrorDetail::OAuth(OAuthError::new(
            OAuthErrorCode::InvalidClient,
            Some(&format!("bad {JWT}")),
        )),
        ErrorDetail::Vendor(VendorError::new(
            Some(401),
            Some("Unauthorized"),
            Some(&format!("token {JWT} refused")),
        )),
    ] {
        let error = ServerError::new(StatusCode::UNAUTHORIZED, detail);
        assert_error_clean("a detail built by hand", &Error::from(error.clone()));
    }
    let built = ServerError::new(
        StatusCode::UNAUTHORIZED,
        ErrorDetail::OAuth(OAuthError::new(OAuthErrorCode::InvalidClient, None)),
    );
    assert_eq!(built.error_code(), Some("invalid_client"));
    assert!(built.is_unauthorized());
    assert_error_clean(
        "ResponseError::new",
        &Error::from(ResponseError::new(
            StatusCode::OK,
            ResponseProblem::ExpiredOnArrival,
        )),
    );
    for kind in [
        TransportErrorKind::Timeout,
        TransportErrorKind::Connect,
        TransportErrorKind::Tls,
        TransportErrorKind::Io,
        TransportErrorKind::Redirected,
        TransportErrorKind::Other,
    ] {
        assert_error_clean("TransportError::new", &Error::from(TransportError::new(kind)));
        let cause = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let error = Error::from(TransportError::with_source(kind, cause));
        assert!(error.source().is_some(), "the cause is kept as source()");
        assert_error_clean("TransportError::with_source", &error);
    }
}

// ---------------------------------------------------------------------------------------
// The lifecycle holds tokens and errors

#[test]
fn the_lifecycle_and_what_it_hands_out_are_redacted() {
    let now = Instant::now();
    let mut machine = TokenLifecycle::new(RefreshPolicy::default(), 7);
    assert!(matches!(machine.poll_token(now, now), TokenPoll::Pending));
    let fetch = machine.poll_fetch(now).expect("a request to start");
    // A failure whose error came from a body with the token.
    let Err(error) = json(
        503,
        &format!(
            r#"{{"error":"temporarily_unavailable","error_description":"{TOKEN}","access_token":"{TOKEN}"}}"#
        ),
    ) else {
        panic!("an error");
    };
    machine.handle_response(now, fetch, Err(error));
    assert_debug_clean("lifecycle after a failure", &machine);
    let later = now + Duration::from_secs(60);
    machine.handle_timeout(later);
    let step = machine.poll_driver(later, later);
    assert_debug_clean("driver step after a failure", &step);
    let poll = machine.poll_token(later, later);
    assert_debug_clean("poll after a failure", &poll);
    if let TokenPoll::Failed(error) = &poll {
        assert_error_clean("lifecycle error", error);
    }
    // A token, on a fresh machine.
    let mut machine = TokenLifecycle::new(RefreshPolicy::default(), 7);
    let _ = machine.poll_token(later, later);
    let fetch = machine.poll_fetch(later).expect("a request to start");
    let token = json(200, &format!(r#"{{"access_token":"{TOKEN}","expires_in":3600}}"#)).expect("a token");
    machine.handle_response(later, fetch, Ok(token));
    let poll = machine.poll_token(later, later);
    assert!(matches!(poll, TokenPoll::Ready(_)), "{poll:?}");
    assert_debug_clean("poll with a token", &poll);
    assert_debug_clean("driver step with a token", &machine.poll_driver(later, later));
    assert_debug_clean("lifecycle with a token", &machine);
    assert_debug_clean("snapshot", &machine.snapshot().expect("a snapshot"));
    assert_debug_clean("current token", &machine.current_token(later));
}

/// Sanity check of the checker itself: it does see a canary.
#[test]
#[should_panic(expected = "shows a canary")]
fn the_checker_catches_a_canary_in_decimal_bytes() {
    assert_debug_clean("bytes", &SECRET.as_bytes().to_vec());
}

/// Keeps `UnstructuredBody` in the public types this file names, so a change to its
/// fields shows up here.
#[test]
fn unstructured_bodies_keep_no_excerpt_of_token_bearing_text() {
    for token in [TOKEN, JWT] {
        for body in [
            format!("<p>access_token: {token}</p>"),
            format!("the secret is {token}"),
            format!("Authorization: Bearer {token}"),
        ] {
            let Err(Error::Server(e)) = parse(502, &[("content-type", "text/html")], &body) else {
                panic!("expected a server error");
            };
            let ErrorDetail::Unstructured(UnstructuredBody { excerpt, .. }) = e.detail() else {
                panic!("expected an unstructured body");
            };
            assert_eq!(excerpt, &None, "{body}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors from a server that echoes the client secret back

/// A secret with spaces and punctuation: no run of it is long enough for the sanitizer's
/// token heuristic, so only the configuration's redaction of the secret can hide it.
const PUNCTUATED_SECRET: &str = "CANARY p@ss/w0rd+&=%;";

/// Everything outside RFC 3986 *unreserved* (`ALPHA / DIGIT / "-" / "." / "_" / "~"`):
/// the secret percent-encoded as a URL path segment would spell it.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Every spelling in which a server could echo `secret` sent by `client_id`.
fn echoes(client_id: &str, secret: &str) -> Vec<String> {
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let form_id: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    let percent = utf8_percent_encode(secret, NOT_UNRESERVED).to_string();
    vec![
        secret.to_owned(),
        form.clone(),
        lower_case_escapes(&form),
        percent.clone(),
        lower_case_escapes(&percent),
        STANDARD.encode(format!("{client_id}:{secret}")),
        STANDARD.encode(format!("{form_id}:{form}")),
        secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;"),
        secret
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('/', "\\/"),
    ]
}

/// `text` with the hex digits of every percent escape in lower case (`%2B` -> `%2b`), as
/// .NET's `HttpUtility.UrlEncode` writes them.
fn lower_case_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_percent = 0;
    for c in text.chars() {
        out.push(if after_percent > 0 {
            c.to_ascii_lowercase()
        } else {
            c
        });
        after_percent = if c == '%' {
            2
        } else {
            after_percent - usize::from(after_percent > 0)
        };
    }
    out
}

#[test]
fn a_client_secret_echoed_by_the_server_is_clean() {
    for secret in [SECRET, PUNCTUATED_SECRET] {
        for auth in auth_methods() {
            let config = ClientConfig::builder()
                .tenant_id(TENANT)
                .client_secret(secret)
                .auth_method(auth)
                .build()
                .expect("valid config");
            for echo in echoes(TENANT, secret) {
                let text = format!("login failed: {echo} is wrong");
                let quoted = serde_json::to_string(&text).expect("json string");
                let echoed = serde_json::to_string(&echo).expect("json string");
                let cases: Vec<ErrorCase> = vec![
                    (
                        401,
                        vec![],
                        format!(r#"{{"status":401,"error":"Unauthorized","message":{quoted}}}"#),
                    ),
                    (
                        401,
                        vec![],
                        format!(r#"{{"status":401,"error":{quoted},"message":"x"}}"#),
                    ),
                    (
                        400,
                        vec![],
                        format!(
                            r#"{{"status":400,"error":"Bad Request","message":{{{echoed}:{quoted},"f":{echoed}}}}}"#
                        ),
                    ),
                    (
                        401,
                        vec![],
                        format!(
                            r#"{{"error":"invalid_client","error_description":{quoted},"error_uri":{quoted}}}"#
                        ),
                    ),
                    (400, vec![], format!(r#"{{"error":{echoed}}}"#)),
                    (502, vec![("content-type", "text/plain".to_owned())], text.clone()),
                    (
                        502,
                        vec![("content-type", format!("text/plain; x={echo}"))],
                        "bad gateway".to_owned(),
                    ),
                    (
                        200,
                        vec![],
                        format!(r#"{{"access_token":"abc","token_type":{quoted}}}"#),
                    ),
                    (
                        200,
                        vec![],
                        format!(r#"{{"error":"invalid_client","error_description":{quoted}}}"#),
                    ),
                ];
                for (status, headers, body) in cases {
                    let mut builder = http::Response::builder().status(status);
                    for (name, value) in &headers {
                        if let Ok(value) = http::HeaderValue::from_str(value) {
                            builder = builder.header(*name, value);
                        }
                    }
                    let response = builder.body(body.clone().into_bytes()).expect("valid response");
                    let error = config.parse_response(&response, Instant::now()).expect_err(&body);
                    let what = format!("{auth:?} {status} {body}");
                    assert_error_clean(&what, &error);
                    for output in [format!("{error}"), format!("{error:?}"), format!("{error:#?}")] {
                        for spelling in echoes(TENANT, secret) {
                            assert!(!output.contains(&spelling), "{what} shows the secret:\n{output}");
                        }
                    }
                }
            }
        }
    }
}
