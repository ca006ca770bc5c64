//! No dependency logs a credential or a token, at any level, through env_logger accepting
//! every record at TRACE (`RUST_LOG=trace`); the blocking transport, whose HTTP stack
//! would dump the exchange at TRACE, refuses to send instead. Its own binary: a process
//! has one logger. The tracing-subscriber setup is in `dependency_logs_tracing.rs`, a
//! filter for `ureq_proto` in `dependency_logs_filtered.rs`.

mod dependency_logs_common;

use dependency_logs_common::{Ureq, run_with_env_logger};

#[test]
fn env_logger_at_trace_gets_no_credential_or_token_and_ureq_refuses_to_send() {
    run_with_env_logger("trace", Ureq::Refuses);
}
