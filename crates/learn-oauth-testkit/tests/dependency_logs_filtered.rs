//! With only ureq-proto's dump target filtered out (`RUST_LOG=trace,ureq_proto::util=off`,
//! narrower than the `ureq_proto=off` the docs suggest), every transport fetches and no
//! record holds a credential or a token: the blocking transport's guard watches every
//! target that would leak, and no other. Its own binary: a process has one logger.

mod dependency_logs_common;

use std::io::Write as _;

use dependency_logs_common::{Capture, Ureq, run};

#[test]
fn env_logger_at_trace_without_the_dump_target_gets_no_credential_or_token_and_ureq_fetches() {
    env_logger::Builder::new()
        .parse_filters("trace,ureq_proto::util=off")
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
    run(Ureq::Fetches, |text| {
        text.split('\u{1e}').skip(1).map(str::to_owned).collect()
    });
}
