//! One-shot token requests over ureq against the loopback mock.

use std::time::{Duration, Instant};

use learn_oauth_mock::Fault;
use learn_oauth_proto::{AuthMethod, TransportErrorKind};
use learn_oauth_testkit::expect::{self, transport_kind};
use learn_oauth_testkit::fixtures::{self, config, server};
use learn_oauth_ureq::Transport;

fn fetch_error(server: &learn_oauth_mock::MockServer) -> learn_oauth_proto::Error {
    let transport = Transport::new().unwrap();
    transport.fetch_token(&config(server)).unwrap_err()
}

#[test]
fn basic_auth_gets_a_bearer_token_with_the_granted_scopes() {
    let server = server();
    let token = Transport::new().unwrap().fetch_token(&config(&server));
    expect::bearer_token_by_basic_auth(&server, &token.unwrap());
}

#[test]
fn form_body_auth_gets_a_token() {
    let server = server();
    let config = fixtures::config_with(&server, AuthMethod::FormBody);
    Transport::new().unwrap().fetch_token(&config).unwrap();
    expect::sent_with_form_body_auth(&server);
}

#[test]
fn requested_scopes_are_sent_and_granted() {
    let server = server();
    let config = fixtures::config_with_read_scope(&server);
    let token = Transport::new().unwrap().fetch_token(&config).unwrap();
    expect::read_scope_only(&server, &token);
}

#[test]
fn wrong_credentials_are_a_typed_unauthorized_error() {
    let server = fixtures::server_with_other_secret();
    expect::unauthorized(&fetch_error(&server));
}

#[test]
fn a_slow_server_is_a_timeout_within_the_configured_time() {
    let server = server();
    server.enqueue(Fault::Delay(Duration::from_secs(5)));
    let transport = Transport::with_options(&fixtures::short_timeout()).unwrap();
    let started = Instant::now();
    let error = transport.fetch_token(&config(&server)).unwrap_err();
    expect::timeout_within(&error, started.elapsed(), Duration::from_secs(2));
}

#[test]
fn a_dropped_connection_is_a_retryable_io_error() {
    let server = server();
    server.enqueue(Fault::DropConnection);
    let error = fetch_error(&server);
    assert_eq!(transport_kind(&error), TransportErrorKind::Io);
    assert!(error.is_retryable());
}

#[test]
fn a_truncated_body_is_an_io_error() {
    let server = server();
    server.enqueue(Fault::TruncatedBody);
    assert_eq!(transport_kind(&fetch_error(&server)), TransportErrorKind::Io);
}

#[test]
fn a_ten_megabyte_body_is_refused_after_reading_only_the_cap() {
    let server = server();
    server.enqueue(Fault::HugeBody {
        size: 10 * 1024 * 1024,
    });
    expect::body_too_large(&fetch_error(&server), &config(&server));
}

#[test]
fn an_html_502_from_a_proxy_is_a_retryable_server_error() {
    let server = server();
    server.enqueue(Fault::ProxyHtml);
    expect::retryable_502(&fetch_error(&server));
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let config = fixtures::config_for_closed_port();
    let error = Transport::new().unwrap().fetch_token(&config).unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Connect);
}

#[test]
fn real_tls_works_with_the_mock_ca_added_as_a_root() {
    let server = fixtures::https_server();
    for options in fixtures::trusting_mock_ca(&server) {
        let transport = Transport::with_options(&options).unwrap();
        transport.fetch_token(&config(&server)).unwrap();
    }
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_that_is_not_retried() {
    let server = fixtures::https_server();
    expect::tls_not_retried(&fetch_error(&server));
}

#[test]
fn garbage_root_certificates_are_refused_when_building() {
    for options in fixtures::refused_root_options() {
        assert!(Transport::with_options(&options).is_err(), "{options:?}");
    }
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_by_configuration() {
    expect::plain_http_to_non_loopback_refused();
}

#[test]
fn no_error_text_holds_the_secret_or_a_token() {
    let server = server();
    let transport = Transport::with_options(&fixtures::short_timeout()).unwrap();
    let config = config(&server);
    let issued = transport.fetch_token(&config).unwrap();
    for fault in expect::faults_to_leak_secrets(&issued) {
        server.enqueue(fault.clone());
        let error = transport.fetch_token(&config).unwrap_err();
        expect::no_secret_in(&fault, &error, &issued);
    }
}

#[test]
fn the_default_transport_does_not_follow_a_redirect() {
    let server = server();
    let config = fixtures::config_redirected_to(&server, AuthMethod::FormBody);
    let error = Transport::new().unwrap().fetch_token(&config).unwrap_err();
    expect::redirect_not_followed(&server, &error);
}

#[test]
fn a_user_agent_that_follows_redirects_does_not_follow_a_token_request() {
    let server = server();
    let config = fixtures::config_redirected_to(&server, AuthMethod::FormBody);
    // ureq's default agent follows up to 10 redirects; the transport turns that off
    // per request.
    let transport = Transport::from_agent(ureq::Agent::new_with_defaults());
    let error = transport.fetch_token(&config).unwrap_err();
    expect::redirect_not_followed(&server, &error);
}
