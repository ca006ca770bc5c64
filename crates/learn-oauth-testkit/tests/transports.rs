//! Both bundled transports (reqwest, async; ureq, blocking) against the loopback mock,
//! each test written once and run for both: what reaches the wire, how every failure is
//! typed, TLS, redirects, the body cap, and a thin set of provider tests over real
//! sockets (the provider's behaviour itself is tested in memory, in `provider.rs`).

use std::time::{Duration, Instant};

use learn_oauth_driver::{BuildError, TransportOptions};
use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_proto::{
    AccessToken, AuthMethod, BasicEncoding, ClientConfig, Error, RefreshPolicy, TransportErrorKind,
};
use learn_oauth_testkit::expect::{self, transport_kind};
use learn_oauth_testkit::fixtures::{self, config, server};
use learn_oauth_testkit::storm;

use learn_oauth_driver::{SendAsync as _, SendBlocking as _};

/// One bundled transport, driven from synchronous test code.
trait Side: Sized {
    fn with_options(options: &TransportOptions) -> Result<Self, BuildError>;
    /// One token request through the transport, given up on after `timeout`.
    fn fetch_within(&self, config: &ClientConfig, timeout: Duration) -> Result<AccessToken, Error>;
    /// One token request with the transport's `fetch_token` (the default request timeout).
    fn fetch(&self, config: &ClientConfig) -> Result<AccessToken, Error>;
    /// A provider over this transport; `token()` from `n` callers at once.
    fn provider_storm(
        config: ClientConfig,
        policy: RefreshPolicy,
        n: usize,
    ) -> Vec<Result<AccessToken, Error>>;
    /// `token()`, `invalidate`, `token()` again on one provider with `policy`: the two
    /// tokens.
    fn provider_invalidate(config: ClientConfig, policy: RefreshPolicy) -> (AccessToken, AccessToken);

    fn new() -> Self {
        Self::with_options(&TransportOptions::new()).expect("the default transport builds")
    }
}

struct Reqwest {
    runtime: tokio::runtime::Runtime,
    transport: learn_oauth_reqwest::Transport,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

impl Side for Reqwest {
    fn with_options(options: &TransportOptions) -> Result<Self, BuildError> {
        let runtime = runtime();
        let transport = learn_oauth_reqwest::Transport::with_options(options)?;
        Ok(Self { runtime, transport })
    }
    fn fetch_within(&self, config: &ClientConfig, timeout: Duration) -> Result<AccessToken, Error> {
        let fetch = self.transport.fetch_token(config, timeout);
        self.runtime.block_on(fetch)
    }
    fn fetch(&self, config: &ClientConfig) -> Result<AccessToken, Error> {
        self.runtime.block_on(
            self.transport
                .fetch_token(config, RefreshPolicy::default().request_timeout),
        )
    }
    fn provider_storm(
        config: ClientConfig,
        policy: RefreshPolicy,
        n: usize,
    ) -> Vec<Result<AccessToken, Error>> {
        runtime().block_on(async {
            let provider = learn_oauth_reqwest::TokenProvider::builder(config)
                .policy(policy)
                .build()
                .expect("a provider");
            storm::tasks(n, || {
                let provider = provider.clone();
                async move { provider.token().await }
            })
            .await
        })
    }
    fn provider_invalidate(config: ClientConfig, policy: RefreshPolicy) -> (AccessToken, AccessToken) {
        runtime().block_on(async {
            let provider = learn_oauth_reqwest::TokenProvider::builder(config)
                .policy(policy)
                .build()
                .expect("a provider");
            let first = provider.token().await.expect("a token");
            assert!(provider.invalidate(&first));
            (first, provider.token().await.expect("a new token"))
        })
    }
}

struct Ureq(learn_oauth_ureq::Transport);

impl Side for Ureq {
    fn with_options(options: &TransportOptions) -> Result<Self, BuildError> {
        learn_oauth_ureq::Transport::with_options(options).map(Self)
    }
    fn fetch_within(&self, config: &ClientConfig, timeout: Duration) -> Result<AccessToken, Error> {
        self.0.fetch_token(config, timeout)
    }
    fn fetch(&self, config: &ClientConfig) -> Result<AccessToken, Error> {
        self.0
            .fetch_token(config, RefreshPolicy::default().request_timeout)
    }
    fn provider_storm(
        config: ClientConfig,
        policy: RefreshPolicy,
        n: usize,
    ) -> Vec<Result<AccessToken, Error>> {
        let provider = learn_oauth_ureq::TokenProvider::builder(config)
            .policy(policy)
            .build()
            .expect("a provider");
        storm::threads(n, || provider.token())
    }
    fn provider_invalidate(config: ClientConfig, policy: RefreshPolicy) -> (AccessToken, AccessToken) {
        let provider = learn_oauth_ureq::TokenProvider::builder(config)
            .policy(policy)
            .build()
            .expect("a provider");
        let first = provider.token().expect("a token");
        assert!(provider.invalidate(&first));
        (first, provider.token().expect("a new token"))
    }
}

/// Each test body, once per transport.
macro_rules! for_both_transports {
    ($($name:ident),* $(,)?) => {
        mod reqwest {
            $(#[test] fn $name() { super::$name::<super::Reqwest>(); })*
        }
        mod ureq {
            $(#[test] fn $name() { super::$name::<super::Ureq>(); })*
        }
    };
}

for_both_transports!(
    basic_auth_gets_a_bearer_token_with_the_granted_scopes,
    form_body_auth_gets_a_token,
    percent_encoded_basic_auth_gets_a_token,
    requested_scopes_are_sent_and_granted,
    wrong_credentials_are_a_typed_unauthorized_error,
    a_slow_server_is_a_timeout_within_the_configured_time,
    a_dropped_connection_is_a_retryable_io_error,
    a_truncated_body_is_an_io_error,
    a_ten_megabyte_body_is_refused_after_reading_only_the_cap,
    an_html_502_from_a_proxy_is_a_retryable_server_error,
    a_refused_connection_is_a_connect_error,
    real_tls_works_with_the_mock_ca_added_as_a_root,
    an_untrusted_certificate_is_a_tls_error_that_is_not_retried,
    a_server_that_drops_the_tls_handshake_is_a_connect_error,
    each_unusable_root_certificate_setting_is_refused_with_its_own_error,
    no_error_text_holds_the_secret_or_a_token,
    the_default_transport_does_not_follow_a_redirect,
    timeouts_up_to_duration_max_never_panic,
    a_provider_storm_over_sockets_sends_one_request,
    a_provider_retries_broken_connections_over_sockets,
    a_provider_replaces_an_invalidated_token_over_sockets,
);

fn fetch_error<S: Side>(server: &MockServer) -> Error {
    S::new().fetch(&config(server)).unwrap_err()
}

fn basic_auth_gets_a_bearer_token_with_the_granted_scopes<S: Side>() {
    let server = server();
    let token = S::new().fetch(&config(&server)).unwrap();
    expect::bearer_token_by_basic_auth(&server, &token);
}

fn form_body_auth_gets_a_token<S: Side>() {
    let server = server();
    S::new()
        .fetch(&fixtures::config_with(&server, AuthMethod::FormBody))
        .unwrap();
    expect::sent_with_form_body_auth(&server);
}

fn percent_encoded_basic_auth_gets_a_token<S: Side>() {
    let server = server();
    let config = fixtures::config_with(&server, AuthMethod::Basic(BasicEncoding::PercentEncoded));
    S::new().fetch(&config).unwrap();
    assert_eq!(server.token_request_count(), 1);
}

fn requested_scopes_are_sent_and_granted<S: Side>() {
    let server = server();
    let token = S::new()
        .fetch(&fixtures::config_with_read_scope(&server))
        .unwrap();
    expect::read_scope_only(&server, &token);
}

fn wrong_credentials_are_a_typed_unauthorized_error<S: Side>() {
    let server = fixtures::server_with_other_secret();
    expect::unauthorized(&fetch_error::<S>(&server));
}

fn a_slow_server_is_a_timeout_within_the_configured_time<S: Side>() {
    let server = server();
    server.enqueue(Fault::Delay(Duration::from_secs(5)));
    let transport = S::new();
    let started = Instant::now();
    let error = transport
        .fetch_within(&config(&server), fixtures::SHORT_TIMEOUT)
        .unwrap_err();
    expect::timeout_within(&error, started.elapsed(), Duration::from_secs(2));
}

fn a_dropped_connection_is_a_retryable_io_error<S: Side>() {
    let server = server();
    server.enqueue(Fault::DropConnection);
    let error = fetch_error::<S>(&server);
    assert_eq!(transport_kind(&error), TransportErrorKind::Io);
    assert!(error.is_retryable());
}

fn a_truncated_body_is_an_io_error<S: Side>() {
    let server = server();
    server.enqueue(Fault::TruncatedBody);
    assert_eq!(transport_kind(&fetch_error::<S>(&server)), TransportErrorKind::Io);
}

fn a_ten_megabyte_body_is_refused_after_reading_only_the_cap<S: Side>() {
    let server = server();
    server.enqueue(Fault::HugeBody {
        size: 10 * 1024 * 1024,
    });
    expect::body_too_large(&fetch_error::<S>(&server), &config(&server));
}

fn an_html_502_from_a_proxy_is_a_retryable_server_error<S: Side>() {
    let server = server();
    server.enqueue(Fault::ProxyHtml);
    expect::retryable_502(&fetch_error::<S>(&server));
}

fn a_refused_connection_is_a_connect_error<S: Side>() {
    let error = S::new().fetch(&fixtures::config_for_closed_port()).unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Connect);
}

fn real_tls_works_with_the_mock_ca_added_as_a_root<S: Side>() {
    let server = fixtures::https_server();
    for options in fixtures::trusting_mock_ca(&server) {
        S::with_options(&options)
            .unwrap()
            .fetch(&config(&server))
            .unwrap();
    }
}

fn an_untrusted_certificate_is_a_tls_error_that_is_not_retried<S: Side>() {
    let server = fixtures::https_server();
    expect::tls_not_retried(&fetch_error::<S>(&server));
}

/// A server that closes or resets the connection during the TLS
/// handshake was `Io` from ureq and `Connect` from reqwest; the connect phase covers TCP
/// and TLS for both.
fn a_server_that_drops_the_tls_handshake_is_a_connect_error<S: Side>() {
    for reset in [false, true] {
        let config = fixtures::config_for_handshake_dropper(reset);
        let error = S::new().fetch(&config).unwrap_err();
        assert_eq!(
            transport_kind(&error),
            TransportErrorKind::Connect,
            "reset {reset}: {error:?}"
        );
        assert!(error.is_retryable());
    }
}

fn each_unusable_root_certificate_setting_is_refused_with_its_own_error<S: Side>() {
    use learn_oauth_driver::RootCertificateError as Roots;
    for (options, expected) in fixtures::refused_root_options() {
        let Err(error) = S::with_options(&options) else {
            panic!("{options:?} built a transport");
        };
        let BuildError::RootCertificate(roots) = &error else {
            panic!("{options:?}: {error:?}");
        };
        let kind = match roots {
            Roots::InvalidPem { index: 0, .. } => "invalid pem",
            Roots::NoCertificate { index: 0 } => "no certificate",
            Roots::InvalidCertificate { index: 0, .. } => "invalid certificate",
            Roots::NoRootCertificates => "no roots",
            other => panic!("{options:?}: {other:?}"),
        };
        assert_eq!(kind, expected, "{options:?}");
    }
}

fn no_error_text_holds_the_secret_or_a_token<S: Side>() {
    let server = server();
    let transport = S::new();
    let config = config(&server);
    let issued = transport.fetch(&config).unwrap();
    for fault in expect::faults_to_leak_secrets(&issued) {
        server.enqueue(fault.clone());
        let error = transport
            .fetch_within(&config, fixtures::SHORT_TIMEOUT)
            .unwrap_err();
        expect::no_secret_in(&fault, &error, &issued);
    }
}

fn the_default_transport_does_not_follow_a_redirect<S: Side>() {
    let server = server();
    let (config, _redirector) = fixtures::config_redirected_to(&server, AuthMethod::FormBody);
    let error = S::new().fetch(&config).unwrap_err();
    expect::redirect_not_followed(&server, &error);
}

/// `Duration::MAX` as a timeout panicked in the blocking transport
/// ("overflow when adding duration to instant", in ureq). Every duration near the limits,
/// as a request's timeout, as a connect timeout, and as the policy's request timeout and
/// wait: a token, or a typed error, never a panic.
fn timeouts_up_to_duration_max_never_panic<S: Side>() {
    let server = server();
    let extremes = [
        Duration::MAX,
        Duration::MAX - Duration::from_nanos(1),
        Duration::from_secs(u64::MAX / 2),
        Duration::from_secs(100 * 365 * 24 * 3600),
        Duration::from_secs(24 * 3600) + Duration::from_nanos(1),
        Duration::from_secs(30),
    ];
    for timeout in extremes {
        let options = TransportOptions::new().with_connect_timeout(timeout);
        S::with_options(&options)
            .unwrap()
            .fetch_within(&config(&server), timeout)
            .unwrap_or_else(|e| panic!("{timeout:?}: {e:?}"));
        let mut policy = fixtures::policy();
        policy.request_timeout = timeout;
        policy.max_wait = timeout;
        let answers = S::provider_storm(config(&server), policy, 1);
        assert!(answers[0].is_ok(), "{timeout:?}: {answers:?}");
    }
}

fn a_provider_storm_over_sockets_sends_one_request<S: Side>() {
    let server = server();
    server.enqueue(Fault::Delay(Duration::from_millis(50)));
    let answers = S::provider_storm(config(&server), fixtures::policy(), 64);
    let tokens: Vec<AccessToken> = answers.into_iter().map(Result::unwrap).collect();
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(server.token_request_count(), 1);
}

fn a_provider_retries_broken_connections_over_sockets<S: Side>() {
    let server = server();
    server.enqueue(Fault::DropConnection);
    server.enqueue(Fault::ProxyHtml);
    let mut policy = fixtures::policy();
    policy.initial_backoff = Duration::from_millis(10);
    let answers = S::provider_storm(config(&server), policy, 1);
    assert!(answers[0].is_ok(), "{answers:?}");
    assert_eq!(server.token_request_count(), 3);
}

fn a_provider_replaces_an_invalidated_token_over_sockets<S: Side>() {
    let server = server();
    // No cool-down: the token was received a moment ago (the cool-down is tested in memory).
    let mut policy = fixtures::policy();
    policy.invalidate_cooldown = Duration::ZERO;
    let (first, second) = S::provider_invalidate(config(&server), policy);
    assert!(!second.same_as(&first));
    assert_eq!(server.token_request_count(), 2);
}

/// ureq only: an agent of the user's that follows redirects (ureq's default) is
/// overridden per request.
#[test]
fn ureq_does_not_follow_a_redirect_with_the_users_agent() {
    let server = server();
    let (config, _redirector) = fixtures::config_redirected_to(&server, AuthMethod::FormBody);
    let side = Ureq(::ureq::Agent::new_with_defaults().into());
    let error = side.fetch(&config).unwrap_err();
    expect::redirect_not_followed(&server, &error);
}
