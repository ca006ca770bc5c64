//! Who the CLI trusts: another local user who can write near the cache directory, a
//! cached token against the secret it was fetched with, and the hosts `api` sends the
//! token to — real processes against the mock, some as two local users.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{World, run};
use learn_oauth_mock::MockServer;

/// A throwaway local user, deleted when dropped. Creating one needs root.
struct LocalUser {
    name: String,
    uid: u32,
}

impl LocalUser {
    /// A new user, or `None` (with the reason printed) when this process is not root.
    fn create() -> Option<Self> {
        if !rustix::process::geteuid().is_root() {
            eprintln!("skipped: needs root, to create a second local user (CI runs as root)");
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("lo-attacker-{:x}", (std::process::id() ^ nanos) & 0xff_ffff);
        let created = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                &name,
            ])
            .status()
            .expect("useradd runs");
        assert!(created.success(), "useradd {name}");
        let mut user = LocalUser { name, uid: 0 };
        let id = Command::new("id")
            .args(["-u", &user.name])
            .output()
            .expect("id runs");
        user.uid = String::from_utf8_lossy(&id.stdout).trim().parse().expect("a uid");
        assert_ne!(user.uid, 0);
        Some(user)
    }
}

impl Drop for LocalUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// A 0700 directory of this user holding a `config.json`, as `~/.docker` would.
fn victim_dir(base: &Path) -> PathBuf {
    let victim = base.join("victim");
    fs::create_dir(&victim).unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(victim.join("config.json"), "{\"auths\":{}}").unwrap();
    victim
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_cache_directory_another_user_can_replace_is_refused_and_nothing_is_written_or_deleted() {
    let Some(attacker) = LocalUser::create() else {
        return;
    };
    let world = World::new();
    let victim = victim_dir(world.home.path());
    // XDG_CACHE_HOME is a directory the other user owns; they point the cache path at the
    // victim's private directory.
    let planted = world.home.path().join("attacker");
    fs::create_dir(&planted).unwrap();
    fs::set_permissions(&planted, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(&planted, Some(attacker.uid), None).unwrap();
    let link = planted.join("learn-oauth");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(attacker.uid), None).unwrap();
    let cli = || {
        let mut command = world.cli();
        command.env("XDG_CACHE_HOME", &planted);
        command
    };

    let token = run(&mut cli(), &["token"]).expect(0);
    token.stderr_has("refusing the cache directory");
    token.stderr_has(&planted.display().to_string());
    assert_eq!(names_in(&victim), ["config.json"], "nothing written there");
    let clear = run(&mut cli(), &["cache", "clear"]).expect(2);
    clear.stderr_has("refusing the cache directory");
    run(&mut cli(), &["cache", "list"]).expect(2);
    assert_eq!(names_in(&victim), ["config.json"], "nothing deleted there");
}

#[test]
fn a_symbolic_link_planted_in_a_sticky_directory_is_never_followed() {
    let world = World::new();
    let victim = victim_dir(world.home.path());
    let shared = world.home.path().join("tmp");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let link = shared.join("learn-oauth");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    if let Some(attacker) = LocalUser::create() {
        // As planted by another user (root can give the link away).
        std::os::unix::fs::lchown(&link, Some(attacker.uid), None).unwrap();
    }
    let cli = || {
        let mut command = world.cli();
        command.env("XDG_CACHE_HOME", &shared);
        command
    };
    let token = run(&mut cli(), &["token"]).expect(0);
    token.stderr_has("symbolic link");
    assert_eq!(names_in(&victim), ["config.json"], "nothing written there");
    run(&mut cli(), &["cache", "clear"])
        .expect(2)
        .stderr_has("symbolic link");
    assert_eq!(names_in(&victim), ["config.json"], "nothing deleted there");
}

#[test]
fn cache_clear_deletes_only_the_caches_entries() {
    let world = World::new();
    world.token();
    let planted = world.cache_dir().join("config.json");
    fs::write(&planted, "{}").unwrap();
    fs::set_permissions(&planted, fs::Permissions::from_mode(0o600)).unwrap();
    let clear = run(&mut world.cli(), &["cache", "clear"]).expect(0);
    clear.stdout_has("removed 1 cached token");
    assert!(planted.exists(), "a file that is not an entry survives");
    assert!(world.entries().is_empty());
}

#[test]
fn a_wrong_secret_exits_3_even_with_a_warm_cache() {
    let world = World::new();
    let token = world.token();
    let wrong = || {
        let mut command = world.cli();
        command.env("LEARN_API_SECRET", "CANARY-mistyped");
        command
    };
    let refused = run(&mut wrong(), &["token"]).expect(3);
    assert!(!refused.stdout.contains(&token), "the cached token is not served");
    run(&mut wrong(), &["check"]).expect(3);
    assert_eq!(world.token_requests(), 3, "the endpoint was asked each time");
    assert_eq!(world.token(), token, "the right secret still finds its token");
    assert_eq!(world.token_requests(), 3);
}

#[test]
fn check_says_where_the_token_came_from_and_fresh_asks_the_endpoint() {
    let world = World::new();
    run(&mut world.cli(), &["check"])
        .expect(0)
        .stdout_has("(new: the endpoint accepted the credentials)");
    run(&mut world.cli(), &["check"])
        .expect(0)
        .stdout_has("(from the cache");
    assert_eq!(world.token_requests(), 1);
    run(&mut world.cli(), &["check", "--fresh"])
        .expect(0)
        .stdout_has("(new: the endpoint accepted the credentials)");
    assert_eq!(world.token_requests(), 2);
    world.server.enqueue(learn_oauth_mock::Fault::status(401));
    run(&mut world.cli(), &["check", "--fresh"]).expect(3);
}

#[test]
fn api_refuses_a_host_that_is_not_the_api_host_before_sending() {
    let world = World::new();
    let token = world.token();
    let other = MockServer::builder().start().expect("a second host");
    let refused = run(&mut world.cli(), &["api", &other.resource_url()]).expect(2);
    refused.stderr_has("refusing to send the token to 127.0.0.1");
    refused.stderr_has("--allow-host 127.0.0.1");
    assert_eq!(other.resource_request_count(), 0, "nothing sent");
    assert_eq!(world.token_requests(), 1);
    assert_eq!(world.token(), token);
}

#[test]
fn api_sends_once_to_an_allowed_host_and_its_401_never_costs_the_token() {
    let world = World::new();
    let token = world.token();
    let other = MockServer::builder().start().expect("a second host");
    // The other host does not know the token: 401.
    let answer = run(
        &mut world.cli(),
        &["api", "--allow-host", "127.0.0.1", &other.resource_url()],
    )
    .expect(5);
    answer.stderr_has("HTTP 401");
    assert!(!answer.stderr.contains("retrying"), "{}", answer.stderr);
    assert_eq!(other.resource_request_count(), 1, "sent once");
    assert_eq!(world.token_requests(), 1, "no new token for that 401");
    assert_eq!(world.token(), token, "the cached token is kept");
    // The API host's own 401 still gets one retry with a new token.
    world.server.revoke_all_tokens();
    run(&mut world.cli(), &["api", "/api/v1/ping"])
        .expect(0)
        .stderr_has("retrying once with a new one");
    assert_eq!(world.token_requests(), 2);
}
