//! # learn-oauth-bench
//!
//! Benchmarks of `learn-oauth` against the crate a Rust user would pick instead
//! (`oauth2` 5) and against the practical floor, as ratios. Not published.
//!
//! - [`fixture`]: the one canned exchange every side is measured on (the spec's 200
//!   response shape with a ~250-byte JWT, `api/read api/write`, `expires_in: 3600`), and
//!   both sides' configuration for it.
//! - [`exchange`], [`warm`], [`auth`], [`pool`]: one call of each side — an in-memory
//!   exchange, a warm `token()`, an authorized request, a pool hit — shared by the
//!   criterion benches (`benches/`) and the instruction-count bin (`src/bin/count.rs`, run
//!   under callgrind).
//! - [`baseline`]: the caches ours is compared with on the warm path and across a
//!   refresh (`benches/warm_hit.rs`, `benches/refresh_under_load.rs`).
//! - [`loopback`]: the mock server and the peer's HTTP clients for it.
//! - [`e2e`]: one side's end-to-end run against a mock in another process, and our
//!   warm hit over it (`src/bin/e2e_client.rs`, driven by `scripts/bench-peers.sh`).
//!
//! `scripts/bench-report.sh` runs everything and writes `BENCHMARKS.md` from
//! `benchmarks/report.md.in` (`src/bin/bench_report.rs`).
#![forbid(unsafe_code)]

pub mod auth;
pub mod baseline;
pub mod e2e;
pub mod exchange;
pub mod fixture;
pub mod loopback;
pub mod pool;
pub mod warm;
