//! With only ureq-proto's dump target filtered out (`RUST_LOG=trace,ureq_proto::util=off`,
//! narrower than the `ureq_proto=off` the docs suggest), every transport fetches and no
//! record holds a credential or a token: the blocking transport's guard watches every
//! target that would leak, and no other. Its own binary: a process has one logger.

mod dependency_logs_common;

use dependency_logs_common::{Ureq, run_with_env_logger};

#[test]
fn env_logger_at_trace_without_the_dump_target_gets_no_credential_or_token_and_ureq_fetches() {
    run_with_env_logger("trace,ureq_proto::util=off", Ureq::Fetches);
}
