//! No dependency logs a credential or a token, at any level, through env_logger accepting
//! every record at TRACE (`RUST_LOG=trace`); the blocking transport, whose HTTP stack
//! would dump the exchange at TRACE, refuses to send instead. Its own binary: a process
//! has one logger. The tracing-subscriber setup is in `dependency_logs_tracing.rs`, a
//! filter for `ureq_proto` in `dependency_logs_filtered.rs`.

mod dependency_logs_common;

use std::io::Write as _;

use dependency_logs_common::{Capture, Ureq, run};

#[test]
fn env_logger_at_trace_gets_no_credential_or_token_and_ureq_refuses_to_send() {
    env_logger::Builder::new()
        .parse_filters("trace")
        .format(|out, record| {
            writeln!(
                out,
                "\u{1e}{} {} {}",
                record.level(),
                record.target(),
                record.args()
            )
        })
        .target(env_logger::Target::Pipe(Box::new(Capture)))
        .try_init()
        .expect("the only logger of this process");
    run(Ureq::Refuses, split_records);
}

/// One string per record: each starts with the separator the format writes.
fn split_records(text: &str) -> Vec<String> {
    text.split('\u{1e}').skip(1).map(str::to_owned).collect()
}
