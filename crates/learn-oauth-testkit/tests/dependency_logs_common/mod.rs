//! What the `tests/dependency_logs*.rs` binaries share: a capture buffer for the logger
//! under test, every token fetch of both transports and flavours, and a search of the
//! captured text for the credentials and tokens in every form a logger could show them.
//!
//! Each binary installs one logger setup (a process has one global logger), accepting
//! every record at TRACE or filtering only `ureq_proto`, and then calls [`run`].

use std::io;
use std::sync::{Mutex, PoisonError};

use learn_oauth_driver::{SendAsync as _, SendBlocking as _, TokenSource, TransportOptions};
use learn_oauth_mock::{MockServer, Tenant};
use learn_oauth_proto::{AccessToken, AuthMethod, ClientConfig, Error, RefreshPolicy, TransportErrorKind};

/// The tenant, also the client id.
const TENANT: &str = "canary-tenant";
/// The client secret: distinctive, and with characters that percent- and form-encoding
/// change (`+`, `/`, `~`), so each encoded form is a separate canary.
const SECRET: &str = "Canary+Secret/Zq9~Wx7Kp-4mLd";
/// Written by the test itself, raw and as hex-dump rows, to prove that the capture and
/// the search work through the logger under test.
const PROBE: &str = "Probe-Canary-Rw8Tn3Vb-through-two-rows";

/// Everything the logger under test wrote.
static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// An [`io::Write`] appending to the capture: the logger under test writes here.
pub(crate) struct Capture;

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        CAPTURED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How the blocking transport must behave under the logger installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "each test binary constructs one variant")]
pub(crate) enum Ureq {
    /// The logger keeps `ureq_proto`'s dumps: every ureq fetch is refused unsent.
    Refuses,
    /// `ureq_proto`'s dumps are filtered out: every ureq fetch succeeds.
    Fetches,
}

/// Installs env_logger with `filters` as the process's logger, writing every record it
/// keeps to the capture (each after a separator), then [`run`]s with it.
#[allow(dead_code, reason = "the tracing binary installs a logger of its own")]
pub(crate) fn run_with_env_logger(filters: &str, ureq: Ureq) {
    use std::io::Write as _;
    env_logger::Builder::new()
        .parse_filters(filters)
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
    run(ureq, |text| {
        text.split('\u{1e}').skip(1).map(str::to_owned).collect()
    });
}

/// Logs the probe, runs every fetch (both transports, both flavours, both client-auth
/// methods, HTTP and HTTPS) expecting `ureq` of the blocking transport, then checks that
/// records were captured and that none holds the secret or a token in any form.
/// `records` splits the captured text into one string per record.
pub(crate) fn run(ureq: Ureq, records: impl Fn(&str) -> Vec<String>) {
    log::trace!(target: "dependency_logs::probe", "raw {PROBE}");
    for row in PROBE.as_bytes().chunks(16) {
        log::trace!(target: "dependency_logs::probe", "{}", hex_row(row));
    }

    let mut tokens = Vec::new();
    let mut refusals = Vec::new();
    let mut ureq_requests = 0;
    let mut attempts = Vec::new();
    for https in [false, true] {
        let server = MockServer::builder()
            .tenant(Tenant::new(TENANT, SECRET))
            .https(https)
            .start()
            .expect("mock starts");
        let options = match server.ca_certificate_pem() {
            Some(pem) => TransportOptions::new().add_root_certificates_pem(pem),
            None => TransportOptions::new(),
        };
        for auth in [AuthMethod::default(), AuthMethod::FormBody] {
            let config = ClientConfig::builder()
                .token_url(server.token_url(TENANT))
                .tenant_id(TENANT)
                .client_secret(SECRET)
                .auth_method(auth)
                .build()
                .expect("a config");
            ureq_requests += fetch_all(
                &server,
                &config,
                &options,
                &mut tokens,
                &mut refusals,
                &mut attempts,
            );
        }
    }
    assert!(tokens.len() >= 8, "fetches succeeded, so tokens crossed the wire");

    let text = String::from_utf8_lossy(&CAPTURED.lock().unwrap_or_else(PoisonError::into_inner)).into_owned();
    let records = records(&text);
    assert!(
        records.iter().filter(|r| r.contains("TRACE")).count() > 10,
        "TRACE records were captured"
    );
    for dependency in ["reqwest", "rustls"] {
        assert!(
            records.iter().any(|r| r.contains(&format!("{dependency}::"))),
            "{dependency}'s records were captured"
        );
    }
    if ureq == Ureq::Fetches {
        assert!(
            records.iter().any(|r| r.contains("ureq_proto::")),
            "ureq_proto's records below the filtered target were captured"
        );
    }

    let probe = leaks(&records, &forms_of(PROBE));
    for form in ["raw", "hex rows reassembled"] {
        assert!(
            probe.iter().any(|(_, f)| f.contains(form)),
            "the search finds the probe ({form}) in the capture: {probe:?}"
        );
    }

    let mut forms = forms_of(SECRET);
    forms.extend(forms_of(&form_urlencoded(SECRET)));
    forms.extend(forms_of(&base64(&format!("{TENANT}:{SECRET}"))));
    forms.extend(forms_of(&base64(&format!(
        "{TENANT}:{}",
        form_urlencoded(SECRET)
    ))));
    for token in &tokens {
        forms.extend(forms_of(token));
        forms.extend(forms_of(&form_urlencoded(token)));
        forms.extend(forms_of(&base64(token)));
    }
    let found = leaks(&records, &forms);
    assert!(
        found.is_empty(),
        "{} finding(s) of a credential or a token: (record index, form) {found:?}",
        found.len()
    );

    match ureq {
        Ureq::Fetches => assert!(refusals.is_empty(), "ureq refused: {refusals:?}"),
        Ureq::Refuses => {
            assert_eq!(refusals.len(), 16, "every ureq fetch was refused");
            refusals.iter().for_each(expect_refused);
            assert_eq!(ureq_requests, 0, "a refused request never reaches the server");
        }
    }
    assert!(
        attempts.iter().all(|&a| a == (1, 0)),
        "the blocking provider, asked twice, made one attempt and scheduled no retry: {attempts:?}"
    );
}

/// Every fetch over `config`: ureq one-shot, ureq provider (twice), ureq provider through
/// the async `TokenSource`, reqwest one-shot, reqwest provider. Adds the tokens fetched to
/// `tokens` and ureq's errors to `refusals` (checked after the logs, so that a leak is
/// reported as such), and the blocking provider's (attempts, retries scheduled) to
/// `attempts`. The number of token requests of ureq that reached the server.
fn fetch_all(
    server: &MockServer,
    config: &ClientConfig,
    options: &TransportOptions,
    tokens: &mut Vec<String>,
    refusals: &mut Vec<Error>,
    attempts: &mut Vec<(u64, u64)>,
) -> usize {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    let requests_before = server.token_request_count();
    let transport = learn_oauth_ureq::Transport::with_options(options).expect("a transport");
    let provider = || {
        learn_oauth_ureq::TokenProvider::builder(config.clone())
            .transport(learn_oauth_ureq::Transport::with_options(options).expect("a transport"))
            .build()
            .expect("a provider")
    };
    let blocking = provider();
    let through_token_source = provider();
    let ureq_results = [
        transport.fetch_token(config, RefreshPolicy::default().request_timeout),
        blocking.token(),
        // Asked again: a refusal holds the provider off, it does not retry.
        blocking.token(),
        runtime.block_on(TokenSource::token(&through_token_source)),
    ];
    for result in ureq_results {
        match result {
            Ok(token) => tokens.push(secret_of(token)),
            Err(error) => refusals.push(error),
        }
    }
    let ureq_requests = server.token_request_count() - requests_before;
    let stats = blocking.stats();
    attempts.push((stats.fetches, stats.retries_scheduled));

    let transport = learn_oauth_reqwest::Transport::with_options(options).expect("a transport");
    tokens.push(secret_of(
        runtime
            .block_on(transport.fetch_token(config, RefreshPolicy::default().request_timeout))
            .expect("reqwest fetches a token"),
    ));
    let provider = learn_oauth_reqwest::TokenProvider::builder(config.clone())
        .transport(learn_oauth_reqwest::Transport::with_options(options).expect("a transport"))
        .build()
        .expect("a provider");
    tokens.push(secret_of(
        runtime
            .block_on(provider.token())
            .expect("reqwest's provider fetches a token"),
    ));
    ureq_requests
}

fn secret_of(token: AccessToken) -> String {
    token.expose_secret().to_owned()
}

/// The typed refusal: not retryable, and it says which target to filter.
fn expect_refused(error: &Error) {
    let Error::Transport(transport) = error else {
        panic!("a transport error, not {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::UnsafeLogging);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("ureq_proto=off"), "{error}");
    let source = std::error::Error::source(transport.as_ref()).expect("a source naming the target");
    assert!(source.to_string().contains("`ureq_proto::util`"), "{source}");
}

/// The forms of `canary` searched for in each record: the text itself, its bytes in hex
/// with no separator, with spaces, with colons, and (through [`leaks`]) reassembled
/// from hex-dump rows across records.
fn forms_of(canary: &str) -> Vec<(String, String)> {
    let hex: Vec<String> = canary.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("raw".to_owned(), canary.to_owned()),
        ("hex".to_owned(), hex.concat()),
        ("hex with spaces".to_owned(), hex.join(" ")),
        ("hex with colons".to_owned(), hex.join(":")),
    ]
}

/// Where the `forms` occur: (index of the record, which form), in each record and in the
/// bytes of consecutive hex-dump rows of one target, reassembled. Compared ignoring ASCII
/// case, so `%2b` counts as `%2B`.
fn leaks(records: &[String], forms: &[(String, String)]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let lower = record.to_ascii_lowercase();
        for (form, text) in forms {
            if lower.contains(&text.to_ascii_lowercase()) {
                found.push((index, form.clone()));
            }
        }
    }
    let mut streams: Vec<(String, Vec<u8>, usize)> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let Some((target, bytes)) = dumped_bytes(record) else {
            continue;
        };
        match streams.iter_mut().find(|(t, _, _)| *t == target) {
            Some((_, stream, _)) => stream.extend(bytes.to_ascii_lowercase()),
            None => streams.push((target, bytes.to_ascii_lowercase(), index)),
        }
    }
    for (target, stream, first) in &streams {
        for (form, text) in forms {
            if form == "raw" && contains(stream, text.to_ascii_lowercase().as_bytes()) {
                found.push((*first, format!("hex rows reassembled ({target})")));
            }
        }
    }
    found
}

/// The bytes a hex-dump row shows, with the record's target (a bridged record's
/// `log.target` field, else the last token with `::` before the row):
/// the first run of at least two whitespace-separated tokens of one length made only of
/// hex digits or `--` (a missing byte); an all-hex text column after it has another
/// length and is not taken.
fn dumped_bytes(record: &str) -> Option<(String, Vec<u8>)> {
    let tokens: Vec<&str> = record.split_whitespace().collect();
    let is_hex = |t: &str| {
        !t.is_empty() && t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
    };
    let start = tokens.iter().position(|t| is_hex(t))?;
    let width = tokens[start].len();
    let run: Vec<&str> = tokens[start..]
        .iter()
        .take_while(|t| is_hex(t) && t.len() == width)
        .copied()
        .collect();
    if run.len() < 2 {
        return None;
    }
    let target = tokens
        .iter()
        .find_map(|t| t.strip_prefix("log.target="))
        .or_else(|| tokens[..start].iter().rev().find(|t| t.contains("::")).copied())
        .map_or_else(String::new, |t| t.trim_matches([':', ']', '"']).to_owned());
    let mut bytes = Vec::new();
    for token in run {
        for pair in token.as_bytes().chunks(2) {
            if pair != b"--" {
                let pair = std::str::from_utf8(pair).ok()?;
                bytes.push(u8::from_str_radix(pair, 16).ok()?);
            }
        }
    }
    Some((target, bytes))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// One row as ureq-proto's dump writes it: 16 bytes as eight groups of four hex digits
/// (`--` for a missing byte), then the printable bytes.
fn hex_row(row: &[u8]) -> String {
    let mut out = String::new();
    for i in 0..16 {
        match row.get(i) {
            Some(b) => out.push_str(&format!("{b:02x}")),
            None => out.push_str("--"),
        }
        if i % 2 == 1 {
            out.push(' ');
        }
    }
    for &b in row {
        out.push(if b.is_ascii_graphic() { char::from(b) } else { '.' });
    }
    out
}

/// `application/x-www-form-urlencoded`, as a form body sends it: written here so the
/// check does not use the code under test.
fn form_urlencoded(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Standard base64, written here so the check does not use the code under test.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
