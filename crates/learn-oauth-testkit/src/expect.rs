//! The assertions both adapters' tests make, each named for the behaviour it checks.

use std::time::Duration;

use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_proto::{AccessToken, ClientConfig, Error, ResponseProblem, Scope, TransportErrorKind};

use crate::fixtures::SECRET;

/// The kind of a transport error; panics on any other error.
#[must_use]
pub fn transport_kind(error: &Error) -> TransportErrorKind {
    match error {
        Error::Transport(e) => e.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Everything an error prints: `Display`, `Debug` and every source's `Display` and `Debug`.
#[must_use]
pub fn all_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error} {error:?}");
    let mut next = error.source();
    while let Some(e) = next {
        text.push_str(&format!(" | {e} {e:?}"));
        next = e.source();
    }
    text
}

/// `token` is a Bearer token with the `api/read` scope, got with one HTTP Basic
/// client-credentials request to `server`.
pub fn bearer_token_by_basic_auth(server: &MockServer, token: &AccessToken) {
    let header = token.authorization_header();
    assert!(header.to_str().unwrap().starts_with("Bearer "));
    assert!(token.scopes().contains(&Scope::READ));
    let recorded = &server.requests()[0];
    assert_eq!(recorded.auth, learn_oauth_mock::AuthMethod::BasicRaw);
    assert_eq!(recorded.grant_type.as_deref(), Some("client_credentials"));
}

/// The first request `server` saw authenticated with the form body.
pub fn sent_with_form_body_auth(server: &MockServer) {
    assert_eq!(server.requests()[0].auth, learn_oauth_mock::AuthMethod::FormBody);
}

/// `api/read` was asked for and granted, `api/write` neither.
pub fn read_scope_only(server: &MockServer, token: &AccessToken) {
    assert_eq!(server.requests()[0].scopes, ["api/read"]);
    assert!(token.scopes().contains(&Scope::READ));
    assert!(!token.scopes().contains(&Scope::WRITE));
}

/// A typed 401 from the endpoint, not to be retried.
pub fn unauthorized(error: &Error) {
    let server_error = error.server_error().expect("a server error");
    assert!(server_error.is_unauthorized(), "{error:?}");
    assert!(!error.is_retryable());
}

/// A retryable timeout that took less than `limit`.
pub fn timeout_within(error: &Error, took: Duration, limit: Duration) {
    assert_eq!(transport_kind(error), TransportErrorKind::Timeout);
    assert!(error.is_retryable());
    assert!(took < limit, "took {took:?}");
}

/// The body was refused for being larger than `config` allows.
pub fn body_too_large(error: &Error, config: &ClientConfig) {
    match error {
        Error::Response(e) => assert_eq!(
            e.problem(),
            &ResponseProblem::BodyTooLarge {
                limit: config.max_response_bytes()
            }
        ),
        other => panic!("expected an oversized-body error, got {other:?}"),
    }
}

/// A retryable server error with status 502.
pub fn retryable_502(error: &Error) {
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(error.is_retryable());
}

/// A TLS error, which is not retried.
pub fn tls_not_retried(error: &Error) {
    assert_eq!(transport_kind(error), TransportErrorKind::Tls);
    assert!(!error.is_retryable());
}

/// A `307` from [`config_redirected_to`](crate::fixtures::config_redirected_to)'s
/// redirector came back as the answer, not retryable, and nothing reached the target.
pub fn redirect_not_followed(server: &MockServer, error: &Error) {
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307), "{error:?}");
    assert!(!error.is_retryable());
    assert_eq!(
        server.token_request_count(),
        0,
        "nothing reached the redirect's target"
    );
}

/// Every way a token request can fail, one of them echoing `issued` in the body: none of
/// the resulting errors may print the secret or a token. Use with a short timeout (the
/// slow-server fault waits 2 s).
#[must_use]
pub fn faults_to_leak_secrets(issued: &AccessToken) -> Vec<Fault> {
    vec![
        Fault::status(401),
        Fault::status(500),
        Fault::ProxyHtml,
        Fault::TruncatedBody,
        Fault::HugeBody { size: 1024 * 1024 },
        Fault::DropConnection,
        Fault::Delay(Duration::from_secs(2)),
        Fault::raw(
            200,
            &[("Content-Type", "application/json")],
            format!(
                r#"{{"access_token":"{}","token_type":"mac"}}"#,
                issued.expose_secret()
            ),
        ),
    ]
}

/// No text of `error` (after `fault`) holds the secret, `issued` or anything JWT-like.
pub fn no_secret_in(fault: &Fault, error: &Error, issued: &AccessToken) {
    let text = all_text(error);
    assert!(!text.contains(SECRET), "{fault:?}: {text}");
    assert!(!text.contains(issued.expose_secret()), "{fault:?}: {text}");
    assert!(!text.contains("eyJ"), "{fault:?}: {text}");
}
