//! The prose parts of the report: what the figures changed, and how to read them.

/// Why the ureq adapter is behind, as profiled when this was first seen.
pub(crate) const UREQ_BEHIND: &str = "\
**Below target (ureq).** Cause, found with `strace` and a probe: ureq 3 resolves the host on \
*every* request, pooled connection or not (`ureq::run::connect` calls the resolver before the \
pool), and its `DefaultResolver` spawns a thread per lookup whenever a timeout applies \
(`resolve_async`) — and `learn-oauth-ureq` always sets `timeout_global`. A transport built with \
`Agent::with_parts` and a resolver that answers IP literals without a thread fetched at or above \
`oauth2`'s rate in the same probe (37-70 µs vs 48-75 µs per token). Fix belongs in \
`learn-oauth-ureq`, whose default agent now answers IP literals without a thread (commit \
bf91758); if this note shows, that was not enough on this run.";

/// What the figures changed in the code.
pub(crate) const CHANGES: &str = "\
- Part 2, warm hit (issue 9, the driver crate): one generic provider replaces the two adapter \
  copies. The warm check now runs before any loop state (blocking: a `#[cold]` slow path; async: \
  a small future that checks on its first poll and boxes the slow path only when it must wait), \
  and `Error` is 16 bytes instead of 112 (boxed payloads). The issue measured 162-178 \
  instructions (blocking) and 214-264 (async) before; the counts are in the table above.
- `learn-oauth-proto` `AccessToken::new`: the token's character check is one pass without an \
  early exit (vectorized), and the `Bearer` header is built with exact capacity instead of \
  `format!` (so `Bytes` takes the buffer over without a second allocation); `Scopes` is shared by \
  reference count, so every token parsed with the requested scopes no longer copies them. \
  9,094 → 6,606 instructions per exchange (commit 7efc4fb).
- `learn-oauth-proto` parser (its owner, after the first count): granted scopes equal to the \
  requested ones skip re-validation, ~580 fewer instructions (commit dfb8c0e).
- `learn-oauth-ureq`: end to end over ureq was 0.41× `oauth2` (10,973 vs 26,784 tokens/s at \
  commit 195c81d) because ureq 3 resolves the host on every request, on a new thread whenever a \
  timeout applies. The adapter's default agent now uses a resolver that answers IP-literal hosts \
  in place and hands names to ureq's default (commit bf91758); this run: at or above `oauth2`.
- First count, before both: 9,738 instructions (2.15× the floor, 2.2× fewer than `oauth2` through \
  the same client); targets then met: ≤ 1.5× the floor and ≥ 3× fewer than `oauth2`.
- `learn-oauth-proto` granted scopes: a run at 71826c0 counted 6,717 instructions against a floor \
  of 4,426 (1.52×, over the target; the floor had moved by −126 with no change of its own, so \
  about ±2 % is codegen). callgrind put the granted-scope check at 255 per exchange; scopes \
  spelled exactly as requested are now recognised by comparing bytes first (commit e584ae3): \
  6,571.
- Part 2, tasks: in the first report 8 tasks fell to 14.4 M calls/s (the Mutex baseline fell \
  too). A warm `token()` never waits, so a task held its worker to the end; tasks now yield every \
  1,024 calls (commit 5d0861b). The table still depends on where Tokio places the tasks: runs at \
  71826c0 and at this commit show no dip, one at 8388fe8 showed one at 2 tasks (14.4 M calls/s), \
  for ours and the Mutex alike. Dealing tasks evenly over \
  two single-thread runtimes was tried and dropped (ours then rose with the task count, 20 → 30 M \
  calls/s, but the Go-style provider's async mutex woke tasks across runtimes and fell to \
  0.1 M calls/s, an unfair comparison).
- Part 2c, the pool (issue 12): a hit loaded two `ArcSwap`s, the shard's table and then the \
  entry's provider's snapshot. A resolved entry now keeps a copy of the snapshot in the table with \
  the provider's snapshot generation, checked with one atomic load (commit 32027ef), and the \
  copy's token, freshness and staleness sit inline in the table, one cache line fewer per hit \
  (commit 563df8b: 212 → 209 instructions; at one thread 730 → about 520 ns per hit). \
  `pool_threads` interleaves the sides' runs (commit bb48172): run one side after the other, the \
  VM's drifting memory latency fell on whichever side ran, and pool ÷ map at 2, 4 and 8 threads \
  went from 6.6×/6.8×/3.4× to 1.7×/2.4×/5.5× between two runs minutes apart. The count \
  was 278 instructions against one provider's 143 (1.94×) at cee2184, taken as the difference of \
  a 1,000-hit and a 101,000-hit run; that difference also carried the cost of building and \
  dropping 10,000 entries, which glibc's `free` made vary with the run's length (75 more and 150 \
  fewer instructions per hit, seen), and both sides shared one function, whose codegen moved the \
  provider's count by up to 30 when only the pool's code changed. Each side is now its own \
  out-of-line function counted with `--toggle-collect`; in that harness the old pool hit was 292 \
  against 154.
- `learn-oauth-ureq` (issue 16): the default agent's connection buffers are 10 KiB in and 4 KiB \
  out instead of ureq's 128 KiB each (a request head that does not fit goes through a second agent \
  with a 64 KiB output buffer, built when first needed): a provider over plain HTTP held 268 KB, \
  now the figure in section 6.
- Where the remaining difference to the floor goes (callgrind, per exchange): building the owned \
  token (~800: two allocations, the header's own byte check in `http`, an `Arc`), dropping it \
  (~840, of which ~400 is zeroizing the token, which the floor does not do). The JSON pass itself \
  is no dearer than the floor's `serde_json::from_slice` into borrowed fields (it validates UTF-8 \
  once for the whole body).
";

pub(crate) const NOTES: &str = "\
- Instruction counts are deterministic and the primary figure for part 1; times on these shared \
  2-core machines move by 10-30 % between runs. Throughput with more threads than cores measures \
  contention, not scaling.
- Maxima under load (part 3) are dominated by the OS scheduler (8 busy threads on 2 cores: a \
  thread preempted mid-call waits a full time slice); p50/p99 are the comparable figures.
- The noise row is the 1-minute load average and the number of `rustc` processes at the start of \
  each step; a load above the core count means other work competed with that step.
- Section 4 (both sides in one process, sharing the mock's thread) swings from run to run more \
  than its ratios suggest: right after a run at 375a1c7 whose table showed reqwest at 0.83×, the \
  same bench binary on a quiet machine gave reqwest 8.06k vs 8.09k tokens/s (1.00×) and ureq \
  8.62k vs 8.48k (1.02×). Section 4b's client instruction counts are the stable comparison.
- Reproduce: `scripts/bench-report.sh` (criterion with short measurement times, callgrind, the \
  peers, memory, footprint; about 15 minutes on 2 cores, more on the first run, which installs Go \
  and authlib). `cargo bench -p learn-oauth-bench` runs the criterion benches and \
  the refresh run with criterion's defaults.
";
