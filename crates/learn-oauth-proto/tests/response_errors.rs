//! Parsing error answers: the vendor envelope, RFC 6749 §5.2 errors, unstructured bodies
//! and `Retry-After`. Every error the Learn platform documents, and the ones proxies add.
#![allow(clippy::disallowed_methods)] // tests need an `Instant`; the core never reads one

use std::time::{Duration, SystemTime};

use http::StatusCode;
use learn_oauth_proto::{
    BodyKind, ClientConfig, ClientConfigBuilder, Error, ErrorDetail, OAuthError, OAuthErrorCode, ServerError,
    UnstructuredBody, VendorError, VendorMessage,
};

/// A token value that must never show up in an error.
const CANARY: &str = "CANARYtokenVALUE0123456789abcdefXYZ";

fn response(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).expect("valid response")
}

/// The fixture configuration: a tenant and a secret, no scopes.
fn builder() -> ClientConfigBuilder {
    ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fixture-client-secret")
}

fn config() -> ClientConfig {
    builder().build().expect("a valid configuration")
}

fn server_error_with(config: &ClientConfig, response: http::Response<Vec<u8>>) -> ServerError {
    match config.parse_response(&response, std::time::Instant::now()) {
        Err(Error::Server(e)) => {
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("CANARY"), "the token leaked: {shown}");
            *e
        }
        other => panic!("expected a server error, got {other:?}"),
    }
}

fn server_error(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> ServerError {
    server_error_with(&config(), response(status, headers, body))
}

/// The error for a JSON body.
fn json_error(status: u16, body: &str) -> ServerError {
    server_error(status, &[("content-type", "application/json")], body)
}

fn vendor(error: &ServerError) -> &VendorError {
    match error.detail() {
        ErrorDetail::Vendor(v) => v,
        other => panic!("expected the vendor envelope, got {other:?}"),
    }
}

fn oauth(error: &ServerError) -> &OAuthError {
    match error.detail() {
        ErrorDetail::OAuth(o) => o,
        other => panic!("expected an RFC 6749 error, got {other:?}"),
    }
}

fn unstructured(error: &ServerError) -> &UnstructuredBody {
    match error.detail() {
        ErrorDetail::Unstructured(u) => u,
        other => panic!("expected an unstructured body, got {other:?}"),
    }
}

fn text(s: &str) -> Option<VendorMessage> {
    Some(VendorMessage::Text(s.to_owned()))
}

// ---------------------------------------------------------------------------------------
// The documented envelope, status by status

#[test]
fn bad_request_with_a_string_message() {
    let e = json_error(
        400,
        r#"{"status":400,"error":"Bad Request","message":"grant_type must be client_credentials"}"#,
    );
    assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    let v = vendor(&e);
    assert_eq!(v.status, Some(400));
    assert_eq!(v.error.as_deref(), Some("Bad Request"));
    assert_eq!(v.message, text("grant_type must be client_credentials"));
    assert_eq!(e.message(), Some("grant_type must be client_credentials"));
    assert!(!e.is_retryable());
    assert!(!e.is_unauthorized());
}

#[test]
fn bad_request_with_an_object_message_keeps_its_fields_in_order_as_compact_json() {
    let e = json_error(
        400,
        r#"{"status":400.0,"error":"Bad Request","message":{"scope":"api/nope is unknown","code":42,"details":{"a": [1, 2]},"ok":null}}"#,
    );
    let v = vendor(&e);
    assert_eq!(v.status, Some(400));
    let fields = [
        ("scope", "\"api/nope is unknown\""),
        ("code", "42"),
        ("details", "{\"a\":[1,2]}"),
        ("ok", "null"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(v.message, Some(VendorMessage::Object(fields.to_vec())));
    assert_eq!(e.message(), None, "only a text message is a message");
    assert_eq!(
        e.to_string(),
        "token endpoint answered 400 Bad Request: (structured message)"
    );
}

#[test]
fn an_object_message_is_cut_short() {
    let many: Vec<String> = (0..100)
        .map(|i| format!(r#""f{i:03}":"{}""#, "v ".repeat(200)))
        .collect();
    let body = format!(
        r#"{{"status":400,"error":"Bad Request","message":{{{}}}}}"#,
        many.join(",")
    );
    let e = json_error(400, &body);
    let Some(VendorMessage::Object(fields)) = &vendor(&e).message else {
        panic!("expected an object message");
    };
    assert!(fields.len() <= 32, "{}", fields.len());
    assert_eq!(fields[0].0, "f000");
    assert!(fields.iter().all(|(_, v)| v.chars().count() <= 121));
}

#[test]
fn an_object_message_does_not_keep_credential_fields() {
    let e = json_error(
        400,
        r#"{"status":400,"error":"Bad Request","message":{"client_secret":"hunter2","Access_Token":"abc","field":"grant_type"}}"#,
    );
    let Some(VendorMessage::Object(fields)) = &vendor(&e).message else {
        panic!("expected an object message");
    };
    assert_eq!(fields[0], ("client_secret".to_owned(), "[redacted]".to_owned()));
    assert_eq!(fields[1], ("Access_Token".to_owned(), "[redacted]".to_owned()));
    assert_eq!(fields[2], ("field".to_owned(), "\"grant_type\"".to_owned()));
    assert!(!format!("{e:?}").contains("hunter2"));
}

#[test]
fn unauthorized_is_the_credentials_being_refused() {
    let e = json_error(
        401,
        r#"{"status":401,"error":"Unauthorized","message":"Bad credentials"}"#,
    );
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(vendor(&e).status, Some(401));
    assert_eq!(e.message(), Some("Bad credentials"));
    assert!(e.is_unauthorized());
    assert!(!e.is_retryable());
    assert_eq!(
        e.to_string(),
        "token endpoint answered 401 Unauthorized: Bad credentials"
    );
}

#[test]
fn forbidden_is_not_retryable() {
    let e = json_error(
        403,
        r#"{"status":403,"error":"Forbidden","message":"scope not allowed"}"#,
    );
    assert_eq!(vendor(&e).error.as_deref(), Some("Forbidden"));
    assert!(!e.is_retryable());
    assert!(!e.is_unauthorized());
}

#[test]
fn not_found_is_a_wrong_tenant_or_url() {
    let e = json_error(
        404,
        r#"{"status":404,"error":"Not Found","message":"tenant not found"}"#,
    );
    assert_eq!(e.status(), StatusCode::NOT_FOUND);
    assert_eq!(e.message(), Some("tenant not found"));
    assert!(!e.is_retryable());
}

#[test]
fn conflict_is_reported_as_sent() {
    let e = json_error(409, r#"{"status":409,"error":"Conflict","message":"try later"}"#);
    assert_eq!(vendor(&e).status, Some(409));
    assert!(!e.is_retryable());
}

#[test]
fn unprocessable_entity_is_reported_as_sent() {
    let e = json_error(
        422,
        r#"{"status":422,"error":"Unprocessable Entity","message":"scope is invalid"}"#,
    );
    assert_eq!(vendor(&e).status, Some(422));
    assert_eq!(e.message(), Some("scope is invalid"));
}

#[test]
fn too_many_requests_is_retryable_after_the_delay_given() {
    let e = server_error(
        429,
        &[("content-type", "application/json"), ("retry-after", "120")],
        r#"{"status":429,"error":"Too Many Requests","message":"slow down"}"#,
    );
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(e.retry_after_date(), None);
}

#[test]
fn the_default_500_envelope_with_an_integer_status() {
    let e = json_error(
        500,
        r#"{"status":500,"error":"Internal Server Error","message":"something broke"}"#,
    );
    assert_eq!(vendor(&e).status, Some(500));
    assert!(e.is_retryable());
}

#[test]
fn the_default_500_envelope_with_a_float_status() {
    let e = json_error(
        500,
        r#"{"status":500.0,"error":"Internal Server Error","message":"something broke"}"#,
    );
    assert_eq!(vendor(&e).status, Some(500));
    assert_eq!(e.message(), Some("something broke"));
}

#[test]
fn a_bad_gateway_html_page_keeps_a_short_excerpt_and_the_content_type() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".repeat(10);
    let e = server_error(502, &[("content-type", "text/html")], html);
    let u = unstructured(&e);
    assert_eq!(u.kind, BodyKind::NotJson);
    assert_eq!(u.content_type.as_deref(), Some("text/html"));
    let excerpt = u.excerpt.as_deref().expect("an excerpt");
    assert!(
        excerpt.starts_with("<html> <head><title>502 Bad Gateway</title>"),
        "{excerpt}"
    );
    assert!(excerpt.chars().count() <= 121, "{excerpt}");
    assert!(e.is_retryable());
    assert_eq!(
        e.to_string(),
        "token endpoint answered 502 Bad Gateway with a non-json body"
    );
}

#[test]
fn service_unavailable_with_a_retry_after_date_counts_from_the_date_header() {
    let e = server_error(
        503,
        &[
            ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("retry-after", "Wed, 21 Oct 2015 07:30:30 GMT"),
        ],
        r#"{"status":503,"error":"Service Unavailable","message":"maintenance"}"#,
    );
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(150)));
    let expected = httpdate::parse_http_date("Wed, 21 Oct 2015 07:30:30 GMT").expect("a date");
    assert_eq!(e.retry_after_date(), Some(expected));
}

// ---------------------------------------------------------------------------------------
// Recognising the envelope

#[test]
fn the_envelope_is_recognised_from_status_and_error() {
    let e = json_error(400, r#"{"status":400,"error":"Bad Request"}"#);
    let v = vendor(&e);
    assert_eq!(v.status, Some(400));
    assert_eq!(v.error.as_deref(), Some("Bad Request"));
    assert_eq!(v.message, None);
}

#[test]
fn the_envelope_is_recognised_from_status_and_message() {
    let e = json_error(400, r#"{"status":400,"message":"bad scope"}"#);
    assert_eq!(vendor(&e).message, text("bad scope"));
    assert_eq!(vendor(&e).error, None);
}

#[test]
fn the_envelope_is_recognised_from_error_and_message() {
    let e = json_error(400, r#"{"error":"Bad Request","message":{"k":"v"}}"#);
    assert_eq!(vendor(&e).status, None);
    assert!(matches!(vendor(&e).message, Some(VendorMessage::Object(_))));
}

#[test]
fn a_status_that_is_not_a_whole_u16_is_dropped_but_still_counts() {
    for status in ["400.5", "-1", "70000", "1e300"] {
        let e = json_error(400, &format!(r#"{{"status":{status},"error":"Bad Request"}}"#));
        assert_eq!(vendor(&e).status, None, "{status}");
    }
}

#[test]
fn a_message_of_another_type_counts_as_absent() {
    let e = json_error(400, r#"{"status":400,"error":"Bad Request","message":[1,2]}"#);
    assert_eq!(vendor(&e).message, None);
    let e = json_error(400, r#"{"error":"invalid_request","message":42}"#);
    assert_eq!(oauth(&e).code, OAuthErrorCode::InvalidRequest);
}

#[test]
fn a_status_given_as_a_string_does_not_count() {
    let e = json_error(400, r#"{"status":"400","error":"invalid_request"}"#);
    assert_eq!(oauth(&e).code, OAuthErrorCode::InvalidRequest);
}

#[test]
fn one_envelope_field_alone_is_not_an_envelope() {
    for body in [
        r#"{"status":400}"#,
        r#"{"message":"nope"}"#,
        r#"{"message":{"a":1}}"#,
    ] {
        let e = json_error(400, body);
        assert_eq!(unstructured(&e).kind, BodyKind::UnknownJson, "{body}");
        assert_eq!(unstructured(&e).excerpt, None, "{body}");
    }
}

#[test]
fn envelope_strings_are_sanitized_and_cut_short() {
    let body = serde_json::json!({
        "status": 400,
        "error": format!("Bad\r\nRequest {}", "e ".repeat(100)),
        "message": format!("see {CANARY} and\u{1b}[31m {}", "m ".repeat(300)),
    })
    .to_string();
    let e = json_error(400, &body);
    let v = vendor(&e);
    let error = v.error.as_deref().expect("error");
    assert!(error.starts_with("Bad  Request"), "{error}");
    assert!(error.chars().count() <= 65, "{error}");
    let message = e.message().expect("message");
    assert!(message.starts_with("see [redacted] and [31m"), "{message}");
    assert!(message.chars().count() <= 201, "{message}");
}

// ---------------------------------------------------------------------------------------
// RFC 6749 §5.2

#[test]
fn an_rfc6749_error_gives_its_code_description_and_uri() {
    let e = json_error(
        400,
        r#"{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://e.x/e"}"#,
    );
    let o = oauth(&e);
    assert_eq!(o.code, OAuthErrorCode::InvalidClient);
    assert_eq!(o.description.as_deref(), Some("Client authentication failed"));
    assert_eq!(o.uri.as_deref(), Some("https://e.x/e"));
    assert!(e.is_unauthorized(), "invalid_client is refused credentials");
    assert_eq!(e.message(), Some("Client authentication failed"));
    assert_eq!(
        e.to_string(),
        "token endpoint answered 400 Bad Request: invalid_client: Client authentication failed"
    );
}

#[test]
fn every_rfc6749_code_is_recognised() {
    use OAuthErrorCode::*;
    for (wire, code) in [
        ("invalid_request", InvalidRequest),
        ("invalid_client", InvalidClient),
        ("invalid_grant", InvalidGrant),
        ("unauthorized_client", UnauthorizedClient),
        ("unsupported_grant_type", UnsupportedGrantType),
        ("invalid_scope", InvalidScope),
        ("server_error", ServerError),
        ("temporarily_unavailable", TemporarilyUnavailable),
    ] {
        let e = json_error(400, &format!(r#"{{"error":"{wire}"}}"#));
        assert_eq!(oauth(&e).code, code);
    }
}

#[test]
fn a_temporarily_unavailable_code_is_retryable_even_on_a_400() {
    let e = json_error(400, r#"{"error":"temporarily_unavailable"}"#);
    assert!(e.is_retryable());
}

#[test]
fn an_unknown_code_is_kept_sanitized_and_short() {
    let e = json_error(400, &format!(r#"{{"error":"slow_down\n{}"}}"#, "x ".repeat(100)));
    let OAuthErrorCode::Other(code) = &oauth(&e).code else {
        panic!("expected another code");
    };
    assert!(code.starts_with("slow_down x"), "{code}");
    assert!(code.chars().count() <= 65, "{code}");
}

#[test]
fn rfc6749_fields_of_the_wrong_type_are_dropped() {
    let e = json_error(
        400,
        r#"{"error":"invalid_scope","error_description":5,"error_uri":["x"]}"#,
    );
    assert_eq!(oauth(&e).description, None);
    assert_eq!(oauth(&e).uri, None);
}

#[test]
fn an_error_that_is_not_a_string_is_not_an_rfc6749_error() {
    let e = json_error(400, r#"{"error":{"code":"invalid_client"}}"#);
    assert_eq!(unstructured(&e).kind, BodyKind::UnknownJson);
}

#[test]
fn the_response_access_token_is_redacted_from_error_text() {
    let e = json_error(
        400,
        r#"{"error":"invalid_grant","error_description":"token CANARY expired","access_token":"CANARY"}"#,
    );
    assert_eq!(e.message(), Some("token [redacted] expired"));
}

// ---------------------------------------------------------------------------------------
// Unstructured bodies

#[test]
fn an_empty_500_is_an_empty_body() {
    let e = server_error(500, &[], "");
    let u = unstructured(&e);
    assert_eq!(u.kind, BodyKind::Empty);
    assert_eq!(u.content_type, None);
    assert_eq!(u.excerpt, None);
    assert_eq!(
        e.to_string(),
        "token endpoint answered 500 Internal Server Error with an empty body"
    );
}

#[test]
fn plain_text_keeps_an_excerpt() {
    let e = server_error(500, &[("content-type", "text/plain")], "upstream connect error\n");
    assert_eq!(
        unstructured(&e).excerpt.as_deref(),
        Some("upstream connect error")
    );
}

#[test]
fn text_mentioning_a_token_or_secret_keeps_no_excerpt() {
    for body in [
        "bad ACCESS_TOKEN here",
        "your Token is wrong",
        "client secret mismatch",
        "Authorization: Basic abc",
    ] {
        let e = server_error(400, &[("content-type", "text/plain")], body);
        assert_eq!(unstructured(&e).kind, BodyKind::NotJson, "{body}");
        assert_eq!(unstructured(&e).excerpt, None, "{body}");
    }
}

#[test]
fn a_body_that_is_not_utf8_keeps_no_excerpt() {
    let e = server_error(500, &[], b"oops \xff\xfe".to_vec());
    assert_eq!(unstructured(&e).kind, BodyKind::NotJson);
    assert_eq!(unstructured(&e).excerpt, None);
}

#[test]
fn malformed_json_keeps_no_excerpt() {
    let e = json_error(500, r#"{"status":500,"error":"Internal"#);
    assert_eq!(unstructured(&e).kind, BodyKind::Truncated);
    assert_eq!(unstructured(&e).excerpt, None);
    let e = json_error(500, r#"{"status":500,"error":"Internal"} x"#);
    assert_eq!(unstructured(&e).kind, BodyKind::InvalidJson);
    assert_eq!(unstructured(&e).excerpt, None);
}

#[test]
fn json_in_no_known_shape_keeps_no_excerpt() {
    for body in [
        "[]",
        "\"Internal Server Error\"",
        "42",
        "null",
        r#"{"detail":"nope"}"#,
    ] {
        let e = json_error(500, body);
        assert_eq!(unstructured(&e).kind, BodyKind::UnknownJson, "{body}");
        assert_eq!(unstructured(&e).excerpt, None, "{body}");
    }
}

#[test]
fn deeply_nested_json_in_an_error_body_is_malformed_not_a_crash() {
    let config = builder()
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("a valid configuration");
    let e = server_error_with(&config, response(500, &[], "[".repeat(100_000)));
    // Never closed, so cut off.
    assert_eq!(unstructured(&e).kind, BodyKind::Truncated);
    let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = server_error_with(&config, response(500, &[], closed));
    assert!(matches!(
        unstructured(&e).kind,
        BodyKind::InvalidJson | BodyKind::UnknownJson
    ));
}

#[test]
fn a_content_type_that_is_long_or_not_ascii_is_not_reported() {
    let long = format!("text/plain; x={}", "a".repeat(100));
    let e = server_error(500, &[("content-type", long.as_str())], "oops");
    assert_eq!(unstructured(&e).content_type, None);

    let mut r = response(500, &[], "oops");
    r.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_bytes(b"text/\xe9").expect("obs-text is allowed"),
    );
    let e = server_error_with(&config(), r);
    assert_eq!(unstructured(&e).content_type, None);
}

#[test]
fn an_oversized_error_body_is_refused_unread_but_status_and_retry_after_are_kept() {
    let mut body = br#"{"status":503,"error":"x","message":"y"}"#.to_vec();
    body.resize(10 * 1024 * 1024, b' ');
    let e = server_error(
        503,
        &[("content-type", "application/json"), ("retry-after", "30")],
        body,
    );
    assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
    let u = unstructured(&e);
    assert_eq!(u.kind, BodyKind::TooLarge);
    assert_eq!(u.excerpt, None);
    assert_eq!(u.content_type.as_deref(), Some("application/json"));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
}

#[test]
fn every_prefix_of_an_error_body_is_a_server_error() {
    let body = r#"{"status":401,"error":"Unauthorized","message":"Bad credentials"}"#;
    for end in 0..=body.len() {
        let e = json_error(401, &body[..end]);
        assert_eq!(e.status(), StatusCode::UNAUTHORIZED, "{end}");
    }
}

#[test]
fn a_redirect_is_an_error_too() {
    let e = server_error(302, &[("location", "https://elsewhere.example/")], "");
    assert_eq!(e.status(), StatusCode::FOUND);
    assert!(!e.is_retryable());
}

// ---------------------------------------------------------------------------------------
// Retry-After

fn retry(headers: &[(&str, &str)]) -> ServerError {
    server_error(503, headers, "")
}

#[test]
fn retry_after_in_seconds() {
    assert_eq!(retry(&[("retry-after", "0")]).retry_after(), Some(Duration::ZERO));
    assert_eq!(
        retry(&[("retry-after", " 7 ")]).retry_after(),
        Some(Duration::from_secs(7))
    );
}

#[test]
fn an_absurd_retry_after_is_capped_at_one_day() {
    let day = Some(Duration::from_secs(24 * 3600));
    assert_eq!(retry(&[("retry-after", "31536000")]).retry_after(), day);
    assert_eq!(
        retry(&[("retry-after", &u64::MAX.to_string())]).retry_after(),
        day
    );
    assert_eq!(
        retry(&[("retry-after", "99999999999999999999999999")]).retry_after(),
        day
    );
}

#[test]
fn a_retry_after_date_far_ahead_is_capped_at_one_day() {
    let e = retry(&[
        ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("retry-after", "Fri, 21 Oct 2016 07:28:00 GMT"),
    ]);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(24 * 3600)));
}

#[test]
fn a_retry_after_date_without_a_date_header_is_reported_but_gives_no_delay() {
    let e = retry(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
    assert_eq!(e.retry_after(), None);
    assert_eq!(
        e.retry_after_date(),
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480))
    );
}

#[test]
fn a_retry_after_date_in_the_past_means_no_wait() {
    let e = retry(&[
        ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("retry-after", "Wed, 21 Oct 2015 07:00:00 GMT"),
    ]);
    assert_eq!(e.retry_after(), Some(Duration::ZERO));
}

#[test]
fn a_retry_after_date_with_an_unparseable_date_header_gives_no_delay() {
    let e = retry(&[
        ("date", "yesterday"),
        ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ]);
    assert_eq!(e.retry_after(), None);
    assert!(e.retry_after_date().is_some());
}

#[test]
fn the_obsolete_http_date_forms_are_accepted() {
    for date in ["Wednesday, 21-Oct-15 07:30:00 GMT", "Wed Oct 21 07:30:00 2015"] {
        let e = retry(&[("date", "Wed, 21 Oct 2015 07:28:00 GMT"), ("retry-after", date)]);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(120)), "{date}");
    }
}

#[test]
fn an_unparseable_retry_after_is_ignored() {
    for value in ["soon", "-5", "1.5", "", "120s", "Wed, 32 Oct 2015 07:28:00 GMT"] {
        let e = retry(&[("retry-after", value)]);
        assert_eq!(e.retry_after(), None, "{value:?}");
        assert_eq!(e.retry_after_date(), None, "{value:?}");
    }
}

#[test]
fn no_retry_after_means_none() {
    let e = retry(&[]);
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.retry_after_date(), None);
}

#[test]
fn the_top_level_error_reports_status_and_retry_after() {
    let r = response(429, &[("retry-after", "5")], "");
    let err = config()
        .parse_response(&r, std::time::Instant::now())
        .expect_err("an error");
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert!(err.is_retryable());
}

#[test]
fn a_vendor_error_that_differs_from_the_reason_phrase_is_kept_in_the_message() {
    let e = json_error(
        500,
        r#"{"status":500,"error":"Upstream Failure","message":"try later"}"#,
    );
    assert_eq!(
        e.to_string(),
        "token endpoint answered 500 Internal Server Error: Upstream Failure: try later"
    );
}

#[test]
fn every_structured_error_exposes_its_code() {
    let e = json_error(
        401,
        r#"{"status":401,"error":"Unauthorized","message":"bad credentials"}"#,
    );
    assert_eq!(e.error_code(), Some("Unauthorized"));
    let e = json_error(400, r#"{"error":"invalid_scope","error_description":"no"}"#);
    assert_eq!(e.error_code(), Some("invalid_scope"));
    let e = json_error(400, r#"{"error":"slow_down"}"#);
    assert_eq!(e.error_code(), Some("slow_down"));
    assert_eq!(
        server_error(502, &[], "<html>bad gateway</html>").error_code(),
        None
    );
}

#[test]
fn a_request_refused_because_of_the_logger_is_not_retried_and_says_how_to_filter() {
    let error = learn_oauth_proto::TransportError::new(learn_oauth_proto::TransportErrorKind::UnsafeLogging);
    assert!(!error.is_retryable());
    assert!(!Error::from(error.clone()).is_retryable());
    assert!(error.to_string().contains("ureq_proto=off"), "{error}");
}
