//! Sections 1 to 2c: what one call costs — a token exchange, a warm hit, an authorized
//! request, a hit in the many-tenant pool.

use std::fmt::Write as _;

use crate::charts::Charts;
use crate::format::{count, nanos, opt, per_second, ratio};
use crate::inputs::Inputs;

pub(crate) fn exchange(w: &mut String, i: &Inputs) {
    let ours = i.instructions("ours");
    let via = i.instructions("ours-via-client");
    let peer = i.instructions("oauth2");
    let floor = i.instructions("floor");
    let client = i.instructions("client");
    let t = |id| i.median_ns("exchange", id);
    let _ = writeln!(
        w,
        "## 1. Exchange CPU cost (in memory, no network)\n\n\
         Build one token request and parse one canned 200 response (the spec's shape, a 250-byte JWT, \
         `api/read api/write`, `expires_in: 3600`). Instructions are counted with callgrind \
         (difference between 11,000 and 1,000 exchanges, divided by 10,000); times are criterion medians.\n"
    );
    let _ = writeln!(
        w,
        "| figure | ours | oauth2 5 | floor | oauth2 ÷ ours (target ≥ 3×) | ours ÷ floor (target ≤ 1.5×) |\n|---|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        w,
        "| instructions per exchange, core only | {} | {} | {} | {} | {} |",
        opt(ours, count),
        opt(peer, count),
        opt(floor, count),
        ratio(peer, ours),
        ratio(ours, floor)
    );
    let _ = writeln!(
        w,
        "| instructions per exchange, both through the same in-memory client | {} | {} | — | {} | — |",
        opt(via, count),
        opt(peer, count),
        ratio(peer, via)
    );
    let _ = writeln!(
        w,
        "| time per exchange, core only | {} | {} | {} | {} | {} |",
        opt(t("ours"), nanos),
        opt(t("oauth2"), nanos),
        opt(t("floor"), nanos),
        ratio(t("oauth2"), t("ours")),
        ratio(t("ours"), t("floor"))
    );
    let _ = writeln!(
        w,
        "| time per exchange, same in-memory client | {} | {} | — | {} | — |\n",
        opt(t("ours-via-client"), nanos),
        opt(t("oauth2"), nanos),
        ratio(t("oauth2"), t("ours-via-client"))
    );
    let _ = writeln!(
        w,
        "The in-memory client (`oauth2` needs one: it takes an owned `http::Response`) costs {} instructions \
         ({}) per call on its own: a copy of the body and a one-entry header map.\n",
        opt(client, count),
        opt(t("client"), nanos)
    );
}

pub(crate) fn warm(w: &mut String, i: &Inputs, charts: &Charts) {
    let _ = writeln!(
        w,
        "## 2. Warm-cache hit\n\n`token()` on a provider holding a usable token (ours: `learn-oauth-ureq` / \
         `learn-oauth-reqwest` `TokenProvider`). Baselines: a `Mutex<Option<AccessToken>>` with an expiry \
         check, and a Go-style provider whose one mutex is also held across fetches. Every side reads \
         `Instant::now()` once per call.\n"
    );
    let _ = writeln!(
        w,
        "| single-thread latency (median) | ours | Mutex<Option> | Go-style | ours vs Mutex (time ratio, lower is better) | ours vs Go-style |\n|---|---:|---:|---:|---:|---:|"
    );
    for kind in ["blocking", "async"] {
        let get = |side: &str| i.median_ns("warm_hit_latency", &format!("{kind}/{side}"));
        let (o, m, g) = (get("ours"), get("mutex"), get("go-style"));
        let _ = writeln!(
            w,
            "| {kind} | {} | {} | {} | {} | {} |",
            opt(o, nanos),
            opt(m, nanos),
            opt(g, nanos),
            ratio(o, m),
            ratio(o, g)
        );
    }
    let ins = |side: &str| i.warm_instructions(side);
    let floor = ins("floor");
    let _ = writeln!(
        w,
        "\n| instructions per warm hit (callgrind, 101,000 minus 1,000 calls) | count | ÷ floor | target |\n|---|---:|---:|---|"
    );
    for (side, label, target) in [
        ("blocking", "ours, blocking `token()`", "≤ 150"),
        (
            "blocking-store",
            "ours, blocking, with a shared store configured (never touched when warm)",
            "= blocking",
        ),
        (
            "async",
            "ours, async `token()` polled once (includes the poll)",
            "≤ 150",
        ),
        (
            "polled-blocking",
            "the poll alone: blocking `token()` in `std::future::ready`, polled the same way",
            "—",
        ),
        ("mutex", "`Mutex<Option<AccessToken>>`", "—"),
        (
            "floor",
            "floor: clock read, `ArcSwap` load, compare, `Arc` clone",
            "—",
        ),
    ] {
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {target} |",
            opt(ins(side), count),
            ratio(ins(side), floor)
        );
    }
    for (group, what) in [
        ("warm_hit_threads", "threads"),
        (
            "warm_hit_tasks",
            "tasks (2 worker threads, each task yields every 1,024 calls)",
        ),
    ] {
        let _ = writeln!(
            w,
            "\n| throughput, {what}: million calls/s | ours | Mutex<Option> | Go-style | ours ÷ Mutex | ours ÷ Go-style |\n|---|---:|---:|---:|---:|---:|"
        );
        for n in [1u32, 2, 4, 8] {
            // One measured iteration is a round of one call per thread.
            let get = |side: &str| {
                i.median_ns(group, &format!("{side}/{n}"))
                    .map(|ns| per_second(ns) * f64::from(n) / 1e6)
            };
            let (o, m, g) = (get("ours"), get("mutex"), get("go-style"));
            let f = |v: f64| format!("{v:.1}");
            let _ = writeln!(
                w,
                "| {n} | {} | {} | {} | {} | {} |",
                opt(o, f),
                opt(m, f),
                opt(g, f),
                ratio(o, m),
                ratio(o, g)
            );
        }
        if group == "warm_hit_threads" {
            let _ = write!(w, "\n{}", charts.threads);
        }
    }
    let _ = writeln!(w);
}

pub(crate) fn authorized(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 2b. An authorized request on the warm path: the tower layer vs by hand\n\n\
         One request to an in-memory service that answers 200 at once, with the async provider holding a \
         fresh token (`src/auth.rs`). *By hand* is `token()` polled once plus \
         `headers.insert(AUTHORIZATION, token.authorization_header())`; the layer also clones the request \
         for a possible 401 retry (`CloneBody`; `NoReplay` skips that), boxes its future and reads the \
         verdict. The reqwest middleware runs the same `BearerAttempt` plus `Request::try_clone`. \
         Instructions per request (callgrind, 101,000 minus 1,000 requests).\n"
    );
    let _ = writeln!(
        w,
        "| side | instructions | over the inner call alone | layer ÷ by hand |\n|---|---:|---:|---:|"
    );
    let inner = i.auth_instructions("inner");
    let by_hand = i.auth_instructions("by-hand");
    for (side, label) in [
        ("layer", "`AuthLayer` (replay by clone)"),
        ("layer-no-replay", "`AuthLayer::without_retry()`"),
        ("by-hand", "token attached by hand"),
        ("inner", "the inner call alone"),
    ] {
        let n = i.auth_instructions(side);
        let over = n.zip(inner).map(|(n, inner)| n - inner);
        let vs = match side {
            "layer" | "layer-no-replay" => n
                .zip(by_hand)
                .map_or("n/a".into(), |(n, b)| format!("{:.2}×", n / b)),
            _ => String::new(),
        };
        let _ = writeln!(w, "| {label} | {} | {} | {vs} |", opt(n, count), opt(over, count));
    }
    let _ = writeln!(w);
}

pub(crate) fn pool(w: &mut String, i: &Inputs) {
    let _ = writeln!(
        w,
        "## 2c. Many tenants: the token pool\n\n\
         Warm hits through a `TokenPool` of 10,000 keys (each holding a token; the key `insert` \
         returned), one provider's warm hit, and a `Mutex<HashMap<PoolKey, Provider>>` of 10,000 keys \
         (lock, look up, clone the provider, unlock, `token()`), over the canned in-memory exchange \
         (`src/pool.rs`). Keys come in a scattered order, as many tenants' requests do: 10,000 \
         providers do not fit in cache, so at 1–2 threads both sides wait on memory (four or five \
         cache lines a hit), and the lock shows only once threads outnumber the cores. The pool's shards are copy-on-write `hashbrown` tables behind \
         `ArcSwap` (lock-free reads; one foldhash per lookup): chosen over `dashmap` (a read lock per \
         hit) and `papaya`/`scc` (new dependencies for what arc-swap, already ours, does). A resolved \
         entry keeps a copy of its provider's published snapshot beside it in the table, with the \
         provider's snapshot generation: a hit checks the generation (one atomic load) and reads the \
         copy, instead of loading the provider's own `ArcSwap` after the shard's; when the provider has \
         published since (a new token, a refresh started, an invalidation), the hit goes through the \
         provider and the slow path puts a new copy in the table.\n"
    );
    let _ = writeln!(
        w,
        "| instructions per warm hit (callgrind: inside one out-of-line function per side, `pool_count::hit_*`, 100,000 calls; the key is chosen outside it; the call's own entry and exit included) | count | pool ÷ this | target |\n|---|---:|---:|---|"
    );
    let pool = i.pool_instructions("pool");
    for (side, label, target) in [
        ("pool", "pool, 10,000 keys", ""),
        ("provider", "one provider", "pool within 1.5×"),
        ("mutex-map", "`Mutex<HashMap>`, 10,000 keys", ""),
    ] {
        let n = i.pool_instructions(side);
        let vs = pool
            .zip(n)
            .map_or("n/a".into(), |(p, n)| format!("{:.2}×", p / n));
        let _ = writeln!(w, "| {label} | {} | {vs} | {target} |", opt(n, count));
    }
    let _ = writeln!(
        w,
        "\n| warm hit, ns per call (median of 5 runs, the sides' runs interleaved) | 1 thread | 2 | 4 | 8 |\n|---|---:|---:|---:|---:|"
    );
    for side in ["pool", "provider", "mutex-map"] {
        let cells: Vec<String> = ["1", "2", "4", "8"]
            .iter()
            .map(|t| opt(i.pool_ns(side, t), nanos))
            .collect();
        let _ = writeln!(w, "| {side} | {} |", cells.join(" | "));
    }
    let ratios: Vec<String> = ["1", "2", "4", "8"]
        .iter()
        .map(|t| match (i.pool_ns("mutex-map", t), i.pool_ns("pool", t)) {
            (Some(m), Some(p)) => format!("{:.2}×", m / p),
            _ => "n/a".into(),
        })
        .collect();
    let _ = writeln!(
        w,
        "| pool vs `Mutex<HashMap>` (target ≥ 2× at 2, 4, 8) | {} |",
        ratios.join(" | ")
    );
    let entry = i
        .pool_footprint
        .get("entry_bytes")
        .and_then(|v| v.first())
        .cloned();
    let _ = writeln!(
        w,
        "\nHeap held per pool entry with a token (counting allocator, 10,000 entries): **{} bytes** \
         (target ≤ 4 KB); the entries share one transport, so a real client's buffers are paid once per \
         pool, not per tenant.\n",
        entry.unwrap_or_else(|| "n/a".into())
    );
}
