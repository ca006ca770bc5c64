//! Real OS processes on one host sharing tokens through a store directory (`FileStore`)
//! and the mock: 16 processes make at most one token request per refresh period (+1 at
//! a lease race); a lease holder killed mid-request is no obstacle at all (the kernel
//! releases its `flock`), and one stuck mid-request holds the others up no longer than its
//! lease.
#![cfg(unix)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use learn_oauth_mock::{Fault, MockServer};
use learn_oauth_testkit::fleet::{self, ReplicaSpec, Sharing, report, run_fleet, until};
use rustix::fs::{FlockOperation, flock};

const REPLICA: &str = env!("CARGO_BIN_EXE_fleet-replica");
const RUN: Duration = Duration::from_secs(8);

#[test]
fn sixteen_processes_share_one_token_per_refresh_period() {
    let home = tempfile::tempdir().expect("a temp dir");
    let dir = home.path().join("tokens");
    let shared = run_fleet(REPLICA, 16, Sharing::from(dir.as_path()), RUN);
    shared.assert_shared(16, RUN);
}

/// The lease file in `dir` that some process holds, if any.
fn held_lease(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .map(|entry| entry.ok().map(|e| e.path()))
        .find_map(|path| {
            let path = path.filter(|p| p.extension().is_some_and(|x| x == "lock"))?;
            let file = File::open(&path).ok()?;
            flock(&file, FlockOperation::NonBlockingLockShared)
                .is_err()
                .then_some(path)
        })
}

/// A replica whose first request hangs at the mock, once it holds the lease (of its
/// request timeout plus 1 s) and its request is at the mock.
fn holder_mid_request(server: &MockServer, dir: &Path, request_timeout: Duration) -> Child {
    server.enqueue(Fault::Delay(Duration::from_secs(60)));
    let holder = ReplicaSpec {
        binary: REPLICA,
        server,
        sharing: Sharing::from(dir),
        run: Duration::from_secs(60),
        request_timeout: Some(request_timeout),
    }
    .spawn();
    until("the holder's lease", Duration::from_secs(10), || {
        held_lease(dir).is_some()
    });
    until(
        "the holder's request at the mock",
        Duration::from_secs(10),
        || server.pending_faults() == 0,
    );
    holder
}

/// A replica that asks once (a 200 ms run) with a long request timeout; how long it took.
fn successor(server: &MockServer, dir: &Path) -> (fleet::ReplicaReport, Duration) {
    let started = Instant::now();
    let spec = ReplicaSpec {
        binary: REPLICA,
        server,
        sharing: Sharing::from(dir),
        run: Duration::from_millis(200),
        request_timeout: Some(Duration::from_secs(20)),
    };
    let report = report(spec.spawn());
    (report, started.elapsed())
}

#[test]
fn a_lease_holder_killed_mid_request_blocks_nobody() {
    let home = tempfile::tempdir().expect("a temp dir");
    let dir = home.path().join("tokens");
    let server = fleet::mock();
    // A lease of 21 s: the successor must not wait for its end.
    let mut holder = holder_mid_request(&server, &dir, Duration::from_secs(20));
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
    assert_eq!(
        held_lease(&dir),
        None,
        "the kernel released the dead holder's lock"
    );
    let (successor, took) = successor(&server, &dir);
    assert_eq!(successor.leased, 1, "it took the lease at once: {successor:?}");
    assert!(
        took < Duration::from_secs(5),
        "far within the dead holder's lease: {took:?}"
    );
    // The mock counts a request once answered: the holder's is still hanging there.
    assert_eq!(
        server.token_request_count(),
        1,
        "the successor's request, answered"
    );
}

#[test]
fn a_lease_holder_stuck_mid_request_holds_the_others_up_no_longer_than_its_lease() {
    let home = tempfile::tempdir().expect("a temp dir");
    let dir = home.path().join("tokens");
    let server = fleet::mock();
    // A lease of 3 s, held by a process that stops (alive, its lock held) mid-request.
    let mut holder = holder_mid_request(&server, &dir, Duration::from_secs(2));
    let pid = rustix::process::Pid::from_child(&holder);
    rustix::process::kill_process(pid, rustix::process::Signal::STOP).expect("SIGSTOP");
    let (successor, took) = successor(&server, &dir);
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
    assert_eq!(
        successor.leased, 1,
        "it took the lease once it ended: {successor:?}"
    );
    assert!(
        took < Duration::from_secs(5),
        "no longer than the lease's rest: {took:?}"
    );
    assert!(
        Duration::from_millis(successor.max_ms) > Duration::from_millis(500),
        "it waited for the lease rather than racing the holder: {successor:?}"
    );
    assert_eq!(
        server.token_request_count(),
        1,
        "the successor's request, answered"
    );
}
