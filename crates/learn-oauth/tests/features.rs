//! The facade exposes the core always and each transport behind its feature.

use learn_oauth::{ClientConfig, http};

#[test]
fn the_core_is_there_without_features() {
    let config = ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("s3cret")
        .build()
        .unwrap();
    assert_eq!(config.token_request().method(), http::Method::POST);
    assert_eq!(learn_oauth::driver::DEFAULT_CONNECT_TIMEOUT.as_secs(), 10);
}

#[cfg(feature = "reqwest")]
#[test]
fn the_async_transport_is_there_with_feature_reqwest() {
    learn_oauth::reqwest::Transport::new().unwrap();
}

#[cfg(feature = "ureq")]
#[test]
fn the_blocking_transport_is_there_with_feature_ureq() {
    learn_oauth::ureq::Transport::new().unwrap();
}
