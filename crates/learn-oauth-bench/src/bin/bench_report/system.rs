//! Sections 2d to 5: a fleet sharing tokens, a refresh under load, end to end over
//! loopback, and the footprint.

use std::fmt::Write as _;

use crate::charts::Charts;
use crate::format::{count, nanos, opt, per_second, ratio};
use crate::inputs::Inputs;
use crate::notes::UREQ_BEHIND;

pub(crate) fn fleet(w: &mut String, i: &Inputs, charts: &Charts) {
    let table = if i.fleet.trim().is_empty() {
        "n/a (the run did not produce it)\n"
    } else {
        i.fleet.as_str()
    };
    let _ = writeln!(
        w,
        "## 2d. A fleet sharing tokens through Redis\n\n`fleet-report` (learn-oauth-testkit) starts a \
         `redis-server` on a free loopback port and the mock, then N `fleet-replica` processes at once on a \
         cold cache, each a blocking provider calling `token()` every 20 ms; with the shared store they \
         coordinate through Redis (lease, publish, adopt), without it each fetches its own. The \
         per-period columns divide by the refresh periods the run spanned: the requests of one \
         replica alone.\n\n{table}"
    );
    let _ = writeln!(w, "{}", charts.fleet);
}

pub(crate) fn refresh(w: &mut String, i: &Inputs, charts: &Charts) {
    let _ = writeln!(
        w,
        "## 3. Refresh under load\n\n8 threads call `token()` in a loop for 3.2 s from the first fetch; the \
         token lives 4 s and its refresh point (1.5 s ahead, no jitter) falls 2.5 s in. Each call's latency \
         (including one `Instant::now()`) goes into a histogram. Reference: the same run with a 1-hour token. \
         Ours refreshes on a background thread; the Go-style provider fetches with its mutex held. The bench \
         asserts that exactly one token request reached the mock during each refreshing run.\n"
    );
    let Some(rows) = i.refresh.as_ref().and_then(|v| v.as_array()) else {
        let _ = writeln!(w, "n/a (not measured in this run)\n");
        let _ = writeln!(w, "{}", charts.refresh);
        return;
    };
    let _ = writeln!(
        w,
        "| provider | refresh in the run | calls | p50 | p99 | p99.9 | max | token requests during the run |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        #[allow(clippy::cast_precision_loss)]
        let ns = |key: &str| r[key].as_u64().map_or_else(|| "n/a".into(), |v| nanos(v as f64));
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r["provider"].as_str().unwrap_or("?"),
            if r["refresh"].as_bool().unwrap_or(false) {
                "yes"
            } else {
                "no"
            },
            r["calls"]
                .as_u64()
                .map_or_else(|| "n/a".into(), |c| count(c as f64)),
            ns("p50_ns"),
            ns("p99_ns"),
            ns("p999_ns"),
            ns("max_ns"),
            r["requests"]
        );
    }
    let _ = writeln!(w, "\n{}", charts.refresh);
}

pub(crate) fn end_to_end(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 4. End to end over loopback\n\nOne token request per token against the embedded mock (plain \
         HTTP/1.1 on 127.0.0.1, keep-alive; one server thread shared by both sides). Ours: each adapter's \
         one-shot `Transport::fetch_token`. Peer: `oauth2` 5 over its own clients (reqwest 0.12 / ureq 2, \
         redirects off). Both reuse their connection.\n"
    );
    let _ = writeln!(
        w,
        "| transport | ours: tokens/s | oauth2 5: tokens/s | ours ÷ oauth2 (target ≥ 1.0×) |\n|---|---:|---:|---:|"
    );
    let mut ureq_behind = false;
    for t in ["reqwest", "ureq"] {
        let o = i.median_ns("end_to_end", &format!("{t}/ours")).map(per_second);
        let p = i.median_ns("end_to_end", &format!("{t}/oauth2")).map(per_second);
        let f = |v: f64| count(v);
        let _ = writeln!(w, "| {t} | {} | {} | {} |", opt(o, f), opt(p, f), ratio(o, p));
        if t == "ureq" {
            ureq_behind = matches!((o, p), (Some(o), Some(p)) if o < p);
        }
    }
    let _ = writeln!(w);
    if ureq_behind {
        let _ = writeln!(w, "{UREQ_BEHIND}\n");
    }
}

pub(crate) fn footprint(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 5. Footprint\n\nCrates in the normal dependency graph (`cargo tree -e normal --prefix none`, \
         unique names, the crate itself included) and one clean release build (own `CARGO_TARGET_DIR`, \
         `CARGO_PROFILE_RELEASE_DEBUG=false`, `cargo build --release`, measured once each, one after the \
         other). The peer is `oauth2` 5 with default features (reqwest 0.12 + rustls), built from a \
         throwaway crate the script creates under `target/bench-footprint/`.\n"
    );
    let (pc, pt) = i.footprint("oauth2");
    let _ = writeln!(
        w,
        "| crate | crates | build time | oauth2 ÷ ours, crates | oauth2 ÷ ours, build time |\n|---|---:|---:|---:|---:|"
    );
    for name in [
        "learn-oauth-proto",
        "learn-oauth-ureq",
        "learn-oauth-reqwest",
        "oauth2",
    ] {
        let (c, t) = i.footprint(name);
        let shown = if name == "oauth2" {
            "oauth2 5 (default features)"
        } else {
            name
        };
        let (rc, rt) = if name == "oauth2" {
            ("—".to_owned(), "—".to_owned())
        } else {
            (ratio(pc, c), ratio(pt, t))
        };
        let _ = writeln!(
            w,
            "| {shown} | {} | {} | {rc} | {rt} |",
            opt(c, count),
            opt(t, |s| format!("{s:.0} s"))
        );
    }
    let _ = writeln!(w);
}
