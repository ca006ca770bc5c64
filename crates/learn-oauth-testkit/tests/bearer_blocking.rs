//! The bearer rule in blocking code: `learn_oauth_ureq::bearer::send_authorized` through a
//! real ureq agent (with ureq's default of 4xx/5xx as errors) against the mock's protected
//! resource, with the blocking provider and the fake token source. The async side's
//! counterparts are in tests/middleware.rs.

use std::time::Duration;

use http::header::AUTHORIZATION;
use http::{Request, StatusCode};
use learn_oauth_driver::BlockingTokenSource;
use learn_oauth_driver::testing::FakeTokenSource;
use learn_oauth_mock::MockServer;
use learn_oauth_proto::RefreshPolicy;
use learn_oauth_testkit::fixtures::{self, SECRET};
use learn_oauth_ureq::TokenProvider;
use learn_oauth_ureq::bearer::{AuthError, ReplayBody, send_authorized};
use ureq::SendBody;

/// A policy whose cool-down after an invalidation does not hold the retry for seconds.
fn policy() -> RefreshPolicy {
    let mut policy = fixtures::policy();
    policy.invalidate_cooldown = Duration::from_millis(1);
    policy
}

fn provider(server: &MockServer) -> TokenProvider {
    TokenProvider::builder(fixtures::config(server))
        .policy(policy())
        .build()
        .expect("a provider")
}

/// ureq's defaults, `http_status_as_error` on: the rule must see a 401 all the same.
fn agent() -> ureq::Agent {
    let agent = ureq::Agent::new_with_defaults();
    assert!(agent.config().http_status_as_error());
    agent
}

fn get(server: &MockServer) -> Request<()> {
    Request::get(server.resource_url()).body(()).expect("a request")
}

/// Sends `request` with the rule and says the status.
fn status<B: ReplayBody>(source: &impl BlockingTokenSource, request: Request<B>) -> StatusCode {
    send_authorized(&agent(), source, request)
        .expect("a response, whatever its status")
        .status()
}

#[test]
fn the_token_is_attached_and_cached_across_requests() {
    let server = fixtures::server();
    let provider = provider(&server);
    assert_eq!(
        status(&provider, get(&server)),
        StatusCode::OK,
        "the resource took the token"
    );
    assert_eq!(status(&provider, get(&server)), StatusCode::OK);
    assert_eq!(server.token_request_count(), 1, "one token for both requests");
    assert_eq!(server.resource_request_count(), 2);
    assert_eq!(provider.stats().invalidations, 0);
}

#[test]
fn a_requests_own_authorization_is_kept_and_no_token_is_fetched() {
    let server = fixtures::server();
    let provider = provider(&server);
    let request = Request::get(server.resource_url())
        .header(AUTHORIZATION, "Bearer not-ours")
        .body(())
        .expect("a request");
    assert_eq!(
        status(&provider, request),
        StatusCode::UNAUTHORIZED,
        "the caller's header went out as it was"
    );
    assert_eq!(server.token_request_count(), 0);
    assert_eq!(server.resource_request_count(), 1, "and was not retried");
    assert_eq!(provider.stats().invalidations, 0);
}

#[test]
fn a_401_invalidates_once_fetches_once_and_retries_once() {
    let server = fixtures::server();
    let provider = provider(&server);
    assert_eq!(status(&provider, get(&server)), StatusCode::OK);
    server.revoke_all_tokens();
    assert_eq!(
        status(&provider, get(&server)),
        StatusCode::OK,
        "retried with a new token"
    );
    assert_eq!(server.token_request_count(), 2, "one new token");
    assert_eq!(server.resource_request_count(), 3, "one retry");
    assert_eq!(provider.stats().invalidations, 1);
}

#[test]
fn a_second_401_is_returned_not_looped_on() {
    let server = fixtures::server();
    let provider = provider(&server);
    for _ in 0..2 {
        server.enqueue_resource_answer(401, Some(r#"Bearer error="invalid_token""#));
    }
    assert_eq!(status(&provider, get(&server)), StatusCode::UNAUTHORIZED);
    assert_eq!(server.resource_request_count(), 2, "sent twice, not more");
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(
        provider.stats().invalidations,
        1,
        "the retried token is not dropped in a loop"
    );
}

#[test]
fn a_403_and_insufficient_scope_are_not_retried_and_come_back_as_responses() {
    let server = fixtures::server();
    let provider = provider(&server);
    server.enqueue_resource_answer(403, None);
    assert_eq!(status(&provider, get(&server)), StatusCode::FORBIDDEN);
    server.enqueue_resource_answer(
        401,
        Some(r#"Bearer error="insufficient_scope", scope="api/write""#),
    );
    let response = send_authorized(&agent(), &provider, get(&server)).expect("a response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope"),
        "the answer's headers are there to read"
    );
    assert_eq!(server.resource_request_count(), 2, "neither was sent again");
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(provider.stats().invalidations, 0);
}

#[test]
fn a_body_that_cannot_be_replayed_is_not_retried_and_its_token_still_dropped() {
    let server = fixtures::server();
    let provider = provider(&server);
    assert_eq!(status(&provider, get(&server)), StatusCode::OK);
    server.revoke_all_tokens();
    // A `SendBody` is a reader, never replayed (an empty one: the resource takes GET only).
    let streamed = Request::get(server.resource_url())
        .body(SendBody::none())
        .expect("a request");
    assert_eq!(
        status(&provider, streamed),
        StatusCode::UNAUTHORIZED,
        "not replayed"
    );
    assert_eq!(server.resource_request_count(), 2);
    assert_eq!(provider.stats().invalidations, 1);
    assert_eq!(
        status(&provider, get(&server)),
        StatusCode::OK,
        "the next request has a new token"
    );
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn a_token_error_is_the_typed_error_and_nothing_is_sent() {
    let server = fixtures::server_with_other_secret();
    let provider = provider(&server);
    let error = send_authorized(&agent(), &provider, get(&server)).expect_err("bad credentials");
    let AuthError::Token(token_error) = &error else {
        panic!("a token error: {error:?}")
    };
    assert_eq!(token_error.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(!token_error.is_retryable());
    assert!(error.token_error().is_some());
    assert!(!format!("{error} {error:?}").contains(SECRET));
    assert_eq!(server.resource_request_count(), 0, "no request without a token");
}

#[test]
fn a_failed_send_is_the_request_error() {
    let fake = FakeTokenSource::new("fake-token");
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a loopback port")
        .port();
    let request = Request::get(format!("http://127.0.0.1:{port}/api"))
        .body(())
        .expect("a request");
    let error = send_authorized(&agent(), &fake, request).expect_err("nothing listens");
    assert!(matches!(error, AuthError::Request(_)), "{error:?}");
    assert!(error.token_error().is_none());
    assert!(!format!("{error} {error:?}").contains("fake-token"));
}

#[test]
fn the_fake_source_drives_the_same_rules_without_a_token_server() {
    let server = fixtures::server();
    // The fake's tokens are unknown to the mock: every one is refused.
    let fake = FakeTokenSource::new("fake-token");
    assert_eq!(status(&fake, get(&server)), StatusCode::UNAUTHORIZED);
    assert_eq!(fake.token_calls(), 2, "one token, one after the 401");
    assert_eq!(fake.invalidations(), 1);
    assert_eq!(server.token_request_count(), 0);
    assert_eq!(server.resource_request_count(), 2);
}

#[test]
fn bytes_and_strings_are_replayed_and_readers_are_not() {
    assert_eq!(b"{}".as_slice().replay(), Some(b"{}".as_slice()));
    assert_eq!(String::from("{}").replay().as_deref(), Some("{}"));
    assert_eq!(vec![1_u8].replay(), Some(vec![1]));
    assert_eq!(().replay(), Some(()));
    assert!(SendBody::none().replay().is_none());
    let file = std::fs::File::open(std::env::current_exe().expect("this test")).expect("a file");
    assert!(
        <&std::fs::File as ReplayBody>::replay(&&file).is_none(),
        "a shared file's position moves"
    );
    assert!(file.replay().is_none());
}
