//! No dependency logs a credential or a token, at any level, through tracing-subscriber's
//! `fmt` at TRACE with tracing-log's `LogTracer` bridging every `log` record into it
//! (tracing events of hyper and h2 included); the blocking transport, whose HTTP stack
//! would dump the exchange at TRACE, refuses to send instead. Its own binary: a process
//! has one subscriber and one logger.

mod dependency_logs_common;

use dependency_logs_common::{Capture, Ureq, run};

#[test]
fn tracing_subscriber_with_the_log_bridge_at_trace_gets_no_credential_or_token_and_ureq_refuses_to_send() {
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(|| Capture)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this process");
    tracing_log::LogTracer::init().expect("the only logger of this process");
    run(Ureq::Refuses, split_records);
}

/// One string per event: each starts with a line that starts with its timestamp
/// (`2026-…`); the lines after it without one are its multi-line message.
fn split_records(text: &str) -> Vec<String> {
    let mut records: Vec<String> = Vec::new();
    for line in text.lines() {
        let starts_event = line
            .as_bytes()
            .get(..5)
            .is_some_and(|head| head[..4].iter().all(u8::is_ascii_digit) && head[4] == b'-');
        match records.last_mut() {
            Some(record) if !starts_event => {
                record.push('\n');
                record.push_str(line);
            }
            _ => records.push(line.to_owned()),
        }
    }
    records
}
