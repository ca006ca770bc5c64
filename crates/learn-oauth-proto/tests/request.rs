//! The token request, byte for byte, for every authentication variant.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::Method;
use learn_oauth_proto::{AuthMethod, BasicEncoding, ClientConfig, DEFAULT_USER_AGENT};

fn header<'a>(request: &'a http::Request<learn_oauth_proto::RequestBody>, name: &str) -> Option<&'a str> {
    request.headers().get(name).map(|v| v.to_str().unwrap())
}

fn basic(raw: &str) -> String {
    format!("Basic {}", STANDARD.encode(raw))
}

#[test]
fn default_request_is_basic_raw_with_grant_type_only() {
    let config = ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("s3cret")
        .build()
        .unwrap();
    let request = config.token_request();
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://public.api.learn.link/oauth2/token/eu-west-2_AbcdEfghI"
    );
    assert_eq!(request.headers().len(), 4);
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&request, "accept"), Some("application/json"));
    assert_eq!(header(&request, "user-agent"), Some(DEFAULT_USER_AGENT));
    assert!(DEFAULT_USER_AGENT.starts_with("learn-oauth/"));
    assert_eq!(
        header(&request, "authorization"),
        Some(basic("eu-west-2_AbcdEfghI:s3cret").as_str())
    );
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(request.body(), b"grant_type=client_credentials");
}

#[test]
fn scopes_are_space_delimited_and_form_encoded() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_secret("s")
        .scopes(["api/read", "api/write"])
        .build()
        .unwrap();
    assert_eq!(
        config.token_request().body(),
        b"grant_type=client_credentials&scope=api%2Fread+api%2Fwrite"
    );
}

#[test]
fn basic_raw_sends_id_and_secret_exactly_as_given() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_id("id+1")
        .client_secret("p@ss:w%rd é")
        .build()
        .unwrap();
    let request = config.token_request();
    assert_eq!(
        header(&request, "authorization"),
        Some(basic("id+1:p@ss:w%rd é").as_str())
    );
    assert_eq!(request.body(), b"grant_type=client_credentials");
}

#[test]
fn basic_form_urlencoded_encodes_id_and_secret_first() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_id("id:1")
        .client_secret("p@ss:w%rd é")
        .auth_method(AuthMethod::Basic(BasicEncoding::FormUrlEncoded))
        .build()
        .unwrap();
    let request = config.token_request();
    assert_eq!(
        header(&request, "authorization"),
        Some(basic("id%3A1:p%40ss%3Aw%25rd+%C3%A9").as_str())
    );
    assert!(request.headers()["authorization"].is_sensitive());
}

#[test]
fn basic_encodings_agree_for_unreserved_characters() {
    let make = |enc| {
        ClientConfig::builder()
            .tenant_id("eu-west-2_AbcdEfghI")
            .client_secret("Abc-123_x.y*z")
            .auth_method(AuthMethod::Basic(enc))
            .build()
            .unwrap()
            .token_request()
    };
    assert_eq!(
        make(BasicEncoding::Raw).headers()["authorization"],
        make(BasicEncoding::FormUrlEncoded).headers()["authorization"]
    );
}

#[test]
fn percent_encoded_basic_encodes_id_and_secret_rfc_3986_style_with_percent_20_for_a_space() {
    // Form encoding sends `+` for a space, which Authlib's `unquote`
    // reads as a plus.
    let request = ClientConfig::builder()
        .tenant_id("te:nant")
        .client_secret("p@ss word+/:%é~")
        .auth_method(AuthMethod::Basic(BasicEncoding::PercentEncoded))
        .build()
        .unwrap()
        .token_request();
    assert_eq!(
        header(&request, "authorization"),
        Some(basic("te%3Anant:p%40ss%20word%2B%2F%3A%25%C3%A9~").as_str())
    );
}

#[test]
fn form_body_auth_puts_credentials_in_the_body_and_sends_no_authorization() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_id("id:1")
        .client_secret("p@ss w&rd=")
        .auth_method(AuthMethod::FormBody)
        .scope("api/all")
        .build()
        .unwrap();
    let request = config.token_request();
    assert!(request.headers().get("authorization").is_none());
    assert_eq!(request.headers().len(), 3);
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        "grant_type=client_credentials&scope=api%2Fall&client_id=id%3A1&client_secret=p%40ss+w%26rd%3D"
    );
}

#[test]
fn user_agent_can_be_overridden() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_secret("s")
        .user_agent("my-service/2.0")
        .build()
        .unwrap();
    assert_eq!(
        header(&config.token_request(), "user-agent"),
        Some("my-service/2.0")
    );
}

#[test]
fn basic_encodings_differ_for_a_tilde() {
    let make = |enc| {
        ClientConfig::builder()
            .tenant_id("t")
            .client_secret("a~b")
            .auth_method(AuthMethod::Basic(enc))
            .build()
            .unwrap()
            .token_request()
    };
    assert_eq!(
        header(&make(BasicEncoding::FormUrlEncoded), "authorization"),
        Some(basic("t:a%7Eb").as_str())
    );
    assert_eq!(
        header(&make(BasicEncoding::Raw), "authorization"),
        Some(basic("t:a~b").as_str())
    );
}

#[test]
fn every_request_is_identical() {
    let config = ClientConfig::builder()
        .tenant_id("t")
        .client_secret("s")
        .build()
        .unwrap();
    let (a, b) = (config.token_request(), config.token_request());
    assert_eq!(a.uri(), b.uri());
    assert_eq!(a.headers(), b.headers());
    assert_eq!(a.body(), b.body());
}

#[test]
fn the_body_debug_shows_form_text_without_credentials_and_only_a_length_with_them() {
    let basic = ClientConfig::builder()
        .tenant_id("t")
        .client_secret("s3cret")
        .build()
        .unwrap();
    assert_eq!(
        format!("{:?}", basic.token_request().body()),
        r#"RequestBody("grant_type=client_credentials")"#
    );
    let form = ClientConfig::builder()
        .tenant_id("t")
        .client_secret("s3cret")
        .auth_method(AuthMethod::FormBody)
        .build()
        .unwrap();
    let request = form.token_request();
    assert!(request.body().has_secret());
    assert_eq!(
        format!("{:?}", request.body()),
        "RequestBody([redacted], 62 bytes)"
    );
    assert!(!format!("{request:?}").contains("s3cret"));
    assert_eq!(
        Vec::from(request.into_body()),
        b"grant_type=client_credentials&client_id=t&client_secret=s3cret"
    );
}
