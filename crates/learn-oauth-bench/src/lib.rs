//! # learn-oauth-bench
//!
//! Benchmarks of `learn-oauth` against the crate a Rust user would pick instead
//! (`oauth2` 5) and against the practical floor, as ratios. Not published.
//!
//! [`fixture`] is the canned exchange every side is measured on; [`exchange`], [`warm`],
//! [`auth`], [`pool`] and [`store`] prepare one call of each side for the criterion
//! benches (`benches/`) and the instruction-count bin (`src/bin/count.rs`);
//! [`baseline`] holds the caches ours is compared with, [`loopback`] the mock and the
//! peer's HTTP clients, [`e2e`] one client per side of the end-to-end runs.
//!
//! `scripts/bench-report.sh` runs everything and writes `BENCHMARKS.md` from
//! `benchmarks/report.md.in` (`src/bin/bench_report/`).
//!
//! A benchmark fails loudly: what is built here panics when a fixture is broken, a client
//! or runtime cannot be built, or a token request fails, rather than measure nothing.
#![forbid(unsafe_code)]

pub mod auth;
pub mod baseline;
pub mod e2e;
pub mod exchange;
pub mod fixture;
pub mod loopback;
pub mod pool;
pub mod store;
pub mod warm;
