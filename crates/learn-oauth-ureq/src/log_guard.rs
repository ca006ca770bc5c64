//! Refusing to send a token request that a dependency's TRACE logging would record.
//!
//! ureq's protocol layer, `ureq-proto`, logs every byte it writes and reads at TRACE under
//! the `log` target `ureq_proto::util`: rows of hex with the printable bytes beside them.
//! For a token request that is the `Authorization: Basic` header (or the form body's
//! client secret) on the way out and the access token on the way back. Neither ureq nor
//! ureq-proto has a switch or a cargo feature for it (`log`'s `max_level_*` features
//! would, for the whole program, which a library must not impose).
//!
//! So before each request the transport asks the installed logger whether it would keep
//! such a record: `log::log_enabled!`, which consults `log`'s maximum level and then the
//! logger's own filter (env_logger's directives; tracing-log's `LogTracer` asks the
//! current tracing subscriber). If it would, nothing is sent and the request fails with
//! [`TransportErrorKind::UnsafeLogging`], which is not retryable. Every other record of
//! ureq, ureq-proto, rustls and this crate carries no credential or token
//! (learn-oauth-testkit's `tests/dependency_logs*.rs` capture them all at TRACE).

use std::fmt;

use learn_oauth_proto::{TransportError, TransportErrorKind};

/// The `log` targets under which ureq-proto dumps request and response bytes, at TRACE
/// (`ureq_proto::util::log_data`, called for the request head, the request body and the
/// response as they pass).
const DUMP_TARGETS: &[&str] = &["ureq_proto::util"];

/// `Ok` when the installed logger would drop every record that dumps the exchange's bytes;
/// otherwise the transport error to fail the request with, naming the target.
pub(crate) fn check() -> Result<(), TransportError> {
    match DUMP_TARGETS
        .iter()
        .find(|&&target| log::log_enabled!(target: target, log::Level::Trace))
    {
        None => Ok(()),
        Some(&target) => Err(TransportError::with_source(
            TransportErrorKind::UnsafeLogging,
            DumpEnabled { target },
        )),
    }
}

/// The source of an [`TransportErrorKind::UnsafeLogging`] error: which target the logger
/// would keep.
#[derive(Debug)]
struct DumpEnabled {
    target: &'static str,
}

impl fmt::Display for DumpEnabled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the logger keeps trace records of target `{}`, which hex-dump the token request and response; \
             filter it below trace, e.g. RUST_LOG=...,ureq_proto=off (env_logger, tracing-subscriber's EnvFilter)",
            self.target
        )
    }
}

impl std::error::Error for DumpEnabled {}
