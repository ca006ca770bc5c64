//! The `learn-oauth-mock` binary: its help, its fault flags and its control endpoint,
//! each checked by a run of the real binary on a free loopback port.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::net::SocketAddr;

use common::{SECRET, TENANT, agent, basic_raw, parse_raw, raw_exchange};

/// A running `learn-oauth-mock`, killed on drop.
struct Mock {
    child: Child,
    /// Where it listens.
    addr: SocketAddr,
    token_url: String,
    control: Option<String>,
}

impl Mock {
    /// Starts the binary with `args` (plus a tenant) and reads the URLs it prints, up to
    /// its "serving" line: it is listening by then.
    fn start(args: &[&str]) -> Mock {
        Mock::start_command(
            mock_command()
                .env("LEARN_MOCK_SECRET", SECRET)
                .args(["--port", "0", "--tenant", TENANT])
                .args(args),
        )
    }

    /// Starts `command` (the binary, with its arguments) and reads the URLs it prints.
    fn start_command(command: &mut Command) -> Mock {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("the binary starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (mut token_url, mut control) = (None, None);
        for line in stdout.lines() {
            let line = line.expect("a line");
            if let Some(url) = line.strip_prefix("token URL: ") {
                // The first tenant's.
                token_url = token_url.or_else(|| Some(url.to_owned()));
            }
            if let Some(url) = line.strip_prefix("control:   ") {
                control = Some(url.to_owned());
            }
            if line.starts_with("serving until killed") {
                break;
            }
        }
        let token_url = token_url.expect("a token URL line");
        let addr = token_url["http://".len()..]
            .split('/')
            .next()
            .and_then(|addr| addr.parse().ok())
            .expect("a loopback address in the token URL");
        Mock {
            child,
            addr,
            token_url,
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

    /// A control request on a raw socket with the given `Host` and extra header lines
    /// (`Name: value\r\n` each): its status.
    fn raw_control(&self, method: &str, action: &str, host: &str, extra: &str, body: &str) -> u16 {
        let request = format!(
            "{method} /mock/{action} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        parse_raw(&raw_exchange(self.addr, request.as_bytes()).0).status
    }

    /// How many faults are queued, by the control endpoint's own count.
    fn pending_faults(&self) -> u64 {
        self.control("GET", "state", "").1["pending_faults"]
            .as_u64()
            .unwrap()
    }
}

/// The binary, with no `LEARN_MOCK_SECRET` inherited from the test's environment.
fn mock_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_learn-oauth-mock"));
    command.env_remove("LEARN_MOCK_SECRET");
    command
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
    let output = mock_command()
        .env("LEARN_MOCK_SECRET", "b")
        .args(["--tenant", "a", "--fail", "200"])
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

#[test]
fn the_control_endpoint_refuses_a_foreign_host_and_changes_nothing() {
    let mock = Mock::start(&[]);
    let port = mock.addr.port();
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1:{}", port ^ 1),
    ] {
        assert_eq!(
            mock.raw_control("POST", "faults", &host, "", "status=503"),
            403,
            "{host}"
        );
        assert_eq!(mock.raw_control("POST", "revoke", &host, "", ""), 403, "{host}");
    }
    assert_eq!(mock.pending_faults(), 0, "nothing applied");
    assert_eq!(mock.status(), Some(200));
    // From loopback, by name or address, with no Origin: as before.
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(
            mock.raw_control("POST", "faults", &host, "", "status=503"),
            200,
            "{host}"
        );
    }
    assert_eq!(mock.pending_faults(), 2);
}

#[test]
fn the_control_endpoint_refuses_a_web_pages_origin_and_changes_nothing() {
    let mock = Mock::start(&[]);
    let port = mock.addr.port();
    let host = format!("127.0.0.1:{port}");
    for origin in ["http://evil.example", "null", "https://127.0.0.1:1"] {
        let header = format!("Origin: {origin}\r\n");
        assert_eq!(
            mock.raw_control("POST", "faults", &host, &header, "status=503"),
            403,
            "{origin}"
        );
        assert_eq!(
            mock.raw_control("DELETE", "faults", &host, &header, ""),
            403,
            "{origin}"
        );
    }
    assert_eq!(mock.pending_faults(), 0, "nothing applied");
    let own = format!("Origin: http://localhost:{port}\r\n");
    assert_eq!(mock.raw_control("POST", "faults", &host, &own, "status=503"), 200);
    assert_eq!(mock.pending_faults(), 1);
}

#[test]
fn a_secret_on_the_command_line_is_refused_without_being_repeated() {
    let mut child = mock_command()
        .args(["--port", "0", "--tenant", "ten:s3cret-on-the-command-line"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A mock that took the secret would print its URLs and serve: the first line tells.
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    if !first_line.is_empty() {
        let _ = child.kill();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(first_line, "", "never started");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("LEARN_MOCK_SECRET") && stderr.contains("--tenant ID:@FILE"),
        "says how to pass it: {stderr}"
    );
    assert!(!stderr.contains("s3cret-on-the-command-line"), "{stderr}");
}

#[test]
fn a_tenant_without_a_secret_is_refused_saying_where_to_put_it() {
    let output = mock_command()
        .args(["--port", "0", "--tenant", "ten"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("LEARN_MOCK_SECRET") && stderr.contains("ten:@FILE"),
        "{stderr}"
    );
}

#[test]
fn the_secret_comes_from_the_environment() {
    // `Mock::start` passes it in LEARN_MOCK_SECRET; a wrong secret is refused.
    let mock = Mock::start(&[]);
    assert_eq!(mock.status(), Some(200));
    let wrong = agent()
        .post(&mock.token_url)
        .header("Authorization", basic_raw(TENANT, "not-the-secret"))
        .content_type("application/x-www-form-urlencoded")
        .send("grant_type=client_credentials")
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
}

#[test]
fn each_tenants_secret_can_come_from_its_own_file() {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mock-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let other = dir.join("other");
    std::fs::write(&other, "other-secret").unwrap();
    let first = format!("{TENANT}:@{}", file.display());
    let second = format!("other:@{}", other.display());
    let mock =
        Mock::start_command(mock_command().args(["--port", "0", "--tenant", &first, "--tenant", &second]));
    assert_eq!(mock.status(), Some(200), "the file's secret, without its newline");
    let other_url = mock.token_url.replace(TENANT, "other");
    let status = |secret: &str| {
        agent()
            .post(&other_url)
            .header("Authorization", basic_raw("other", secret))
            .content_type("application/x-www-form-urlencoded")
            .send("grant_type=client_credentials")
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!((status("other-secret"), status(SECRET)), (200, 401));
    drop(mock);
    std::fs::remove_dir_all(&dir).unwrap();
}
