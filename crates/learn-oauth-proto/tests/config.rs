//! Configuration: endpoints, identifiers, secrets, scopes and authentication are checked
//! once, when the configuration is built.

use learn_oauth_proto::{
    ApiKind, AuthMethod, BasicEncoding, ClientConfig, ConfigError, Endpoint, Environment, IdentifierProblem,
    Region, Scope, ScopeProblem, UrlProblem,
};

const TENANT: &str = "eu-west-2_AbcdEfghI";

fn base() -> learn_oauth_proto::ClientConfigBuilder {
    ClientConfig::builder().tenant_id(TENANT).client_secret("s3cret")
}

fn err(builder: learn_oauth_proto::ClientConfigBuilder) -> ConfigError {
    builder.build().expect_err("configuration should be refused")
}

#[test]
fn the_eight_preset_endpoints_give_the_documented_urls() {
    use ApiKind::*;
    use Environment::*;
    use Region::*;
    let table = [
        (
            Staging,
            Global,
            PublicApi,
            "https://public.api.learnstaging.link/oauth2/token/",
        ),
        (
            Production,
            Global,
            PublicApi,
            "https://public.api.learn.link/oauth2/token/",
        ),
        (
            Staging,
            Mea,
            PublicApi,
            "https://public.api.meastaging.learn.tech/oauth2/token/",
        ),
        (
            Production,
            Mea,
            PublicApi,
            "https://public.api.mea.learn.tech/oauth2/token/",
        ),
        (
            Staging,
            Global,
            Webhooks,
            "https://user.api.learnstaging.link/oauth2/token/",
        ),
        (
            Production,
            Global,
            Webhooks,
            "https://user.api.learn.link/oauth2/token/",
        ),
        (
            Staging,
            Mea,
            Webhooks,
            "https://user.api.meastaging.learn.tech/oauth2/token/",
        ),
        (
            Production,
            Mea,
            Webhooks,
            "https://user.api.mea.learn.tech/oauth2/token/",
        ),
    ];
    for (env, region, api, prefix) in table {
        let config = base()
            .endpoint(Endpoint::preset(env, region, api))
            .build()
            .unwrap();
        assert_eq!(
            config.token_uri().to_string(),
            format!("{prefix}{TENANT}"),
            "{env} {region} {api}"
        );
    }
}

#[test]
fn the_default_endpoint_is_production_global_public_api() {
    let config = base().build().unwrap();
    assert_eq!(
        config.token_uri().to_string(),
        format!("https://public.api.learn.link/oauth2/token/{TENANT}")
    );
}

#[test]
fn tenant_ids_are_percent_encoded_into_one_path_segment() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("a b", "a%20b"),
        ("%2e%2e", "%252e%252e"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("a-b.c_d~e", "a-b.c_d~e"),
        ("...", "..."),
    ];
    for (tenant, encoded) in cases {
        let config = ClientConfig::builder()
            .tenant_id(tenant)
            .client_id("client")
            .client_secret("s")
            .build()
            .unwrap();
        let uri = config.token_uri();
        assert_eq!(uri.path(), format!("/oauth2/token/{encoded}"), "{tenant:?}");
        assert_eq!(uri.query(), None);
        assert_eq!(uri.host(), Some("public.api.learn.link"));
    }
}

#[test]
fn bad_tenant_ids_are_refused_with_the_problem_named() {
    assert_eq!(
        err(ClientConfig::builder().client_secret("s")),
        ConfigError::MissingTenantId
    );
    assert_eq!(
        err(base().tenant_id("")),
        ConfigError::InvalidTenantId(IdentifierProblem::Empty)
    );
    assert_eq!(
        err(base().tenant_id("..")),
        ConfigError::InvalidTenantId(IdentifierProblem::DotSegment)
    );
    assert_eq!(
        err(base().tenant_id(".")),
        ConfigError::InvalidTenantId(IdentifierProblem::DotSegment)
    );
    assert_eq!(
        err(base().tenant_id("ab\ncd")),
        ConfigError::InvalidTenantId(IdentifierProblem::ControlCharacter { position: 2 })
    );
    assert_eq!(
        err(base().tenant_id("x".repeat(257))),
        ConfigError::InvalidTenantId(IdentifierProblem::TooLong { len: 257, max: 256 })
    );
    base()
        .tenant_id("x".repeat(256))
        .build()
        .expect("256 bytes is allowed");
}

#[test]
fn the_client_id_defaults_to_the_tenant_id_and_can_be_set() {
    assert_eq!(base().build().unwrap().client_id(), TENANT);
    let config = base().client_id("app-123").build().unwrap();
    assert_eq!(config.client_id(), "app-123");
    assert_eq!(config.tenant_id(), TENANT);
    assert_eq!(
        err(base().client_id("")),
        ConfigError::InvalidClientId(IdentifierProblem::Empty)
    );
}

#[test]
fn secrets_must_be_present_non_empty_and_free_of_control_characters() {
    assert_eq!(
        err(ClientConfig::builder().tenant_id(TENANT)),
        ConfigError::MissingClientSecret
    );
    assert_eq!(err(base().client_secret("")), ConfigError::EmptyClientSecret);
    assert_eq!(
        err(base().client_secret("abc\n")),
        ConfigError::ClientSecretControlCharacter
    );
}

#[test]
fn raw_basic_refuses_a_colon_in_the_client_id_but_other_methods_allow_it() {
    assert_eq!(err(base().client_id("a:b")), ConfigError::ClientIdContainsColon);
    base()
        .client_id("a:b")
        .auth_method(AuthMethod::Basic(BasicEncoding::FormUrlEncoded))
        .build()
        .unwrap();
    base()
        .client_id("a:b")
        .auth_method(AuthMethod::FormBody)
        .build()
        .unwrap();
}

#[test]
fn custom_urls_must_be_https_or_loopback_http() {
    for ok in [
        "https://proxy.example.com/oauth2/token/{tenantId}",
        "https://proxy.example.com:8443/token",
        "http://127.0.0.1:8080/oauth2/token/x",
        "http://127.1.2.3/t",
        "http://localhost:9/t",
        "http://LOCALHOST/t",
        "http://[::1]:8080/t",
    ] {
        base()
            .token_url(ok)
            .build()
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    let cases = [
        ("http://example.com/t", UrlProblem::PlainHttpToNonLoopback),
        ("http://10.0.0.1/t", UrlProblem::PlainHttpToNonLoopback),
        ("http://localhost.evil.com/t", UrlProblem::PlainHttpToNonLoopback),
        ("http://[::2]/t", UrlProblem::PlainHttpToNonLoopback),
        ("ftp://example.com/t", UrlProblem::UnsupportedScheme),
        ("https://user:pw@example.com/t", UrlProblem::UserInfo),
        // A password with a `/` ends the parsed authority early.
        (
            "https://id:Se+cr/et@auth.example.com/oauth2/token/x",
            UrlProblem::UserInfo,
        ),
        ("https://auth.example.com:https/t", UrlProblem::InvalidPort),
        ("https://auth.example.com:99999/t", UrlProblem::InvalidPort),
        ("https://example.com/t#frag", UrlProblem::Fragment),
        ("/relative/path", UrlProblem::Unparseable),
        ("not a url", UrlProblem::Unparseable),
    ];
    for (url, problem) in cases {
        assert_eq!(
            err(base().token_url(url)),
            ConfigError::InvalidTokenUrl(problem),
            "{url}"
        );
    }
}

#[test]
fn a_url_with_user_information_is_not_printed_by_debug() {
    let builder = base().token_url("https://id:Se+cr/et@auth.example.com/oauth2/token/x");
    let debug = format!("{builder:?}");
    assert!(!debug.contains("Se+cr"), "{debug}");
    assert_eq!(err(builder), ConfigError::InvalidTokenUrl(UrlProblem::UserInfo));
}

#[test]
fn a_custom_url_template_gets_the_encoded_tenant_id() {
    let config = ClientConfig::builder()
        .token_url("https://proxy.example.com/oauth2/token/{tenantId}?x=1")
        .tenant_id("a/b")
        .client_id("c")
        .client_secret("s")
        .build()
        .unwrap();
    assert_eq!(
        config.token_uri().to_string(),
        "https://proxy.example.com/oauth2/token/a%2Fb?x=1"
    );
}

#[test]
fn scopes_are_validated_ordered_and_deduplicated() {
    let config = base()
        .scopes(["api/write", "api/read", "api/write"])
        .build()
        .unwrap();
    let got: Vec<&str> = config.scopes().iter().map(Scope::as_str).collect();
    assert_eq!(got, ["api/write", "api/read"]);

    assert_eq!(
        err(base().scope("api/read").scope("bad scope")),
        ConfigError::InvalidScope {
            index: 1,
            problem: ScopeProblem::InvalidCharacter { position: 3 }
        }
    );
    assert_eq!(
        err(base().scope("")),
        ConfigError::InvalidScope {
            index: 0,
            problem: ScopeProblem::Empty
        }
    );
    for bad in ["a\"b", "a\\b", "é"] {
        assert!(matches!(
            err(base().token_url("https://x.example/t").scope(bad)),
            ConfigError::InvalidScope { .. }
        ));
    }
}

#[test]
fn preset_endpoints_refuse_scopes_their_api_kind_does_not_offer() {
    assert_eq!(
        err(base().scope("api/webhooks")),
        ConfigError::ScopeNotOffered {
            scope: "api/webhooks".into(),
            api: ApiKind::PublicApi
        }
    );
    let webhooks = Endpoint::preset(Environment::Staging, Region::Global, ApiKind::Webhooks);
    assert_eq!(
        err(base().endpoint(webhooks.clone()).scope("api/read")),
        ConfigError::ScopeNotOffered {
            scope: "api/read".into(),
            api: ApiKind::Webhooks
        }
    );
    assert!(matches!(
        err(base().scope("custom:scope")),
        ConfigError::ScopeNotOffered { .. }
    ));
    base()
        .endpoint(webhooks)
        .scopes(["api/all", "api/webhooks"])
        .build()
        .unwrap();
    // Custom endpoints accept any well-formed scope.
    base()
        .token_url("https://x.example/t")
        .scopes(["api/webhooks", "custom:scope"])
        .build()
        .unwrap();
}

#[test]
fn user_agent_is_checked_and_response_limit_has_a_floor_and_a_ceiling() {
    assert_eq!(
        err(base().user_agent("bad\nagent")),
        ConfigError::InvalidUserAgent
    );
    assert_eq!(
        err(base().max_response_bytes(10)),
        ConfigError::ResponseLimitTooSmall { limit: 10, min: 1024 }
    );
    assert_eq!(
        err(base().max_response_bytes(usize::MAX)),
        ConfigError::ResponseLimitTooLarge {
            limit: usize::MAX,
            max: 16 * 1024 * 1024
        }
    );
    assert!(base().max_response_bytes(16 * 1024 * 1024).build().is_ok());
    assert_eq!(base().build().unwrap().max_response_bytes(), 64 * 1024);
    assert_eq!(
        base()
            .max_response_bytes(4096)
            .build()
            .unwrap()
            .max_response_bytes(),
        4096
    );
}

#[test]
fn config_errors_name_the_field_and_never_the_secret() {
    let e = err(base().client_secret("CANARY\n"));
    let text = format!("{e} {e:?}");
    assert!(text.contains("client secret"), "{text}");
    assert!(!text.contains("CANARY"), "{text}");
    assert_eq!(
        err(base().tenant_id("")).to_string(),
        "tenant id is invalid: empty"
    );
}

#[test]
fn debug_of_config_and_builder_redacts_the_secret() {
    let builder = base().client_secret("CANARY-SECRET");
    assert!(!format!("{builder:?}").contains("CANARY"));
    let config = builder.build().unwrap();
    let text = format!("{config:?}");
    assert!(!text.contains("CANARY"), "{text}");
    assert!(text.contains("[redacted]"));
}
