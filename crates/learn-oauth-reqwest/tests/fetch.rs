//! One-shot token requests over reqwest against the loopback mock.

mod common;

use std::time::{Duration, Instant};

use common::{SECRET, TENANT, all_text, config, config_with, server};
use learn_oauth_mock::{Fault, MockServer, Tenant};
use learn_oauth_proto::{
    AuthMethod, ClientConfig, ConfigError, Error, ResponseProblem, Scope, TransportErrorKind, UrlProblem,
};
use learn_oauth_reqwest::{Transport, TransportOptions};

fn transport_kind(error: &Error) -> TransportErrorKind {
    match error {
        Error::Transport(e) => e.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn basic_auth_gets_a_bearer_token_with_the_granted_scopes() {
    let server = server();
    let token = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap();
    assert!(
        token
            .authorization_header()
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    assert!(token.scopes().contains(&Scope::READ));
    let recorded = &server.requests()[0];
    assert_eq!(recorded.auth, learn_oauth_mock::AuthMethod::BasicRaw);
    assert_eq!(recorded.grant_type.as_deref(), Some("client_credentials"));
}

#[tokio::test]
async fn form_body_auth_gets_a_token() {
    let server = server();
    let config = config_with(&server, AuthMethod::FormBody);
    Transport::new().unwrap().fetch_token(&config).await.unwrap();
    assert_eq!(server.requests()[0].auth, learn_oauth_mock::AuthMethod::FormBody);
}

#[tokio::test]
async fn requested_scopes_are_sent_and_granted() {
    let server = server();
    let config = ClientConfig::builder()
        .token_url(server.token_url(TENANT))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .scopes(["api/read"])
        .build()
        .unwrap();
    let token = Transport::new().unwrap().fetch_token(&config).await.unwrap();
    assert_eq!(server.requests()[0].scopes, ["api/read"]);
    assert!(token.scopes().contains(&Scope::READ));
    assert!(!token.scopes().contains(&Scope::WRITE));
}

#[tokio::test]
async fn wrong_credentials_are_a_typed_unauthorized_error() {
    let server = MockServer::builder()
        .tenant(Tenant::new(TENANT, "other"))
        .start()
        .unwrap();
    let error = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap_err();
    let server_error = error.server_error().expect("a server error");
    assert!(server_error.is_unauthorized());
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_within_the_configured_time() {
    let server = server();
    server.enqueue(Fault::Delay(Duration::from_secs(5)));
    let transport =
        Transport::with_options(&TransportOptions::new().with_timeout(Duration::from_millis(200))).unwrap();
    let started = Instant::now();
    let error = transport.fetch_token(&config(&server)).await.unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Timeout);
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_retryable_io_error() {
    let server = server();
    server.enqueue(Fault::DropConnection);
    let error = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Io);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_truncated_body_is_an_io_error() {
    let server = server();
    server.enqueue(Fault::TruncatedBody);
    let error = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Io);
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_after_reading_only_the_cap() {
    let server = server();
    server.enqueue(Fault::HugeBody {
        size: 10 * 1024 * 1024,
    });
    let config = config(&server);
    let error = Transport::new().unwrap().fetch_token(&config).await.unwrap_err();
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

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_retryable_server_error() {
    let server = server();
    server.enqueue(Fault::ProxyHtml);
    let error = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = ClientConfig::builder()
        .token_url(format!("http://127.0.0.1:{port}/oauth2/token/{TENANT}"))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .build()
        .unwrap();
    let error = Transport::new().unwrap().fetch_token(&config).await.unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Connect);
}

fn https_server() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .https(true)
        .start()
        .unwrap()
}

#[tokio::test]
async fn real_tls_works_with_the_mock_ca_added_as_a_root() {
    let server = https_server();
    let ca = server.ca_certificate_pem().unwrap();
    let transport = Transport::with_options(&TransportOptions::new().add_root_certificates_pem(ca)).unwrap();
    transport.fetch_token(&config(&server)).await.unwrap();
    let der_only = TransportOptions::new()
        .with_built_in_roots(false)
        .add_root_certificate_der(server.ca_certificate_der().unwrap());
    let der_only = Transport::with_options(&der_only).unwrap();
    der_only.fetch_token(&config(&server)).await.unwrap();
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_that_is_not_retried() {
    let server = https_server();
    let error = Transport::new()
        .unwrap()
        .fetch_token(&config(&server))
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Tls);
    assert!(!error.is_retryable());
}

#[test]
fn garbage_root_certificates_are_refused_when_building() {
    let refused = |options: TransportOptions| Transport::with_options(&options).is_err();
    assert!(refused(
        TransportOptions::new().add_root_certificates_pem("not pem")
    ));
    assert!(refused(TransportOptions::new().add_root_certificates_pem("")));
    assert!(refused(
        TransportOptions::new().add_root_certificate_der(vec![1, 2, 3])
    ));
    assert!(refused(TransportOptions::new().with_built_in_roots(false)));
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_by_configuration() {
    let error = ClientConfig::builder()
        .token_url(format!("http://auth.example.com/oauth2/token/{TENANT}"))
        .tenant_id(TENANT)
        .client_secret(SECRET)
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        ConfigError::InvalidTokenUrl(UrlProblem::PlainHttpToNonLoopback)
    );
}

#[tokio::test]
async fn no_error_text_holds_the_secret_or_a_token() {
    let server = server();
    let transport =
        Transport::with_options(&TransportOptions::new().with_timeout(Duration::from_millis(200))).unwrap();
    let config = config(&server);
    let issued = transport.fetch_token(&config).await.unwrap();
    let faults = [
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
    ];
    for fault in faults {
        server.enqueue(fault.clone());
        let error = transport.fetch_token(&config).await.unwrap_err();
        let text = all_text(&error);
        assert!(!text.contains(SECRET), "{fault:?}: {text}");
        assert!(!text.contains(issued.expose_secret()), "{fault:?}: {text}");
        assert!(!text.contains("eyJ"), "{fault:?}: {text}");
    }
}
