use std::fs;
use std::os::unix::fs::PermissionsExt as _;

use super::*;
use crate::cache::binding::KEY_LEN;
use crate::cache::names::KEY_FILE;

fn key() -> CacheKey {
    super::super::key::test_key(&[])
}

fn entry_path(cache: &Cache) -> PathBuf {
    cache.dir().join(names::entry(&key().file_stem()))
}

#[test]
fn the_directory_is_created_private() {
    let base = tempfile::tempdir().unwrap();
    let cache = Cache::open(base.path().join("a/b/learn-oauth")).unwrap();
    let mode = fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn a_directory_others_may_enter_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("learn-oauth");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let e = Cache::open(dir).unwrap_err();
    assert!(e.to_string().contains("mode 0755"), "{e}");
}

#[test]
fn a_symbolic_link_in_place_of_the_directory_is_refused_not_followed() {
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("private");
    fs::create_dir(&target).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o700)).unwrap();
    let dir = base.path().join("learn-oauth");
    std::os::unix::fs::symlink(&target, &dir).unwrap();
    let e = Cache::open(dir).unwrap_err();
    assert!(
        matches!(
            e,
            CacheError::UnsafeDir {
                problem: Unsafe::SymbolicLink,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("symbolic link"), "{e}");
}

#[test]
fn a_parent_others_may_write_is_refused_unless_sticky() {
    let base = tempfile::tempdir().unwrap();
    let open_parent = base.path().join("shared");
    fs::create_dir(&open_parent).unwrap();
    fs::set_permissions(&open_parent, fs::Permissions::from_mode(0o777)).unwrap();
    let e = Cache::open(open_parent.join("learn-oauth")).unwrap_err();
    assert!(matches!(e, CacheError::UnsafeParent { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains(&open_parent.display().to_string()), "{text}");
    assert!(text.contains("mode 0777"), "{text}");
    assert!(!open_parent.join("learn-oauth").exists(), "nothing created there");
    fs::set_permissions(&open_parent, fs::Permissions::from_mode(0o1777)).unwrap();
    Cache::open(open_parent.join("learn-oauth")).expect("a sticky parent, like /tmp");
}

#[test]
fn a_symbolic_link_in_place_of_an_entry_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let cache = Cache::open(base.path().join("c")).unwrap();
    let binding = cache.binding("s").unwrap();
    let target = base.path().join("elsewhere");
    fs::write(&target, "{}").unwrap();
    std::os::unix::fs::symlink(&target, entry_path(&cache)).unwrap();
    assert!(matches!(
        cache.load(&key(), &binding),
        Load::Refused(CacheError::UnsafeFile {
            problem: Unsafe::NotFile,
            ..
        })
    ));
}

#[test]
fn the_binding_key_is_made_once_private_and_replaced_when_corrupt() {
    let base = tempfile::tempdir().unwrap();
    let cache = Cache::open(base.path().join("c")).unwrap();
    let tag = cache.binding("CANARY-s").unwrap().tag_hex();
    let key_file = cache.dir().join(KEY_FILE);
    assert_eq!(
        fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(fs::read(&key_file).unwrap().len(), KEY_LEN);
    assert_eq!(cache.binding("CANARY-s").unwrap().tag_hex(), tag, "the same key");
    fs::write(&key_file, b"short").unwrap();
    assert_ne!(cache.binding("CANARY-s").unwrap().tag_hex(), tag, "a new key");
    assert_eq!(fs::read(&key_file).unwrap().len(), KEY_LEN);
    fs::set_permissions(&key_file, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(
        cache.binding("CANARY-s"),
        Err(CacheError::UnsafeFile { .. })
    ));
    let leftovers: Vec<_> = fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn clear_deletes_only_what_parses_as_an_entry_under_an_entry_name() {
    let base = tempfile::tempdir().unwrap();
    let cache = Cache::open(base.path().join("c")).unwrap();
    let binding = cache.binding("s").unwrap();
    let token = learn_oauth::AccessToken::new(
        "CANARY-token".into(),
        learn_oauth::config::Scopes::parse_granted(""),
        #[allow(clippy::disallowed_methods)] // a real Instant as the origin; nothing waits
        Instant::now(),
        Duration::from_secs(60),
    )
    .unwrap();
    cache
        .store(&key(), &Entry::new(&key(), &binding, &token, SystemTime::now()))
        .unwrap();
    drop(cache.lock(&key(), Duration::ZERO).unwrap());
    let write = |name: &str, text: &str| {
        let path = cache.dir().join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        path
    };
    let kept = [
        write("config.json", "{}"),
        write("ffffffffffffffffffffffffffffffff.json", "not an entry"),
        write("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.lock", "not empty"),
        write(".dddddddddddddddddddddddddddddddd.1.2.tmp", "half an ent"),
    ];
    assert_eq!(cache.clear().unwrap(), 1);
    assert!(!entry_path(&cache).exists());
    assert!(!cache.dir().join(names::lock(&key().file_stem())).exists());
    for path in kept {
        assert!(path.exists(), "{} kept", path.display());
    }
    assert!(cache.dir().join(KEY_FILE).exists(), "the key is not a token");
}

#[test]
fn a_lock_is_exclusive_and_a_waiter_gives_up_after_its_wait() {
    let base = tempfile::tempdir().unwrap();
    let cache = Cache::open(base.path().join("c")).unwrap();
    let held = cache.lock(&key(), Duration::ZERO).unwrap();
    assert!(held.is_some());
    // flock locks belong to the open file, so a second open in this process waits too.
    assert!(cache.lock(&key(), Duration::from_millis(20)).unwrap().is_none());
    drop(held);
    assert!(cache.lock(&key(), Duration::ZERO).unwrap().is_some());
}
