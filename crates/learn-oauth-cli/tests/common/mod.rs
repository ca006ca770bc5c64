//! The harness: the real `learn-oauth` binary against an in-process mock, with private
//! cache and config directories and no `LEARN_*` variable but those a test sets.
#![allow(dead_code)] // each test file uses part of it

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use learn_oauth_mock::{MockServer, Tenant};

/// The tenant the mock knows.
pub(crate) const TENANT: &str = "eu-west-2_CliTest";
/// Its secret: a canary that must never appear in any output.
pub(crate) const SECRET: &str = "CANARY-secret-5e1f";

/// One test's world: a mock, a home with XDG cache and config directories.
pub(crate) struct World {
    pub(crate) server: MockServer,
    pub(crate) home: tempfile::TempDir,
}

impl World {
    pub(crate) fn new() -> Self {
        Self::with(MockServer::builder())
    }

    pub(crate) fn with(builder: learn_oauth_mock::MockServerBuilder) -> Self {
        let server = builder
            .tenant(Tenant::new(TENANT, SECRET))
            .start()
            .expect("mock starts");
        World {
            server,
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn cache_home(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    pub(crate) fn config_home(&self) -> PathBuf {
        self.home.path().join("config")
    }

    /// The cache directory the CLI uses.
    pub(crate) fn cache_dir(&self) -> PathBuf {
        self.cache_home().join("learn-oauth")
    }

    /// The cache's value files (`*.value`: a sealed token, or a cool-down marker).
    pub(crate) fn entries(&self) -> Vec<PathBuf> {
        let Ok(dir) = std::fs::read_dir(self.cache_dir()) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = dir
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "value"))
            .collect();
        found.sort();
        found
    }

    /// `learn-oauth` with a clean environment: HOME, XDG dirs, NO_COLOR, and only the
    /// token URL and tenant set (no secret).
    pub(crate) fn bare(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_learn-oauth"));
        command
            .env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", self.cache_home())
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("NO_COLOR", "1")
            .env("LEARN_TENANT_ID", TENANT)
            .env("LEARN_TOKEN_URL", self.server.token_url(TENANT))
            .stdin(Stdio::null());
        command
    }

    /// [`bare`](Self::bare) with the secret in `LEARN_API_SECRET`.
    pub(crate) fn cli(&self) -> Command {
        let mut command = self.bare();
        command.env("LEARN_API_SECRET", SECRET);
        command
    }

    /// A token from `learn-oauth token`, without its newline.
    pub(crate) fn token(&self) -> String {
        run(&mut self.cli(), &["token"])
            .expect(0)
            .stdout
            .trim_end()
            .to_owned()
    }

    pub(crate) fn token_requests(&self) -> usize {
        self.server.token_request_count()
    }
}

/// What a run gave.
pub(crate) struct Run {
    pub(crate) status: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Fails the test unless the run exited with `status`; returns it for more checks.
    #[track_caller]
    pub(crate) fn expect(self, status: i32) -> Self {
        assert_eq!(
            self.status, status,
            "exit status\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains(SECRET),
            "the secret on stderr: {}",
            self.stderr
        );
        assert!(!self.stdout.contains(SECRET), "the secret on stdout");
        assert!(
            !self.stderr.contains("\u{1b}["),
            "colour with NO_COLOR: {}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "a panic: {}", self.stderr);
        self
    }
}

impl Run {
    /// Fails the test unless stderr contains `needle`.
    #[track_caller]
    pub(crate) fn stderr_has(&self, needle: &str) {
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not in stderr: {}",
            self.stderr
        );
    }

    /// Fails the test unless stdout contains `needle`.
    #[track_caller]
    pub(crate) fn stdout_has(&self, needle: &str) {
        assert!(
            self.stdout.contains(needle),
            "{needle:?} not in stdout: {}",
            self.stdout
        );
    }
}

pub(crate) fn run(command: &mut Command, args: &[&str]) -> Run {
    finish(command.args(args).output().expect("the binary runs"))
}

/// Runs with `input` on stdin.
pub(crate) fn run_with_stdin(command: &mut Command, args: &[&str], input: &str) -> Run {
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes stdin");
    finish(child.wait_with_output().expect("finishes"))
}

pub(crate) fn finish(output: Output) -> Run {
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The file's permission bits.
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o7777
}
