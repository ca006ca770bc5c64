//! Section 4b: end to end against a mock in another process, pinned and unpinned, with
//! the peers in other languages (Go's `x/oauth2/clientcredentials`, Python's authlib), their
//! warm hits, and client instructions per loopback token. The data are what
//! `scripts/bench-peers.sh` writes into the report directory (`bench_report`'s first
//! argument):
//!
//! | file | columns |
//! |---|---|
//! | `peers_e2e.tsv` | side, mode (`pinned`/`unpinned`), tokens/s, tokens, seconds |
//! | `peers_warm.tsv` | side, ns per call, calls |
//! | `client_callgrind.tsv` | side, client instructions per loopback token |
//! | `peers_skipped.tsv` | peer, why it was not measured |
//! | `peers_versions.tsv` | peer, versions |
//! | `peers_meta.tsv` | `seconds`, `warm_calls`, `cg_low`, `cg_high` |
//!
//! Missing files or figures show as "not measured in this run" or `n/a`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::format::{count, nanos, opt, ratio};

/// Writes section 4b from the report directory named by `bench_report`'s first argument.
pub(crate) fn section(w: &mut String) {
    let dir = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_default();
    render(w, &Data::read(&dir));
}

/// Rows of a tab-separated file, each split into its columns.
type Rows = Vec<Vec<String>>;

#[derive(Debug, Default)]
struct Data {
    e2e: Rows,
    warm: Rows,
    callgrind: Rows,
    skipped: Rows,
    versions: Rows,
    meta: Rows,
}

fn rows(text: &str) -> Rows {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

impl Data {
    fn read(dir: &Path) -> Self {
        let file = |name: &str| rows(&std::fs::read_to_string(dir.join(name)).unwrap_or_default());
        Data {
            e2e: file("peers_e2e.tsv"),
            warm: file("peers_warm.tsv"),
            callgrind: file("client_callgrind.tsv"),
            skipped: file("peers_skipped.tsv"),
            versions: file("peers_versions.tsv"),
            meta: file("peers_meta.tsv"),
        }
    }

    /// Column `col` of the first row whose leading columns are `key`.
    fn find<'a>(rows: &'a Rows, key: &[&str], col: usize) -> Option<&'a str> {
        rows.iter()
            .find(|r| r.len() > col && r.iter().zip(key).all(|(a, b)| a == b))
            .map(|r| r[col].as_str())
    }

    fn number(rows: &Rows, key: &[&str], col: usize) -> Option<f64> {
        Self::find(rows, key, col)?
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
    }

    fn rate(&self, side: &str, mode: &str) -> Option<f64> {
        Self::number(&self.e2e, &[side, mode], 2)
    }

    fn warm_ns(&self, side: &str) -> Option<f64> {
        Self::number(&self.warm, &[side], 1)
    }

    fn instructions(&self, side: &str) -> Option<f64> {
        Self::number(&self.callgrind, &[side], 1)
    }

    fn meta(&self, key: &str) -> Option<&str> {
        Self::find(&self.meta, &[key], 1)
    }
}

/// The sides, as the script names them and as the report shows them.
const SIDES: [(&str, &str); 6] = [
    ("ours-ureq", "ours, ureq (`Transport::fetch_token`)"),
    ("ours-reqwest", "ours, reqwest (`Transport::fetch_token`)"),
    ("oauth2-ureq", "`oauth2` 5, ureq 2"),
    ("oauth2-reqwest", "`oauth2` 5, reqwest 0.12"),
    ("go", "Go, `x/oauth2/clientcredentials` (`Config.Token`)"),
    ("authlib", "Python, authlib (`OAuth2Session.fetch_token`)"),
];

fn render(w: &mut String, d: &Data) {
    let seconds = d.meta("seconds").unwrap_or("n/a");
    let number = |key: &str| {
        d.meta(key)
            .and_then(|v| v.parse::<f64>().ok())
            .map_or_else(|| "n/a".into(), count)
    };
    let (warm_calls, low, high) = (number("warm_calls"), number("cg_low"), number("cg_high"));
    let _ = writeln!(
        w,
        "## 4b. End to end, pinned and unpinned; peers in other languages\n\n\
         Every side runs in its own process against `learn-oauth-mock` in another process (plain \
         HTTP/1.1 on 127.0.0.1, keep-alive; HTTP Basic, `api/read api/write`, 1-hour tokens, the \
         tenant of section 4), one fresh token request per token over one kept-alive connection: \
         200 untimed tokens, then as many as fit in {seconds} s. Ours and `oauth2` 5 are section 4's \
         clients (`e2e_client`); Go is `golang.org/x/oauth2/clientcredentials` `Config.Token(ctx)` with \
         an `http.Client` in the context (`AuthStyleInHeader`); Python is authlib's `OAuth2Session` on \
         requests, `fetch_token(grant_type=\"client_credentials\")` on one session (sources in \
         `crates/learn-oauth-bench/peers/`). *Pinned*: mock and client both on core 0 (`taskset -c \
         0`), so a request and its answer never wake the other core; *unpinned*: both wherever the \
         scheduler puts them, as in section 4. Written by `scripts/bench-peers.sh`.\n"
    );
    for skipped in d.skipped.iter().filter(|r| r.len() > 1) {
        let _ = writeln!(
            w,
            "**{}: not measured in this run** ({}).\n",
            skipped[0], skipped[1]
        );
    }
    if !d.versions.is_empty() {
        let listed: Vec<String> = d
            .versions
            .iter()
            .filter(|r| r.len() > 1)
            .map(|r| format!("{}: {}", r[0], r[1]))
            .collect();
        let _ = writeln!(w, "Peer versions: {}.\n", listed.join("; "));
    }
    if d.e2e.is_empty() {
        let _ = writeln!(
            w,
            "End to end: not measured in this run (`scripts/bench-peers.sh` wrote no `peers_e2e.tsv`).\n"
        );
    } else {
        e2e(w, d);
    }
    warm(w, d, &warm_calls);
    instructions(w, d, &low, &high);
}

fn e2e(w: &mut String, d: &Data) {
    let per_s = |v: f64| count(v);
    let _ = writeln!(
        w,
        "| side: tokens/s | pinned | unpinned | pinned ÷ unpinned |\n|---|---:|---:|---:|"
    );
    for (side, label) in SIDES {
        let (p, u) = (d.rate(side, "pinned"), d.rate(side, "unpinned"));
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} |",
            opt(p, per_s),
            opt(u, per_s),
            ratio(p, u)
        );
    }
    let _ = writeln!(
        w,
        "\n| ours ÷ the other side, tokens/s (above 1.00×: ours fetches faster) | pinned, ureq | pinned, reqwest | unpinned, ureq | unpinned, reqwest |\n|---|---:|---:|---:|---:|"
    );
    for (label, other) in [
        ("ours ÷ `oauth2` 5 (same HTTP client crate)", None),
        ("ours ÷ Go", Some("go")),
        ("ours ÷ authlib", Some("authlib")),
    ] {
        let cells: Vec<String> = [
            ("pinned", "ureq"),
            ("pinned", "reqwest"),
            ("unpinned", "ureq"),
            ("unpinned", "reqwest"),
        ]
        .iter()
        .map(|(mode, transport)| {
            let ours = d.rate(&format!("ours-{transport}"), mode);
            let theirs = match other {
                None => d.rate(&format!("oauth2-{transport}"), mode),
                Some(peer) => d.rate(peer, mode),
            };
            ratio(ours, theirs)
        })
        .collect();
        let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
    }
    let _ = writeln!(
        w,
        "\nauthlib's rate is mostly Python's and requests' own work per request: a probe at c2a36d8 \
         measured 1.35 ms of CPU per token for a bare `requests.Session.post` of the same request \
         and 1.49 ms for authlib's `fetch_token`.\n"
    );
}

fn warm(w: &mut String, d: &Data, calls: &str) {
    let _ = writeln!(
        w,
        "Warm hit of each side's caching token source holding a fresh token, on one thread, \
         {calls} calls after the one that fetched it (wall time over calls). Ours: the blocking \
         provider's `token()` (`learn-oauth-ureq` `TokenProvider`). Go: `Config.TokenSource(ctx).Token()`, \
         a `ReuseTokenSource` (a mutex, an expiry check with 10 s of leeway). authlib: what its \
         request path runs before signing every request, `OAuth2Auth.ensure_active_token()` (the \
         token's expiry check; the session has `token_endpoint` and `grant_type=\"client_credentials\"`, \
         so an expired token would be fetched again), then reading `token[\"access_token\"]`.\n"
    );
    if d.warm.is_empty() {
        let _ = writeln!(
            w,
            "Warm hit: not measured in this run (`scripts/bench-peers.sh` wrote no `peers_warm.tsv`).\n"
        );
        return;
    }
    let (o, g, a) = (d.warm_ns("ours-ureq"), d.warm_ns("go"), d.warm_ns("authlib"));
    let _ = writeln!(
        w,
        "| warm hit, ns per call | ours, blocking `token()` | Go, `ReuseTokenSource.Token()` | authlib, `ensure_active_token()` | ours ÷ Go (time ratio, lower is better) | ours ÷ authlib (time ratio) |\n|---|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        w,
        "| one thread | {} | {} | {} | {} | {} |\n",
        opt(o, nanos),
        opt(g, nanos),
        opt(a, nanos),
        ratio(o, g),
        ratio(o, a)
    );
}

fn instructions(w: &mut String, d: &Data, low: &str, high: &str) {
    let _ = writeln!(
        w,
        "Client-side instructions per loopback token: the client process alone under callgrind (the \
         mock runs natively, unpinned), the difference between runs of {high} and {low} tokens over \
         the difference (start-up and the first connection cancel out).\n"
    );
    if d.callgrind.is_empty() {
        let _ = writeln!(
            w,
            "Client instructions: not measured in this run (`scripts/bench-peers.sh` wrote no \
             `client_callgrind.tsv`).\n"
        );
        return;
    }
    let _ = writeln!(
        w,
        "| transport: client instructions per loopback token | ours | `oauth2` 5 | `oauth2` ÷ ours |\n|---|---:|---:|---:|"
    );
    for transport in ["ureq", "reqwest"] {
        let o = d.instructions(&format!("ours-{transport}"));
        let p = d.instructions(&format!("oauth2-{transport}"));
        let _ = writeln!(
            w,
            "| {transport} | {} | {} | {} |",
            opt(o, count),
            opt(p, count),
            ratio(p, o)
        );
    }
    let _ = writeln!(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Data {
        Data {
            e2e: rows(
                "ours-ureq\tpinned\t30000\t60000\t2.0\nours-ureq\tunpinned\t15000\t30000\t2.0\n\
                 oauth2-ureq\tpinned\t20000\t40000\t2.0\ngo\tpinned\t10000\t20000\t2.0\n",
            ),
            warm: rows("ours-ureq\t50.0\t1000000\ngo\t100.0\t1000000\n"),
            callgrind: rows("ours-ureq\t47000\noauth2-ureq\t80000\n"),
            skipped: rows("authlib\tno venv\n"),
            versions: rows("go\tgo1.19.8\n"),
            meta: rows("seconds\t2\nwarm_calls\t1000000\ncg_low\t100\ncg_high\t1100\n"),
        }
    }

    #[test]
    fn the_ratios_are_ours_over_theirs() {
        let mut md = String::new();
        render(&mut md, &full());
        assert!(
            md.contains("| ours, ureq (`Transport::fetch_token`) | 30,000 | 15,000 | 2.00× |"),
            "{md}"
        );
        assert!(
            md.contains("| ours ÷ `oauth2` 5 (same HTTP client crate) | 1.50× | n/a | n/a | n/a |"),
            "{md}"
        );
        assert!(md.contains("| ours ÷ Go | 3.00× | n/a | n/a | n/a |"), "{md}");
        assert!(
            md.contains("| one thread | 50.0 ns | 100.0 ns | n/a | 0.50× | n/a |"),
            "{md}"
        );
        assert!(md.contains("| ureq | 47,000 | 80,000 | 1.70× |"), "{md}");
        assert!(md.contains("as many as fit in 2 s"), "{md}");
        assert!(md.contains("between runs of 1,100 and 100 tokens"), "{md}");
    }

    #[test]
    fn a_skipped_peer_is_named_with_its_reason() {
        let mut md = String::new();
        render(&mut md, &full());
        assert!(
            md.contains("**authlib: not measured in this run** (no venv)."),
            "{md}"
        );
        assert!(!md.contains("**go: not measured"), "{md}");
        assert!(md.contains("Peer versions: go: go1.19.8."), "{md}");
    }

    #[test]
    fn no_data_says_so_instead_of_failing() {
        let mut md = String::new();
        render(&mut md, &Data::read(Path::new("/nonexistent/bench-report")));
        assert!(md.contains("End to end: not measured in this run"), "{md}");
        assert!(md.contains("Warm hit: not measured in this run"), "{md}");
        assert!(
            md.contains("Client instructions: not measured in this run"),
            "{md}"
        );
        assert!(!md.contains('|'), "no empty tables: {md}");
    }
}
