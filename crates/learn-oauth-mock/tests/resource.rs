//! The protected resource `GET /api/v1/ping`: live tokens from this mock only.

mod common;

use std::time::Duration;

use common::*;
use learn_oauth_mock::{MockServer, Tenant};

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn a_live_token_is_accepted() {
    let server = server();
    let reply = ping(&server, Some(&bearer(&token(&server))));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({ "ok": true, "tenant": TENANT }));
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let server = server();
    assert_eq!(
        ping(&server, Some(&format!("bearer {}", token(&server)))).status,
        200
    );
}

#[test]
fn revoking_all_tokens_makes_them_401() {
    let server = server();
    let token = token(&server);
    server.revoke_all_tokens();
    let reply = ping(&server, Some(&bearer(&token)));
    assert_eq!(reply.status, 401);
    let body = reply.json();
    assert_eq!(
        (body["status"].as_u64(), body["error"].as_str()),
        (Some(401), Some("Unauthorized"))
    );
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|v| v.contains("invalid_token"))
    );
}

#[test]
fn revoking_one_token_leaves_the_others_valid() {
    let server = server();
    let (a, b) = (token(&server), token(&server));
    assert!(server.revoke_token(&a));
    assert!(!server.revoke_token(&a));
    assert_eq!(ping(&server, Some(&bearer(&a))).status, 401);
    assert_eq!(ping(&server, Some(&bearer(&b))).status, 200);
}

#[test]
fn a_garbage_token_or_no_token_is_401() {
    let server = server();
    token(&server);
    assert_eq!(ping(&server, Some("Bearer eyJnot.a.token")).status, 401);
    assert_eq!(ping(&server, Some(&basic_raw(TENANT, SECRET))).status, 401);
    assert_eq!(ping(&server, None).status, 401);
}

#[test]
fn a_token_expires_after_its_lifetime_on_the_mock_clock() {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .token_lifetime(Duration::from_secs(60))
        .start()
        .unwrap();
    let token = token(&server);
    server.advance_clock(Duration::from_secs(59));
    assert_eq!(ping(&server, Some(&bearer(&token))).status, 200);
    server.advance_clock(Duration::from_secs(1));
    assert_eq!(ping(&server, Some(&bearer(&token))).status, 401);
    // A token issued after the jump lives its full lifetime from the new "now".
    let fresh = common::token(&server);
    assert_eq!(ping(&server, Some(&bearer(&fresh))).status, 200);
}

#[test]
fn a_token_from_another_mock_is_401() {
    let (a, b) = (server(), server());
    assert_eq!(ping(&b, Some(&bearer(&token(&a)))).status, 401);
}
