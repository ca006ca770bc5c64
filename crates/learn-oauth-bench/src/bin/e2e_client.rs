//! One side of the out-of-process end-to-end run, against a mock in another process
//! (`scripts/bench-peers.sh` starts `learn-oauth-mock` and passes its token URL):
//!
//! ```text
//! e2e_client <side> rate <token-url> <seconds>   # 200 warm-up tokens, then for <seconds>
//! e2e_client <side> fetch <token-url> <n>        # exactly <n> tokens (for callgrind)
//! e2e_client ours-ureq warm <token-url> <n>      # <n> warm token() calls, one thread
//! ```
//!
//! Sides: `ours-ureq`, `ours-reqwest`, `oauth2-ureq`, `oauth2-reqwest` (see
//! `learn_oauth_bench::e2e`). `rate` and `fetch` print `tokens<TAB>seconds<TAB>tokens_per_s`;
//! `warm` prints `calls<TAB>ns_per_call`. The Go and Python peers under `peers/` print the
//! same lines. No token is ever printed.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use learn_oauth_bench::e2e::{Budget, Client, warm_hit};

/// Untimed tokens before a `rate` run: the connection is open and every path is warm.
const WARMUP: u64 = 200;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [side, mode, url, amount] = args.as_slice() else {
        eprintln!("usage: e2e_client <side> rate|fetch|warm <token-url> <seconds|n>");
        return ExitCode::from(2);
    };
    let Some(amount) = amount.parse::<f64>().ok().filter(|a| a.is_finite() && *a >= 0.0) else {
        eprintln!("e2e_client: not a number: {amount:?}");
        return ExitCode::from(2);
    };
    let n = amount as u64;
    let client = || Client::new(side, url);
    let run = match mode.as_str() {
        "rate" => client().map(|c| c.fetch(WARMUP, Budget::For(Duration::from_secs_f64(amount)))),
        "fetch" => client().map(|c| c.fetch(0, Budget::Count(n))),
        "warm" if side == "ours-ureq" => {
            let elapsed = warm_hit(url, n.max(1));
            let ns = elapsed.as_secs_f64() * 1e9 / n.max(1) as f64;
            println!("{n}\t{ns:.1}");
            return ExitCode::SUCCESS;
        }
        _ => None,
    };
    let Some((tokens, elapsed)) = run else {
        eprintln!("e2e_client: unknown side or mode: {side} {mode} (warm is ours-ureq's only)");
        return ExitCode::from(2);
    };
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { tokens as f64 / secs } else { 0.0 };
    println!("{tokens}\t{secs:.3}\t{rate:.0}");
    ExitCode::SUCCESS
}
