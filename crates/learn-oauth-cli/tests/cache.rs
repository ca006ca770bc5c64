//! The cache across invocations: permissions, refusals, corruption, the refresh point,
//! and concurrent invocations sharing one fetch — real processes against the mock.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{World, finish, mode, run};
use learn_oauth_mock::Fault;

#[test]
fn files_are_0600_in_a_0700_directory_and_hold_no_secret() {
    let world = World::new();
    let token = run(&mut world.cli(), &["token"]).expect(0).stdout;
    assert_eq!(mode(&world.cache_dir()), 0o700);
    let entries = world.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(mode(&entries[0]), 0o600);
    let name = entries[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        name.len(),
        "0123456789abcdef0123456789abcdef.value".len(),
        "{name}"
    );
    let bytes = fs::read(&entries[0]).unwrap();
    let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !holds(token.trim_end()),
        "the token is sealed, never in the clear"
    );
    assert!(!holds(common::SECRET), "never the secret");
    for file in fs::read_dir(world.cache_dir()).unwrap() {
        let path = file.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        let bytes = fs::read(&path).unwrap();
        let secret = common::SECRET.as_bytes();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "{}",
            path.display()
        );
        assert!(
            path.extension().is_none_or(|e| e != "tmp"),
            "no temporary file left"
        );
    }
}

#[test]
fn a_file_others_may_read_is_refused_unread_and_replaced() {
    let world = World::new();
    run(&mut world.cli(), &["token"]).expect(0);
    let entry = world.entries().remove(0);
    fs::set_permissions(&entry, fs::Permissions::from_mode(0o644)).unwrap();
    let refused = run(&mut world.cli(), &["token"]).expect(0);
    refused.stderr_has("refusing the cache file");
    refused.stderr_has("mode 0644");
    assert_eq!(world.token_requests(), 2, "not read: a new token");
    assert_eq!(mode(&entry), 0o600, "replaced by a private file");
    run(&mut world.cli(), &["token"]).expect(0);
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn a_directory_others_may_enter_is_refused_and_the_token_fetched_without_it() {
    let world = World::new();
    fs::create_dir_all(world.cache_dir()).unwrap();
    fs::set_permissions(world.cache_dir(), fs::Permissions::from_mode(0o777)).unwrap();
    let first = run(&mut world.cli(), &["token"]).expect(0);
    first.stderr_has("refusing the cache directory");
    run(&mut world.cli(), &["token"]).expect(0);
    assert_eq!(world.token_requests(), 2);
    assert!(world.entries().is_empty(), "nothing written there");
}

#[test]
fn a_corrupt_or_truncated_file_is_a_miss_and_replaced() {
    let world = World::new();
    run(&mut world.cli(), &["token"]).expect(0);
    let entry = world.entries().remove(0);
    let good = fs::read(&entry).unwrap();
    for (bad, label) in [
        (&good[..good.len() / 2], "truncated"),
        (&b"\0\xffnot json"[..], "garbage"),
    ] {
        fs::write(&entry, bad).unwrap();
        let before = world.token_requests();
        let replaced = run(&mut world.cli(), &["token"]).expect(0);
        assert!(replaced.stderr.is_empty(), "{label}: {}", replaced.stderr);
        assert_eq!(world.token_requests(), before + 1, "{label}: a miss");
        run(&mut world.cli(), &["token"]).expect(0);
        assert_eq!(
            world.token_requests(),
            before + 1,
            "{label}: replaced by a good entry"
        );
    }
}

/// Waits until `elapsed` has passed since `since` (the tokens' own clock: what a test of
/// a refresh point has to let run).
fn until_elapsed(since: Instant, elapsed: Duration) {
    while since.elapsed() < elapsed {
        std::thread::yield_now();
    }
}

/// A world whose tokens live 20 s: with the default policy, another invocation takes one
/// from the cache while it has more than its widest refresh window left (10 s, 12 s with
/// jitter: for its first 8 s), and falls back on it until its usable time ends (20 s less
/// a quarter: 15 s). Returns the world, a token and when it was asked for and received.
fn twenty_second_token() -> (World, String, Instant, Instant) {
    let world = World::with(learn_oauth_mock::MockServer::builder().token_lifetime(Duration::from_secs(20)));
    let asked = Instant::now();
    let token = run(&mut world.cli(), &["token"]).expect(0).stdout;
    (world, token, asked, Instant::now())
}

#[test]
fn a_token_is_reused_until_the_lifecycles_refresh_point() {
    let (world, token, asked, _) = twenty_second_token();
    let reused = run(&mut world.cli(), &["token"]).expect(0).stdout;
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "too slow to tell: {:?}",
        asked.elapsed()
    );
    assert_eq!(reused, token);
    assert_eq!(world.token_requests(), 1, "before the refresh point: reused");
}

#[test]
fn past_the_refresh_point_a_new_token_is_fetched_or_a_failed_refresh_falls_back() {
    let (world, token, asked, received) = twenty_second_token();
    until_elapsed(received, Duration::from_millis(8_200));
    world.server.enqueue_n(10, Fault::status(503));
    let stale = run(&mut world.cli(), &["token"]).expect(0);
    assert!(
        asked.elapsed() < Duration::from_secs(15),
        "too slow to tell: {:?}",
        asked.elapsed()
    );
    assert_eq!(stale.stdout, token, "the endpoint failed: the cached token");
    stale.stderr_has("using the cached one");
    world.server.clear_faults();
    let before = world.token_requests();
    let next = run(&mut world.cli(), &["token"]).expect(0).stdout;
    assert_ne!(next, token, "the endpoint answers: a new token");
    assert_eq!(world.token_requests(), before + 1);
}

#[test]
fn past_its_usable_time_a_cached_token_is_never_a_fallback() {
    let (world, _, _, received) = twenty_second_token();
    until_elapsed(received, Duration::from_millis(15_200));
    world.server.enqueue_n(10, Fault::status(503));
    run(&mut world.cli(), &["token"]).expect(4);
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let world = World::new();
    run(&mut world.cli(), &["--no-cache", "token"]).expect(0);
    assert!(world.entries().is_empty());
    run(&mut world.cli(), &["token"]).expect(0);
    run(&mut world.cli(), &["token", "--no-cache"]).expect(0);
    assert_eq!(world.token_requests(), 3);
}

#[test]
fn sixteen_processes_on_a_cold_cache_make_one_token_request() {
    let world = World::new();
    let children: Vec<_> = (0..16)
        .map(|_| {
            world
                .cli()
                .arg("token")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawns")
        })
        .collect();
    let runs: Vec<_> = children
        .into_iter()
        .map(|child| finish(child.wait_with_output().expect("finishes")).expect(0))
        .collect();
    assert_eq!(world.token_requests(), 1, "one fetch shared by sixteen processes");
    assert!(
        runs.iter().all(|r| r.stdout == runs[0].stdout),
        "all got the same token"
    );
    assert!(runs.iter().all(|r| r.stderr.is_empty()));
}

/// Waits (bounded) until `done` holds, re-checking as fast as the condition allows.
fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::yield_now();
    }
}

/// The lease file some process holds in `world`'s cache, if any.
fn held_lease(world: &World) -> Option<std::path::PathBuf> {
    fs::read_dir(world.cache_dir())
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "lock"))
        .find(|p| {
            let file = fs::File::open(p).unwrap();
            rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared).is_err()
        })
}

/// An invocation whose token request hangs at the mock for `delay`, once it holds the
/// cache's lease and its request is at the mock.
fn holder_mid_request(world: &World, delay: Duration) -> std::process::Child {
    world.server.enqueue(Fault::Delay(delay));
    let holder = world
        .cli()
        .arg("token")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    until("the holder's lease", Duration::from_secs(10), || {
        held_lease(world).is_some()
    });
    until(
        "the holder's request at the mock",
        Duration::from_secs(10),
        || world.server.pending_faults() == 0,
    );
    holder
}

#[test]
fn a_lock_holder_that_hangs_delays_others_only_until_their_timeout() {
    let world = World::new();
    let mut holder = holder_mid_request(&world, Duration::from_secs(30));
    // `--timeout 1`: it waits for the holder at most half of that, then asks itself.
    let asked = Instant::now();
    let waited = run(&mut world.cli(), &["--timeout", "1", "token"]).expect(0);
    assert!(asked.elapsed() < Duration::from_secs(3), "{:?}", asked.elapsed());
    assert!(!waited.stdout.trim().is_empty());
    assert_eq!(
        world.token_requests(),
        1,
        "its own request (the holder's still hangs)"
    );
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
}

#[test]
fn a_waiter_takes_the_token_the_lock_holder_stored() {
    let world = World::new();
    let holder = holder_mid_request(&world, Duration::from_secs(2));
    let waiter = world.cli().arg("token").stdout(Stdio::piped()).spawn().unwrap();
    let stored = finish(holder.wait_with_output().unwrap()).expect(0);
    let waited = finish(waiter.wait_with_output().unwrap()).expect(0);
    assert_eq!(waited.stdout, stored.stdout);
    assert_eq!(world.token_requests(), 1, "one request, the holder's");
}

#[test]
fn cache_path_list_and_clear() {
    let world = World::new();
    let path = run(&mut world.cli(), &["cache", "path"]).expect(0);
    assert_eq!(path.stdout, format!("{}\n", world.cache_dir().display()));
    let token = run(&mut world.cli(), &["token", "--scope", "api/read"])
        .expect(0)
        .stdout;
    let list = run(&mut world.cli(), &["cache", "list"]).expect(0);
    assert_eq!(list.stdout.lines().count(), 1, "{}", list.stdout);
    let entry = world.entries().remove(0);
    list.stdout_has(&entry.file_name().unwrap().to_string_lossy());
    list.stdout_has("(fresh)");
    assert!(!list.stdout.contains(token.trim_end()), "never the token");
    let clear = run(&mut world.cli(), &["cache", "clear"]).expect(0);
    assert!(
        clear.stdout.starts_with("removed 1 cached token"),
        "{}",
        clear.stdout
    );
    assert!(world.entries().is_empty());
    run(&mut world.cli(), &["token", "--scope", "api/read"]).expect(0);
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn the_cache_falls_back_to_home_without_xdg_cache_home() {
    let world = World::new();
    let mut command = world.cli();
    command.env_remove("XDG_CACHE_HOME");
    let path = run(&mut command, &["cache", "path"]).expect(0);
    assert_eq!(
        path.stdout,
        format!("{}\n", world.home.path().join(".cache/learn-oauth").display())
    );
}

#[test]
fn a_tampered_entry_is_not_trusted() {
    let world = World::new();
    let token = run(&mut world.cli(), &["token"]).expect(0).stdout;
    let entry = world.entries().remove(0);
    let mut bytes = fs::read(&entry).unwrap();
    // Past the file's header: a byte of the sealed value.
    let at = bytes.len() - 5;
    bytes[at] ^= 1;
    fs::write(&entry, bytes).unwrap();
    let next = run(&mut world.cli(), &["token"]).expect(0);
    assert!(next.stderr.is_empty(), "{}", next.stderr);
    assert_ne!(next.stdout, token, "refused, never served");
    assert_eq!(world.token_requests(), 2);
}

#[test]
fn a_lock_holder_killed_mid_fetch_does_not_block_the_next_invocation() {
    let world = World::new();
    // The first request hangs at the mock: its invocation holds the cache lock meanwhile.
    world.server.enqueue(Fault::Delay(Duration::from_secs(30)));
    let mut holder = world
        .cli()
        .arg("token")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    // Its request has reached the mock (the fault is taken) only once it holds the lock.
    let started = Instant::now();
    while world.server.pending_faults() != 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the holder's request reached the mock"
        );
        std::thread::yield_now();
    }
    let lock = fs::read_dir(world.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "lock"))
        .expect("the holder's lock file");
    let probe = fs::File::open(&lock).unwrap();
    let try_lock = || rustix::fs::flock(&probe, rustix::fs::FlockOperation::NonBlockingLockExclusive);
    assert!(try_lock().is_err(), "the holder holds the lock while it fetches");
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
    assert!(try_lock().is_ok(), "the kernel let go of a killed holder's lock");
    rustix::fs::flock(&probe, rustix::fs::FlockOperation::Unlock).unwrap();
    // The kernel released the dead holder's lock: the next invocation fetches at once,
    // well before its own 20 s lock timeout.
    let asked = Instant::now();
    let next = run(&mut world.cli(), &["--timeout", "20", "token"]).expect(0);
    assert!(asked.elapsed() < Duration::from_secs(5), "{:?}", asked.elapsed());
    assert!(!next.stdout.trim().is_empty());
    assert!(next.stderr.is_empty(), "no lock warning: {}", next.stderr);
    // The mock counts answered requests: the killed holder's is still hanging there.
    assert_eq!(world.token_requests(), 1);
}
