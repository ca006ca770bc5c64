//! The token endpoint's normal behaviour: client authentication, grant type, content
//! type, scopes, lifetimes and request observation.

mod common;

use std::time::Duration;

use common::*;
use learn_oauth_mock::{AuthMethod, BasicEncoding, HostKind, MockServer, Tenant};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

fn server_with(secret: &str, encoding: BasicEncoding) -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, secret))
        .basic_encoding(encoding)
        .start()
        .unwrap()
}

#[test]
fn basic_raw_credentials_get_a_bearer_token_with_all_default_scopes() {
    let server = server();
    let reply = get_token(&server);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "api/all api/read api/write");
    assert_eq!(server.requests()[0].auth, AuthMethod::BasicRaw);
}

#[test]
fn basic_form_encoded_credentials_get_a_token() {
    let secret = "p@ss:w rd+/ü";
    let server = server_with(secret, BasicEncoding::Either);
    let reply = post_form(
        &server.token_url(TENANT),
        Some(&basic_form(TENANT, secret)),
        &[GRANT],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let raw = post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, secret)),
        &[GRANT],
    );
    assert_eq!(raw.status, 200, "{}", raw.body);
    let auths: Vec<AuthMethod> = server.requests().iter().map(|r| r.auth).collect();
    assert_eq!(auths, [AuthMethod::BasicFormUrlEncoded, AuthMethod::BasicRaw]);
}

#[test]
fn enforcing_raw_basic_rejects_form_encoded_credentials() {
    let secret = "p@ss word";
    let server = server_with(secret, BasicEncoding::Raw);
    let url = server.token_url(TENANT);
    assert_eq!(
        post_form(&url, Some(&basic_form(TENANT, secret)), &[GRANT]).status,
        401
    );
    assert_eq!(
        post_form(&url, Some(&basic_raw(TENANT, secret)), &[GRANT]).status,
        200
    );
}

#[test]
fn enforcing_form_encoded_basic_rejects_raw_credentials() {
    let secret = "p@ss word";
    let server = server_with(secret, BasicEncoding::FormUrlEncoded);
    let url = server.token_url(TENANT);
    assert_eq!(
        post_form(&url, Some(&basic_raw(TENANT, secret)), &[GRANT]).status,
        401
    );
    assert_eq!(
        post_form(&url, Some(&basic_form(TENANT, secret)), &[GRANT]).status,
        200
    );
}

#[test]
fn form_body_credentials_get_a_token() {
    let server = server();
    let reply = post_form(
        &server.token_url(TENANT),
        None,
        &[GRANT, ("client_id", TENANT), ("client_secret", SECRET)],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(server.requests()[0].auth, AuthMethod::FormBody);
}

#[test]
fn a_separate_client_id_replaces_the_tenant_id_as_user_name() {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET).client_id("app-123"))
        .start()
        .unwrap();
    let url = server.token_url(TENANT);
    assert_eq!(
        post_form(&url, Some(&basic_raw("app-123", SECRET)), &[GRANT]).status,
        200
    );
    assert_eq!(
        post_form(&url, Some(&basic_raw(TENANT, SECRET)), &[GRANT]).status,
        401
    );
}

#[test]
fn wrong_secret_is_401_with_the_vendor_envelope() {
    let server = server();
    let reply = post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, "nope")),
        &[GRANT],
    );
    assert_eq!(reply.status, 401);
    let body = reply.json();
    assert_eq!(body["status"], 401);
    assert_eq!(body["error"], "Unauthorized");
    assert!(body["message"].is_string());
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Basic"))
    );
    assert!(!reply.body.contains(SECRET));
}

#[test]
fn missing_credentials_is_401() {
    let server = server();
    let reply = post_form(&server.token_url(TENANT), None, &[GRANT]);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["error"], "Unauthorized");
    assert_eq!(server.requests()[0].auth, AuthMethod::None);
}

#[test]
fn unknown_tenant_is_401() {
    let server = server();
    let reply = post_form(
        &server.token_url("other"),
        Some(&basic_raw("other", SECRET)),
        &[GRANT],
    );
    assert_eq!(reply.status, 401);
}

#[test]
fn wrong_or_missing_grant_type_is_400_with_the_vendor_envelope() {
    let server = server();
    let url = server.token_url(TENANT);
    let auth = basic_raw(TENANT, SECRET);
    for fields in [&[("grant_type", "password")][..], &[("scope", "api/read")]] {
        let reply = post_form(&url, Some(&auth), fields);
        assert_eq!(reply.status, 400, "{}", reply.body);
        let body = reply.json();
        assert_eq!(
            (body["status"].as_u64(), body["error"].as_str()),
            (Some(400), Some("Bad Request"))
        );
    }
}

#[test]
fn a_body_that_is_not_a_form_is_400() {
    let server = server();
    let auth = basic_raw(TENANT, SECRET);
    let json = r#"{"grant_type":"client_credentials"}"#;
    let reply = post_raw_body(&server.token_url(TENANT), &auth, "application/json", json);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "Bad Request");
    let charset = "application/x-www-form-urlencoded; charset=UTF-8";
    let ok = post_raw_body(
        &server.token_url(TENANT),
        &auth,
        charset,
        "grant_type=client_credentials",
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[test]
fn a_scope_the_host_kind_does_not_offer_is_400() {
    let public = server();
    let reply = post_form(
        &public.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[GRANT, ("scope", "api/read api/webhooks")],
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["message"]["scope"], "api/webhooks");

    let webhooks = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .host_kind(HostKind::Webhooks)
        .start()
        .unwrap();
    let reply = post_form(
        &webhooks.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[GRANT, ("scope", "api/read")],
    );
    assert_eq!(reply.status, 400);
}

#[test]
fn without_a_scope_every_scope_of_the_host_kind_is_granted() {
    let webhooks = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .host_kind(HostKind::Webhooks)
        .start()
        .unwrap();
    assert_eq!(get_token(&webhooks).json()["scope"], "api/all api/webhooks");
    assert_eq!(get_token(&server()).json()["scope"], "api/all api/read api/write");
}

#[test]
fn the_scopes_asked_for_are_granted() {
    let server = server();
    let reply = post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[GRANT, ("scope", "api/read api/write api/read")],
    );
    assert_eq!(reply.json()["scope"], "api/read api/write");
}

#[test]
fn the_token_lifetime_is_configurable() {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .token_lifetime(Duration::from_secs(120))
        .start()
        .unwrap();
    assert_eq!(get_token(&server).json()["expires_in"], 120);
}

#[test]
fn every_token_is_different() {
    let server = server();
    let tokens: std::collections::HashSet<String> = (0..20).map(|_| token(&server)).collect();
    assert_eq!(tokens.len(), 20);
}

#[test]
fn two_authentication_methods_at_once_are_400() {
    let server = server();
    let reply = post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[GRANT, ("client_id", TENANT), ("client_secret", SECRET)],
    );
    assert_eq!(reply.status, 400);
}

#[test]
fn a_repeated_parameter_is_400() {
    let server = server();
    let reply = post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[GRANT, GRANT],
    );
    assert_eq!(reply.status, 400);
}

#[test]
fn only_post_is_a_token_request() {
    let server = server();
    let response = agent().get(server.token_url(TENANT)).call().unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(server.token_request_count(), 0);
}

#[test]
fn each_token_request_is_recorded_without_its_secret() {
    let server = server();
    get_token(&server);
    post_form(
        &server.token_url("other tenant"),
        None,
        &[
            GRANT,
            ("client_id", "x"),
            ("client_secret", SECRET),
            ("scope", "api/read"),
        ],
    );
    post_form(
        &server.token_url(TENANT),
        Some(&basic_form(TENANT, "wrong%")),
        &[GRANT],
    );
    assert_eq!(server.token_request_count(), 3);
    let r = server.requests();
    assert_eq!(r[0].tenant, TENANT);
    assert_eq!(
        (r[0].auth, r[0].status, r[0].succeeded()),
        (AuthMethod::BasicRaw, Some(200), true)
    );
    assert!(r[0].scopes.is_empty());
    assert_eq!(r[1].tenant, "other tenant");
    assert_eq!(
        (r[1].auth, r[1].status, r[1].succeeded()),
        (AuthMethod::FormBody, Some(401), false)
    );
    assert_eq!(r[1].scopes, ["api/read"]);
    assert_eq!(r[1].client_id.as_deref(), Some("x"));
    assert_eq!(r[2].auth, AuthMethod::BasicFormUrlEncoded);
    assert_eq!(r[2].grant_type.as_deref(), Some("client_credentials"));
    assert!(!r.iter().any(|r| r.faulted));
    assert!(!format!("{r:?} {server:?}").contains(SECRET));
    server.clear_requests();
    assert_eq!(server.token_request_count(), 0);
}
