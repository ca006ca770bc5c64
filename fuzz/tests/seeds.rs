//! Every committed seed is a valid input of its target and passes its checks (run on
//! stable with `cargo test --manifest-path fuzz/Cargo.toml`; `.ci/hardening.sh` does).
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use learn_oauth_fuzz::{config, lifecycle, response, store_value};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a readable seed");
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds for {target}");
    out
}

#[test]
fn parse_response_seeds_pass_the_checks() {
    for (path, bytes) in seeds("parse_response") {
        let input = response::ResponseInput::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
        assert!(
            response::parse_http(input.http).is_some(),
            "{}: a valid status",
            path.display()
        );
        response::check(&input);
    }
}

/// The seeds named for a usable token response parse into a token; every error-status
/// seed into a server error.
#[test]
fn parse_response_seeds_mean_what_their_names_say() {
    let tokens = [
        "200-documented",
        "200-string-expires-in",
        "200-float-expires-in",
        "200-string-float-expires-in",
        "200-exponent-expires-in",
        "200-lowercase-bearer",
        "200-missing-scope",
        "200-missing-expires-in",
        "200-only-access-token",
        "200-nulls",
        "200-extra-fields",
        "200-zero-expires-in",
        "200-negative-expires-in",
        "200-huge-expires-in",
        "200-u64-max-expires-in",
        "200-bom-whitespace",
        "200-escapes",
        "200-duplicate-keys",
        "200-scope-whitespace",
        "200-deep-nesting",
        "201-created",
        "200-at-padded-small-cap",
        "bare-status-line",
    ];
    for (path, bytes) in seeds("parse_response") {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a name");
        let input = response::ResponseInput::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
        let http = input
            .knobs
            .response(response::parse_http(input.http).expect("a valid status"));
        let result = input
            .knobs
            .config()
            .parse_response(&http, std::time::Instant::now());
        if tokens.contains(&name) {
            assert!(result.is_ok(), "{name}: {result:?}");
        } else if !http.status().is_success() {
            assert!(
                matches!(result, Err(learn_oauth_proto::Error::Server(_))),
                "{name}: {result:?}"
            );
        } else {
            assert!(result.is_err(), "{name}: {result:?}");
        }
    }
}

/// Knob 3 pads the body to the smallest cap: a 64-byte body is read, a 65-byte one
/// refused unread.
#[test]
fn the_padded_small_cap_reads_64_bytes_and_refuses_65() {
    let seed = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds/parse_response")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let parse = |bytes: &[u8]| {
        let input = response::ResponseInput::arbitrary_take_rest(Unstructured::new(bytes)).expect("decodes");
        let http = input
            .knobs
            .response(response::parse_http(input.http).expect("a valid status"));
        (
            http.body().len(),
            input
                .knobs
                .config()
                .parse_response(&http, std::time::Instant::now()),
        )
    };
    let (len, at) = parse(&seed("200-at-padded-small-cap"));
    assert_eq!(len, learn_oauth_proto::MIN_MAX_RESPONSE_BYTES);
    assert!(at.is_ok(), "{at:?}");
    let (len, over) = parse(&seed("200-over-padded-small-cap"));
    assert_eq!(len, learn_oauth_proto::MIN_MAX_RESPONSE_BYTES + 1);
    assert!(
        matches!(over, Err(learn_oauth_proto::Error::Response(ref e))
        if *e.problem() == learn_oauth_proto::ResponseProblem::BodyTooLarge {
            limit: learn_oauth_proto::MIN_MAX_RESPONSE_BYTES
        }),
        "{over:?}"
    );
}

#[test]
fn config_seeds_pass_the_checks() {
    for (_, bytes) in seeds("config") {
        let input = config::ConfigInput::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
        config::check(&input);
    }
}

#[test]
fn lifecycle_seeds_pass_the_checks() {
    for (_, bytes) in seeds("lifecycle") {
        let input =
            lifecycle::LifecycleInput::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
        lifecycle::check(&input);
    }
}

/// `store_value` seeds named `adopt-*` are adopted (so the fuzzer starts past the AEAD
/// check), those named `refuse-*` refused; all pass the checks.
#[test]
fn store_value_seeds_pass_the_checks_and_mean_what_their_names_say() {
    let mut adopted = 0;
    for (path, bytes) in seeds("store_value") {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a name");
        let outcome = store_value::check(&bytes);
        let refused = matches!(outcome, store_value::Outcome::Refused(_));
        if name.starts_with("adopt-") {
            assert!(!refused, "{name}: {outcome:?}");
            adopted += 1;
        } else {
            assert!(name.starts_with("refuse-"), "{name}: named adopt-* or refuse-*");
            assert!(refused, "{name}: {outcome:?}");
        }
    }
    assert!(adopted >= 4, "seeds that open: {adopted}");
}

/// Writes the `store_value` seeds (sealed values get a new random nonce each time):
/// `cargo test --manifest-path fuzz/Cargo.toml --test seeds -- --ignored`.
#[test]
#[ignore = "writes fuzz/seeds/store_value"]
fn write_store_value_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).expect("a seed directory");
        std::fs::write(dir.join(name), bytes).expect("a written seed");
    };
    for (name, bytes) in store_value::seeds() {
        write("store_value", &name, &bytes);
    }
}
