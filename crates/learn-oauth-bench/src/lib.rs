//! # learn-oauth-bench
//!
//! Benchmarks of `learn-oauth` against the crate a Rust user would pick instead
//! (`oauth2` 5) and against the practical floor, as ratios. Not published.
//!
//! - [`fixture`]: the one canned exchange every side is measured on (the spec's 200
//!   response shape with a ~250-byte JWT, `api/read api/write`, `expires_in: 3600`).
//! - [`exchange`]: one in-memory exchange each for ours, the peer and the floor, shared by
//!   the criterion bench (`benches/exchange.rs`) and the instruction-count bin
//!   (`src/bin/exchange_count.rs`, run under callgrind).
//! - [`baseline`]: the caches ours is compared with on the warm path and across a
//!   refresh (`benches/warm_hit.rs`, `benches/refresh_under_load.rs`).
//! - [`loopback`]: the mock server and both sides' HTTP clients for it
//!   (`benches/end_to_end.rs`).
//! - [`e2e`]: one side's end-to-end run against a mock in another process, and our
//!   warm hit over it (`src/bin/e2e_client.rs`, driven by `scripts/bench-peers.sh`).
//! - [`latency`]: a small histogram for percentiles under load.
//! - [`series`]: latency per time slot through a run, for the refresh chart.
//! - [`warm`]: one warm `token()` per side, for the instruction-count bin
//!   (`src/bin/warm_count.rs`, run under callgrind).
//!
//! `scripts/bench-report.sh` runs everything and writes `BENCHMARKS.md`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod baseline;
pub mod counting;
pub mod e2e;
pub mod exchange;
pub mod fixture;
pub mod latency;
pub mod loopback;
pub mod pool;
pub mod series;
pub mod warm;
