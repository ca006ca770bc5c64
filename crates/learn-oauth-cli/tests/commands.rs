//! Each command and format, each exit status, and where the secret may come from — the
//! real binary against the mock.
#![cfg(unix)]

mod common;

use common::{SECRET, TENANT, World, run, run_with_stdin};
use learn_oauth_mock::Fault;

#[test]
fn token_prints_the_token_alone_and_a_second_call_reuses_it() {
    let world = World::new();
    let first = run(&mut world.cli(), &["token"]).expect(0);
    let token = first.stdout.trim_end();
    assert!(!token.is_empty() && !token.contains(' '), "{:?}", first.stdout);
    assert_eq!(first.stdout.lines().count(), 1);
    let second = run(&mut world.cli(), &["token"]).expect(0);
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(world.token_requests(), 1, "the second call is a cache hit");
    assert!(!first.stderr.contains(token) && !second.stderr.contains(token));
}

#[test]
fn a_hundred_calls_in_a_loop_make_one_token_request() {
    let world = World::new();
    for _ in 0..100 {
        run(&mut world.cli(), &["token"]).expect(0);
    }
    assert_eq!(world.token_requests(), 1);
}

#[test]
fn header_and_json_formats() {
    let world = World::new();
    let token = world.token();
    let header = run(&mut world.cli(), &["token", "--format", "header"]).expect(0);
    assert_eq!(header.stdout, format!("Authorization: Bearer {token}\n"));
    let json = run(&mut world.cli(), &["token", "--format=json"]).expect(0);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(value["access_token"], token.as_str());
    assert_eq!(value["token_type"], "Bearer");
    assert_eq!(value["scope"], "api/all api/read api/write");
    let expires_in = value["expires_in"].as_u64().expect("a number");
    assert!((3500..=3600).contains(&expires_in), "{expires_in}");
    let expires_at = value["expires_at"].as_str().expect("a string");
    assert!(
        expires_at.len() == 20 && expires_at.ends_with('Z'),
        "{expires_at}"
    );
    assert_eq!(world.token_requests(), 1);
}

#[test]
fn check_prints_a_summary_and_never_the_token() {
    let world = World::new();
    let token = world.token();
    let check = run(&mut world.cli(), &["check", "--scope", "api/read"]).expect(0);
    check.stdout_has(&world.server.token_url(TENANT));
    assert!(check.stdout.contains(&format!("tenant:     {TENANT}")));
    assert!(check.stdout.contains("requested:  api/read"));
    check.stdout_has("granted:    api/read");
    assert!(check.stdout.contains("valid for 59m") || check.stdout.contains("valid for 1h"));
    assert!(!check.stdout.contains(&token) && !check.stderr.contains(&token));
    // Another scope is another cache entry.
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn api_prints_the_body_to_stdout_and_the_status_to_stderr() {
    let world = World::new();
    let url = world.server.resource_url();
    let ok = run(&mut world.cli(), &["api", &url]).expect(0);
    assert_eq!(ok.stdout, format!(r#"{{"ok":true,"tenant":"{TENANT}"}}"#));
    assert_eq!(ok.stderr, "HTTP 200 OK\n");
    // A path resolves against the token URL's host; a method may come first.
    let path = run(&mut world.cli(), &["api", "GET", "/api/v1/ping"]).expect(0);
    assert_eq!(path.stdout, ok.stdout);
    assert_eq!(world.server.resource_request_count(), 2);
    assert_eq!(world.token_requests(), 1);
}

#[test]
fn api_exits_5_on_a_non_2xx_answer_after_printing_it() {
    let world = World::new();
    let missing = run(&mut world.cli(), &["api", "/no/such/path"]).expect(5);
    missing.stdout_has("not found");
    assert_eq!(missing.stderr, "HTTP 404 Not Found\n");
    // The resource accepts only GET; a body makes the request a POST.
    let post = run(&mut world.cli(), &["api", "/api/v1/ping", "--data", "{}"]).expect(5);
    assert_eq!(post.stderr, "HTTP 405 Method Not Allowed\n");
    // 403 is the answer: no new token would help.
    world.server.enqueue_resource_answer(403, None);
    run(&mut world.cli(), &["api", "/api/v1/ping"]).expect(5);
    assert_eq!(world.token_requests(), 1);
}

#[test]
fn api_retries_a_401_once_with_a_new_token() {
    let world = World::new();
    let old = run(&mut world.cli(), &["token"]).expect(0).stdout;
    world
        .server
        .enqueue_resource_answer(401, Some("Bearer error=\"invalid_token\""));
    let api = run(&mut world.cli(), &["api", "/api/v1/ping"]).expect(0);
    assert!(
        api.stderr
            .starts_with("HTTP 401 Unauthorized (the token was refused"),
        "{}",
        api.stderr
    );
    assert!(api.stderr.ends_with("HTTP 200 OK\n"), "{}", api.stderr);
    assert_eq!(world.server.resource_request_count(), 2, "one retry");
    assert_eq!(world.token_requests(), 2, "one new token");
    let new = run(&mut world.cli(), &["token"]).expect(0).stdout;
    assert_ne!(new, old, "the cache holds the new token");
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn api_returns_a_second_401_without_another_retry() {
    let world = World::new();
    run(&mut world.cli(), &["token"]).expect(0);
    world.server.enqueue_resource_answer(401, None);
    world.server.enqueue_resource_answer(401, None);
    run(&mut world.cli(), &["api", "/api/v1/ping"]).expect(5);
    assert_eq!(world.server.resource_request_count(), 2);
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn api_sends_headers_a_body_from_a_file_and_keeps_its_own_authorization() {
    let world = World::new();
    let body = world.home.path().join("body.json");
    std::fs::write(&body, "{}").unwrap();
    let with_file = run(
        &mut world.cli(),
        &[
            "api",
            "PUT",
            "/api/v1/ping",
            "--data-file",
            body.to_str().unwrap(),
            "-H",
            "X-Trace: 1",
        ],
    )
    .expect(5);
    assert_eq!(with_file.stderr, "HTTP 405 Method Not Allowed\n");
    let own = run(
        &mut world.cli(),
        &["api", "/api/v1/ping", "-H", "Authorization: Bearer nope"],
    )
    .expect(5);
    assert!(own.stderr.starts_with("HTTP 401"), "{}", own.stderr);
    assert_eq!(
        world.token_requests(),
        1,
        "no token fetched for a request with its own"
    );
    // The mock counts GETs only (the PUT got its 405 first): the one GET, no retry.
    assert_eq!(world.server.resource_request_count(), 1, "and no retry");
}

#[test]
fn api_refuses_what_it_cannot_send_with_status_2() {
    let world = World::new();
    let bad = run(
        &mut world.cli(),
        &["api", "-H", "Authorization Bearer CANARY", "/x"],
    )
    .expect(2);
    bad.stderr_has("-H");
    assert!(!bad.stderr.contains("CANARY"), "{}", bad.stderr);
    let plain = run(&mut world.cli(), &["api", "http://example.com/x"]).expect(2);
    plain.stderr_has("plain http");
    run(&mut world.cli(), &["api", "NOT A METHOD", "/x"]).expect(2);
    assert_eq!(world.token_requests(), 0);
}

#[test]
fn refused_credentials_exit_3_naming_the_status() {
    let world = World::new();
    let mut command = world.bare();
    command.env("LEARN_API_SECRET", "CANARY-wrong-secret");
    let refused = run(&mut command, &["token"]).expect(3);
    assert!(
        refused.stderr.starts_with("learn-oauth: error: no token: "),
        "{}",
        refused.stderr
    );
    refused.stderr_has("401");
    assert!(!refused.stderr.contains("CANARY"), "{}", refused.stderr);
    assert_eq!(refused.stderr.lines().count(), 1, "one line");
    world.server.enqueue(Fault::oauth_error(400, "invalid_scope"));
    run(&mut world.cli(), &["token"]).expect(3);
}

#[test]
fn temporary_failures_exit_4_after_the_retries() {
    let world = World::new();
    world.server.enqueue_n(10, Fault::status(503));
    let failed = run(&mut world.cli(), &["token"]).expect(4);
    failed.stderr_has("503");
    assert_eq!(world.token_requests(), 4, "the policy's four attempts");
    world.server.clear_faults();
    world.server.enqueue(Fault::retry_after(429, 1));
    run(&mut world.cli(), &["token"]).expect(0);
}

#[test]
fn an_unreachable_endpoint_exits_4_and_verbose_adds_the_causes() {
    let world = World::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/oauth2/token/{TENANT}", closed.local_addr().unwrap());
    drop(closed);
    let quiet = run(
        world.cli().env("LEARN_TOKEN_URL", &url).arg("--timeout=2"),
        &["token"],
    )
    .expect(4);
    assert_eq!(quiet.stderr.lines().count(), 1, "{}", quiet.stderr);
    let verbose = run(
        world.cli().env("LEARN_TOKEN_URL", &url).arg("--timeout=2"),
        &["-v", "token"],
    )
    .expect(4);
    assert!(verbose.stderr.lines().count() > 1, "{}", verbose.stderr);
    verbose.stderr_has("caused by: ");
}

#[test]
fn configuration_errors_exit_2_naming_the_flag_or_variable() {
    let world = World::new();
    let missing = run(world.cli().env_remove("LEARN_TENANT_ID"), &["token"]).expect(2);
    assert!(missing.stderr.contains("LEARN_TENANT_ID") && missing.stderr.contains("--tenant"));
    let region = run(&mut world.cli(), &["--region", "mars", "token"]).expect(2);
    assert_eq!(
        region.stderr,
        "learn-oauth: error: --region must be one of global, mea\n"
    );
    let env_region = run(world.cli().env("LEARN_REGION", "mars"), &["token"]).expect(2);
    env_region.stderr_has("LEARN_REGION must be one of");
    let url = run(
        &mut world.cli(),
        &["--token-url", "http://example.com/t", "token"],
    )
    .expect(2);
    url.stderr_has("--token-url is refused");
    let no_secret = run(&mut world.bare(), &["token"]).expect(2);
    no_secret.stderr_has("LEARN_API_SECRET");
    run(&mut world.cli(), &["no-such-command"]).expect(2);
    assert_eq!(world.token_requests(), 0);
}

#[test]
fn a_secret_flag_is_refused_with_how_to_pass_it() {
    let world = World::new();
    for args in [
        &["--secret", "CANARY-typed", "token"][..],
        &["token", "--secret=CANARY-typed"],
        &["--client-secret", "CANARY-typed", "check"],
    ] {
        let refused = run(&mut world.cli(), args).expect(2);
        refused.stderr_has("--secret-file");
        assert!(!refused.stderr.contains("CANARY"), "{}", refused.stderr);
    }
    assert_eq!(world.token_requests(), 0);
}

#[test]
fn the_secret_comes_from_a_file_or_stdin() {
    let world = World::new();
    let file = world.home.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let path = file.to_str().unwrap();
    run(&mut world.bare(), &["--no-cache", "--secret-file", path, "token"]).expect(0);
    run_with_stdin(
        &mut world.bare(),
        &["--no-cache", "--secret-stdin", "token"],
        &format!("{SECRET}\n"),
    )
    .expect(0);
    assert_eq!(world.token_requests(), 2);
    let missing = run(&mut world.bare(), &["--secret-file", "/no/such/file", "token"]).expect(2);
    missing.stderr_has("/no/such/file");
    let empty = run_with_stdin(&mut world.bare(), &["--secret-stdin", "token"], "").expect(2);
    empty.stderr_has("--secret-stdin");
}

#[test]
fn a_profile_supplies_the_settings_and_names_its_secret_by_file_or_variable() {
    let world = World::new();
    let dir = world.config_home().join("learn-oauth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("secret"), SECRET).unwrap();
    let url = world.server.token_url(TENANT);
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.file]\ntenant = \"{TENANT}\"\ntoken_url = \"{url}\"\nsecret_file = \"secret\"\n\
             scopes = [\"api/read\"]\n\n[profiles.var]\ntenant = \"{TENANT}\"\ntoken_url = \"{url}\"\n\
             secret_env = \"MY_SECRET\"\n\n[profiles.bad]\ntenant = \"t\"\nsecret = \"CANARY-in-file\"\n"
        ),
    )
    .unwrap();
    let mut bare = world.bare();
    bare.env_remove("LEARN_TENANT_ID").env_remove("LEARN_TOKEN_URL");
    let check = run(&mut bare, &["--profile", "file", "check"]).expect(0);
    check.stdout_has("requested:  api/read");
    run(
        world.bare().env("MY_SECRET", SECRET),
        &["--profile", "var", "--no-cache", "token"],
    )
    .expect(0);
    let unset = run(&mut world.bare(), &["--profile", "var", "token"]).expect(2);
    unset.stderr_has("MY_SECRET");
    let bad = run(&mut world.cli(), &["--profile", "bad", "token"]).expect(2);
    bad.stderr_has("`secret` is not allowed");
    assert!(!bad.stderr.contains("CANARY"), "{}", bad.stderr);
    let unknown = run(&mut world.cli(), &["--profile", "nope", "token"]).expect(2);
    unknown.stderr_has("no [profiles.nope]");
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn the_embedded_mock_needs_no_configuration() {
    let world = World::new();
    let mut command = world.bare();
    command
        .env_remove("LEARN_TENANT_ID")
        .env_remove("LEARN_TOKEN_URL");
    let token = run(&mut command, &["--mock", "token"]).expect(0);
    assert!(!token.stdout.trim().is_empty());
    let api = run(&mut world.bare(), &["--mock", "api", "/api/v1/ping"]).expect(0);
    api.stdout_has(r#""ok":true"#);
    assert!(world.entries().is_empty(), "--mock does not cache");
}

#[test]
fn help_lists_the_exit_statuses_and_version_exits_0() {
    let world = World::new();
    let help = run(&mut world.cli(), &["--help"]).expect(0);
    for line in [
        "0  success",
        "2  usage",
        "3  the token endpoint refused",
        "4  temporary",
        "5  api",
    ] {
        assert!(help.stdout.contains(line), "{line}: {}", help.stdout);
    }
    assert!(!help.stdout.contains("--secret "), "the trap flag is hidden");
    let version = run(&mut world.cli(), &["--version"]).expect(0);
    assert_eq!(
        version.stdout,
        format!("learn-oauth {}\n", env!("CARGO_PKG_VERSION"))
    );
}
