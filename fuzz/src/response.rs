//! `parse_response`: an arbitrary HTTP response through `ClientConfig::parse_response`.
//!
//! Input: four knob bytes (the configuration and the clock), then the response as
//! HTTP/1.1 text — a status line (`HTTP/1.1 200 OK`, or just `200`), header lines, an
//! empty line, the body. Seeds are therefore readable responses; see `fuzz/seeds/`.
//!
//! Checked for every input: no panic; a token only from a 2xx, with a non-empty
//! visible-ASCII value equal to the body's (last) `access_token`, `received_at == now`
//! and `now <= expires_at <= now + MAX_TOKEN_LIFETIME`; an error carries the response's
//! status, a 2xx never yields a `ServerError`-less `Transport` error, `Retry-After` is
//! bounded; and no error's `Display`, `Debug` or `source()` chain shows an
//! `access_token` value from the body or the configured client secret.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use arbitrary::Arbitrary;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use learn_oauth_proto::{
    ClientConfig, DEFAULT_MAX_RESPONSE_BYTES, Error, MAX_TOKEN_LIFETIME, MIN_MAX_RESPONSE_BYTES, Scopes,
};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

/// The longest `Retry-After` the parser believes.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The fixture tenant every configuration is built with.
pub const TENANT: &str = "eu-west-2_AbcdEfghI";

/// The fixture client secret, which no error may show. Short runs only (no run is long
/// enough for the sanitizer's token heuristic), so only the configuration's redaction of
/// the secret can hide it; the dictionary (`dict/json-oauth.dict`) holds it.
pub const SECRET: &str = "fuzz secret Q7v";

/// How many bytes of whitespace knob 3 puts before the body: a body of about 64 bytes
/// then lands at the smallest cap, so short inputs reach both sides of it.
pub const PAD: usize = MIN_MAX_RESPONSE_BYTES - 64;

/// The configuration and the clock, one byte each. Byte 0 everywhere is the default.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Knobs {
    /// The body cap: 64 KiB, 1 KiB, 1 KiB + 1, and 1 KiB with [`PAD`] bytes of
    /// whitespace before the body (after a byte order mark, when there is one).
    pub max_body: u8,
    /// The default lifetime: 1 h, zero, 1 s, 10 years.
    pub lifetime: u8,
    /// The requested scopes: none, `api/read`, `api/all api/webhooks`.
    pub scopes: u8,
    /// `now`: the origin plus this many hours.
    pub clock: u8,
}

impl Knobs {
    /// The configuration these knobs select: the fixture tenant and [`SECRET`], a custom
    /// token URL (so that any scope is accepted), the body cap, the default lifetime and
    /// the requested scopes.
    pub fn config(&self) -> ClientConfig {
        let max_body = [
            DEFAULT_MAX_RESPONSE_BYTES,
            MIN_MAX_RESPONSE_BYTES,
            MIN_MAX_RESPONSE_BYTES + 1,
            MIN_MAX_RESPONSE_BYTES,
        ][usize::from(self.max_body % 4)];
        let scopes: &[&str] = match self.scopes % 3 {
            0 => &[],
            1 => &["api/read"],
            _ => &["api/all", "api/webhooks"],
        };
        ClientConfig::builder()
            .token_url("https://learn.example/oauth2/token/{tenantId}")
            .tenant_id(TENANT)
            .client_secret(SECRET)
            .max_response_bytes(max_body)
            .default_token_lifetime(self.default_lifetime())
            .scopes(scopes)
            .build()
            .expect("every knob selects a valid configuration")
    }

    /// The lifetime assumed when a response has no `expires_in`: 1 h, zero, 1 s, 10 years.
    pub fn default_lifetime(&self) -> Duration {
        [
            Duration::from_secs(3600),
            Duration::ZERO,
            Duration::from_secs(1),
            Duration::from_secs(10 * 365 * 24 * 3600),
        ][usize::from(self.lifetime % 4)]
    }

    /// The response the parser sees: `response`, its body padded for knob 3.
    pub fn response(&self, response: Response<&[u8]>) -> Response<Vec<u8>> {
        response.map(|body| {
            if self.max_body % 4 != 3 {
                return body.to_vec();
            }
            let (bom, rest) = match body.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => (&body[..3], rest),
                None => (&[][..], body),
            };
            let mut padded = Vec::with_capacity(PAD + body.len());
            padded.extend_from_slice(bom);
            padded.resize(bom.len() + PAD, b' ');
            padded.extend_from_slice(rest);
            padded
        })
    }
}

/// One fuzz input.
#[derive(Arbitrary, Debug)]
pub struct ResponseInput<'a> {
    /// Options and clock.
    pub knobs: Knobs,
    /// The response as HTTP/1.1 text (the rest of the input).
    pub http: &'a [u8],
}

/// Reads HTTP/1.1 response text leniently. `None` when the status is not a valid code;
/// header lines that are not valid HTTP are skipped.
pub fn parse_http(text: &[u8]) -> Option<Response<&[u8]>> {
    let (head, body) = split_head(text);
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut words = status_line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let mut code = words.next().unwrap_or_default();
    if code.starts_with(b"HTTP/") {
        code = words.next().unwrap_or_default();
    }
    let status = StatusCode::from_bytes(code).ok()?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim_ascii()),
            HeaderValue::from_bytes(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Some(response)
}

/// Splits at the first empty line (`\r\n\r\n` or `\n\n`); no empty line: all head.
fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    let crlf = find(text, b"\r\n\r\n").map(|i| (i, 4));
    let lf = find(text, b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => {
            let (i, n) = if a.0 <= b.0 { a } else { b };
            (&text[..i], &text[i + n..])
        }
        (Some((i, n)), None) | (None, Some((i, n))) => (&text[..i], &text[i + n..]),
        (None, None) => (text, &[]),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Runs one input through the parser and checks every invariant; panics on a violation.
pub fn check(input: &ResponseInput<'_>) {
    let Some(response) = parse_http(input.http) else {
        return;
    };
    let response = input.knobs.response(response);
    let config = input.knobs.config();
    let now = crate::origin() + Duration::from_secs(3600 * u64::from(input.knobs.clock));
    let result = config.parse_response(&response, now);
    let again = config.parse_response(&response, now);
    assert_eq!(
        format!("{result:?}"),
        format!("{again:?}"),
        "parsing is deterministic"
    );

    let status = response.status();
    let body = response.body().as_slice();
    let secrets = secret_candidates(body, response.headers());
    match result {
        Ok(token) => {
            assert!(status.is_success(), "a token only from a 2xx, got {status}");
            assert!(
                body.len() <= config.max_response_bytes(),
                "an oversized body yields no token"
            );
            let value = token.expose_secret();
            assert!(!value.is_empty(), "a token has a value");
            assert!(
                value.bytes().all(|b| (0x21..=0x7e).contains(&b)),
                "a token is visible ASCII"
            );
            assert_eq!(token.received_at(), now);
            assert!(token.expires_at() >= now, "expires_at is not before now");
            assert!(token.lifetime() <= MAX_TOKEN_LIFETIME, "lifetime is capped");
            assert_eq!(token.expires_at(), now + token.lifetime());
            assert_eq!(
                token.authorization_header().as_bytes(),
                format!("Bearer {value}").as_bytes()
            );
            assert!(token.authorization_header().is_sensitive());
            if let Some(Fields {
                access_token,
                expires_in,
                scope,
            }) = reference_fields(body)
            {
                assert_eq!(
                    access_token.as_deref(),
                    Some(value),
                    "the token is the body's access_token"
                );
                match expires_in {
                    None | Some(serde_json::Value::Null) => {
                        assert_eq!(
                            token.lifetime(),
                            input.knobs.default_lifetime().min(MAX_TOKEN_LIFETIME)
                        );
                    }
                    Some(serde_json::Value::Number(n)) => {
                        let expected = match (n.as_u64(), n.as_i64(), n.as_f64()) {
                            (Some(u), _, _) => Duration::from_secs(u).min(MAX_TOKEN_LIFETIME),
                            (None, Some(_), _) => Duration::ZERO,
                            (None, None, Some(f)) if f <= 0.0 => Duration::ZERO,
                            (None, None, Some(f)) if f >= MAX_TOKEN_LIFETIME.as_secs_f64() => {
                                MAX_TOKEN_LIFETIME
                            }
                            (None, None, Some(f)) => Duration::from_secs_f64(f),
                            (None, None, None) => token.lifetime(),
                        };
                        assert_eq!(token.lifetime(), expected, "expires_in {n}");
                    }
                    Some(_) => {}
                }
                match scope {
                    None | Some(serde_json::Value::Null) => {
                        assert_eq!(token.scopes(), config.scopes());
                    }
                    Some(serde_json::Value::String(s)) => {
                        assert_eq!(token.scopes(), &Scopes::parse_granted(&s));
                    }
                    Some(other) => panic!("a token despite scope {other}"),
                }
            }
            let shown = format!("{token:?}");
            for secret in &secrets {
                let echoed = token
                    .scopes()
                    .iter()
                    .any(|s| s.as_str().contains(secret.as_str()));
                assert!(
                    echoed || !crate::shows(&shown, secret),
                    "token Debug shows its value"
                );
            }
        }
        Err(error) => {
            assert_eq!(error.status(), Some(status), "the error carries the status");
            match &error {
                Error::Server(e) => {
                    if let Some(delay) = e.retry_after() {
                        assert!(delay <= MAX_RETRY_AFTER, "Retry-After is capped: {delay:?}");
                    }
                    if let Some(message) = e.message() {
                        assert!(message.chars().count() <= 201, "messages are cut short");
                        assert!(
                            !message.chars().any(char::is_control),
                            "messages have no controls"
                        );
                    }
                }
                Error::Response(_) => assert!(status.is_success(), "a ResponseError only for a 2xx"),
                Error::Transport(_) => panic!("the parser never makes a transport error"),
                _ => panic!("an unknown error variant: {error:?}"),
            }
            assert_hides(&error, &secrets);
        }
    }
}

/// No `Display`, `Debug` or `source()` output of `error` shows any of `secrets`, or
/// [`SECRET`].
fn assert_hides(error: &Error, secrets: &[String]) {
    let mut outputs = vec![error.to_string(), format!("{error:?}"), format!("{error:#?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        outputs.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for output in &outputs {
        assert!(
            !crate::shows(output, SECRET),
            "an error shows the client secret: {}",
            Leak(output)
        );
    }
    for secret in secrets {
        for output in &outputs {
            if crate::shows(output, secret) {
                panic!(
                    "an error shows an access_token from the body ({} chars): {}",
                    secret.len(),
                    Leak(output)
                );
            }
        }
    }
}

/// Prints the output in a crash report (it is fuzz data, not a real secret).
struct Leak<'a>(&'a str);

impl fmt::Display for Leak<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The `access_token` values of the body that must never show in an error: every
/// top-level `access_token` string (duplicates included), and any `"access_token":"…"`
/// spelled in the raw bytes (a cut-off or otherwise invalid body), that looks like a
/// token (at least 12 characters of RFC 6750 `b64token` with a letter and a digit, so
/// that it cannot occur in an error's fixed wording by chance) and is not also in a
/// header (headers are not the body).
pub fn secret_candidates(body: &[u8], headers: &HeaderMap) -> Vec<String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut found = top_level_access_tokens(body);
    found.extend(raw_access_tokens(body));
    found.sort();
    found.dedup();
    found.retain(|t| {
        t.len() >= 12
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_alphabetic())
            && !headers
                .values()
                .any(|v| crate::shows(&String::from_utf8_lossy(v.as_bytes()), t))
    });
    found
}

/// Every top-level `"access_token"` string value, in order, duplicates included.
fn top_level_access_tokens(body: &[u8]) -> Vec<String> {
    struct Collect;
    impl<'de> Visitor<'de> for Collect {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if key == "access_token" {
                    if let serde_json::Value::String(s) = map.next_value::<serde_json::Value>()? {
                        out.push(s);
                    }
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    de.deserialize_map(Collect).unwrap_or_default()
}

/// `"access_token"` `:` `"value"` spelled anywhere in the bytes: the string decoded as
/// JSON when it is complete, else (a body cut off inside it) its bytes up to the cut
/// when they hold no escape. A value is never cut at an escape: a prefix is not the
/// token, and another field that merely starts with it is not a leak (crash-cf17dfff).
fn raw_access_tokens(body: &[u8]) -> Vec<String> {
    const KEY: &[u8] = b"\"access_token\"";
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, KEY) {
        rest = &rest[i + KEY.len()..];
        let after = rest.trim_ascii_start();
        let Some(after) = after.strip_prefix(b":") else {
            continue;
        };
        let quoted = after.trim_ascii_start();
        if !quoted.starts_with(b"\"") {
            continue;
        }
        match serde_json::Deserializer::from_slice(quoted)
            .into_iter::<String>()
            .next()
        {
            Some(Ok(value)) => out.push(value),
            _ => {
                let cut = &quoted[1..];
                if !cut.iter().any(|&b| b == b'"' || b == b'\\')
                    && let Ok(s) = std::str::from_utf8(cut)
                {
                    out.push(s.to_owned());
                }
            }
        }
    }
    out
}

/// The fields of a token response as `serde_json` reads them (last duplicate wins, as
/// in the parser): the reference the parser's token is compared with.
struct Fields {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<serde_json::Value>,
}

fn reference_fields(body: &[u8]) -> Option<Fields> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let serde_json::Value::Object(mut map) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    Some(Fields {
        access_token: match map.remove("access_token") {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        },
        expires_in: map.remove("expires_in"),
        scope: map.remove("scope"),
    })
}
