//! The `learn-oauth-mock` binary: its help, its fault flags and its control endpoint,
//! each checked by a run of the real binary on a free loopback port.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{SECRET, TENANT, agent, basic_raw};

/// A running `learn-oauth-mock`, killed on drop.
struct Mock {
    child: Child,
    token_url: String,
    control: Option<String>,
}

impl Mock {
    /// Starts the binary with `args` (plus a tenant) and reads the URLs it prints, up to
    /// its "serving" line: it is listening by then.
    fn start(args: &[&str]) -> Mock {
        let tenant = format!("{TENANT}:{SECRET}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
            .args(["--port", "0", "--tenant", &tenant])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (mut token_url, mut control) = (None, None);
        for line in stdout.lines() {
            let line = line.expect("a line");
            if let Some(url) = line.strip_prefix("token URL: ") {
                token_url = Some(url.to_owned());
            }
            if let Some(url) = line.strip_prefix("control:   ") {
                control = Some(url.to_owned());
            }
            if line.starts_with("serving until killed") {
                break;
            }
        }
        Mock {
            child,
            token_url: token_url.expect("a token URL line"),
            control,
        }
    }

    /// One token request: its status, `Retry-After` and body; `None` when the
    /// connection broke.
    fn token(&self) -> Option<(u16, Option<String>, String)> {
        let response = agent()
            .post(&self.token_url)
            .header("Authorization", basic_raw(TENANT, SECRET))
            .content_type("application/x-www-form-urlencoded")
            .send("grant_type=client_credentials");
        let mut response = response.ok()?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.body_mut().read_to_string().ok()?;
        Some((response.status().as_u16(), retry_after, body))
    }

    fn status(&self) -> Option<u16> {
        self.token().map(|(status, _, _)| status)
    }

    /// `METHOD /mock/ACTION` with `body`: status and body.
    fn control(&self, method: &str, action: &str, body: &str) -> (u16, serde_json::Value) {
        let url = format!("{}{action}", self.control.as_deref().expect("control on"));
        let request = http::Request::builder()
            .method(method)
            .uri(url)
            .body(body.to_owned())
            .unwrap();
        let mut response = agent().run(request).expect("control answers");
        let text = response.body_mut().read_to_string().unwrap();
        (
            response.status().as_u16(),
            serde_json::from_str(&text).expect("json"),
        )
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn help_and_version_exit_0_and_help_describes_every_flag() {
    let help = Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--port",
        "--tenant",
        "--webhooks",
        "--lifetime",
        "--tls",
        "--ca-out",
        "--delay",
        "--fail",
        "--retry-after",
        "--drop",
        "--html",
        "--truncate",
        "--fault",
        "--no-control",
        "/mock/faults",
    ] {
        assert!(text.contains(flag), "{flag} in --help");
    }
    let version = Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(version.stdout).unwrap(),
        format!("learn-oauth-mock {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn delay_postpones_the_first_answer() {
    let mock = Mock::start(&["--delay", "400"]);
    let started = Instant::now();
    assert_eq!(mock.status(), Some(200));
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(mock.status(), Some(200));
    assert!(started.elapsed() < Duration::from_millis(400), "only the first");
}

#[test]
fn retry_after_answers_429_with_the_header() {
    let mock = Mock::start(&["--retry-after", "7", "--retry-after", "503:2"]);
    let (status, retry_after, _) = mock.token().unwrap();
    assert_eq!((status, retry_after.as_deref()), (429, Some("7")));
    let (status, retry_after, _) = mock.token().unwrap();
    assert_eq!((status, retry_after.as_deref()), (503, Some("2")));
    assert_eq!(mock.status(), Some(200));
}

#[test]
fn fail_answers_a_status_for_n_requests() {
    let mock = Mock::start(&["--fail", "503*3"]);
    let statuses: Vec<_> = (0..4).map(|_| mock.status()).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(503), Some(200)]);
}

#[test]
fn drop_closes_the_connection_without_an_answer() {
    let mock = Mock::start(&["--drop"]);
    assert_eq!(mock.status(), None);
    assert_eq!(mock.status(), Some(200));
}

#[test]
fn html_answers_a_proxy_page() {
    let mock = Mock::start(&["--html", "2"]);
    let (status, _, body) = mock.token().unwrap();
    assert_eq!(status, 502);
    assert!(body.contains("<html"), "{body}");
    assert_eq!(mock.status(), Some(502));
    assert_eq!(mock.status(), Some(200));
}

#[test]
fn truncate_cuts_the_body_short() {
    let mock = Mock::start(&["--truncate"]);
    assert_eq!(mock.token(), None, "the body ends before its Content-Length");
    assert_eq!(mock.status(), Some(200));
}

#[test]
fn lifetime_sets_expires_in() {
    let mock = Mock::start(&["--lifetime", "120"]);
    let (_, _, body) = mock.token().unwrap();
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["expires_in"], 120);
}

#[test]
fn fault_flags_apply_in_command_line_order() {
    let mock = Mock::start(&["--fail", "500", "--fault", "status=401", "--fail", "502"]);
    let statuses: Vec<_> = (0..4).map(|_| mock.status()).collect();
    assert_eq!(statuses, [Some(500), Some(401), Some(502), Some(200)]);
}

#[test]
fn a_bad_fault_flag_exits_2_saying_why() {
    let output = Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"))
        .args(["--tenant", "a:b", "--fail", "200"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("400 to 599"));
}

#[test]
fn the_control_endpoint_switches_faults_at_run_time() {
    let mock = Mock::start(&[]);
    let (status, state) = mock.control("POST", "faults", "status=503*2\nretry-after=429:1");
    assert_eq!(status, 200);
    assert_eq!(state["pending_faults"], 3);
    assert_eq!(mock.status(), Some(503));
    let (_, state) = mock.control("DELETE", "faults", "");
    assert_eq!(state["pending_faults"], 0);
    assert_eq!(mock.status(), Some(200));
    let (_, state) = mock.control("GET", "state", "");
    assert_eq!(
        state["token_requests"], 2,
        "control requests are not token requests"
    );
    let (status, error) = mock.control("POST", "faults", "status=503 explode");
    assert_eq!(status, 400);
    assert!(error["message"].as_str().unwrap().contains("explode"), "{error}");
    assert_eq!(
        mock.control("GET", "state", "").1["pending_faults"],
        0,
        "nothing applied"
    );
}

#[test]
fn the_control_endpoint_scripts_the_resource_revokes_and_moves_the_clock() {
    let mock = Mock::start(&["--lifetime", "60"]);
    let ping = |token: &str| {
        let resource = mock
            .token_url
            .replace(&format!("/oauth2/token/{TENANT}"), "/api/v1/ping");
        agent()
            .get(&resource)
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    let token = || {
        let (_, _, body) = mock.token().unwrap();
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        value["access_token"].as_str().unwrap().to_owned()
    };
    let first = token();
    assert_eq!(ping(&first), 200);
    mock.control("POST", "resource", "401 Bearer error=\"invalid_token\"");
    assert_eq!(ping(&first), 401);
    assert_eq!(ping(&first), 200);
    mock.control("POST", "revoke", "");
    assert_eq!(ping(&first), 401);
    let second = token();
    mock.control("POST", "clock", "61");
    assert_eq!(ping(&second), 401, "expired");
    assert_eq!(mock.control("GET", "state", "").1["resource_requests"], 5);
}

#[test]
fn no_control_turns_the_endpoint_off() {
    let mock = Mock::start(&["--no-control"]);
    assert!(mock.control.is_none());
    let state = mock
        .token_url
        .replace(&format!("oauth2/token/{TENANT}"), "mock/state");
    assert_eq!(agent().get(&state).call().unwrap().status().as_u16(), 404);
}
