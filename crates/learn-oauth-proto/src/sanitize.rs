//! Turning server-provided text into something safe to keep in an error.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::Zeroizing;

use crate::path_segment::encode_path_segment;

/// How much of a message, description or URI is kept.
pub(crate) const MESSAGE_EXCERPT: usize = 200;
/// How much of an error code, a vendor `error` or a message field name is kept.
pub(crate) const CODE_EXCERPT: usize = 64;

/// Text shown instead of a credential.
pub(crate) const REDACTED: &str = "[redacted]";

/// Every spelling of the client secret a server could echo back — as sent (raw, in the
/// form body, in either `Authorization: Basic` encoding), percent-encoded, HTML-escaped
/// (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`) and JSON-escaped (`\"`, `\\`, `\/`) —
/// so that none of it survives into an error. Percent escapes match in either case
/// (`%2B` and `%2b`: .NET's `HttpUtility.UrlEncode` writes lower case). Not covered:
/// numeric HTML entities or `\u` escapes of ordinary characters outside JSON (inside
/// JSON, the parser has already decoded them, so the raw spelling matches). Empty for
/// options not built from a configuration. Zeroized on drop; `Debug` shows only how many
/// there are.
#[derive(Clone, Default)]
pub(crate) struct Redactions(Vec<Zeroizing<String>>);

impl Redactions {
    /// The spellings of `secret` (sent by `client_id`) to remove from server text.
    pub(crate) fn of_secret(client_id: &str, secret: &str) -> Self {
        if secret.is_empty() {
            return Self::default();
        }
        let form: Zeroizing<String> =
            Zeroizing::new(form_urlencoded::byte_serialize(secret.as_bytes()).collect());
        let percent: Zeroizing<String> = Zeroizing::new(encode_path_segment(secret));
        let form_id: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
        let raw_pair = Zeroizing::new(format!("{client_id}:{secret}"));
        let form_pair = Zeroizing::new(format!("{form_id}:{}", form.as_str()));
        let percent_pair = Zeroizing::new(format!("{}:{}", encode_path_segment(client_id), percent.as_str()));
        let mut spellings = vec![
            Zeroizing::new(secret.to_owned()),
            Zeroizing::new(BASE64.encode(raw_pair.as_bytes())),
            Zeroizing::new(BASE64.encode(form_pair.as_bytes())),
            Zeroizing::new(BASE64.encode(percent_pair.as_bytes())),
            Zeroizing::new(BASE64.encode(secret.as_bytes())),
            Zeroizing::new(escaped(secret, html_escape)),
            Zeroizing::new(escaped(secret, json_escape)),
            form,
            percent,
        ];
        // Longest first, so a spelling that contains another is removed whole.
        spellings.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.as_str().cmp(b.as_str())));
        spellings.dedup();
        Self(spellings)
    }

    /// Whether `text` contains any spelling.
    pub(crate) fn found_in(&self, text: &str) -> bool {
        self.0.iter().any(|s| find(text, s).is_some())
    }

    /// `text` with every spelling replaced by `[redacted]`.
    pub(crate) fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for spelling in &self.0 {
            if find(&text, spelling).is_some() {
                text = Cow::Owned(replace_all(&text, spelling));
            }
        }
        text
    }
}

impl PartialEq for Redactions {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a.as_str() == b.as_str())
    }
}

impl Eq for Redactions {}

impl fmt::Debug for Redactions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactions({} spellings, redacted)", self.0.len())
    }
}

/// The first byte offset where `spelling` stands in `text`; the two hex digits after a
/// `%` match in either case.
fn find(text: &str, spelling: &str) -> Option<usize> {
    if !spelling.contains('%') {
        return text.find(spelling);
    }
    let (text, spelling) = (text.as_bytes(), spelling.as_bytes());
    (0..=text.len().checked_sub(spelling.len())?).find(|&start| {
        let candidate = &text[start..start + spelling.len()];
        let mut after_percent = 0_u8;
        candidate.iter().zip(spelling).all(|(&t, &s)| {
            let same = if after_percent > 0 {
                t.eq_ignore_ascii_case(&s)
            } else {
                t == s
            };
            after_percent = if s == b'%' {
                2
            } else {
                after_percent.saturating_sub(1)
            };
            same
        })
    })
}

/// `text` with every occurrence of `spelling` (as [`find`] matches it) replaced.
fn replace_all(text: &str, spelling: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find(rest, spelling) {
        // `spelling` is ASCII around its escapes, so `at` and `at + len` are char
        // boundaries wherever the bytes matched.
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        rest = &rest[at + spelling.len()..];
    }
    out.push_str(rest);
    out
}

/// `secret` with each character written by `escape` (or as itself).
fn escaped(secret: &str, escape: fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(secret.len() * 2);
    for c in secret.chars() {
        match escape(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    out
}

/// How HTML escapers write the characters they escape.
fn html_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
}

/// How JSON encoders write the characters they must (or often do) escape.
fn json_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '/' => "\\/",
        _ => return None,
    })
}

/// Runs of token-like characters at least this long are replaced by `[redacted]`: access
/// tokens, JWTs and secrets are long unbroken runs; words in messages are not.
const TOKEN_RUN: usize = 24;

/// Returns at most `max_chars` characters of `text`, with control characters turned into
/// spaces and every long token-like run replaced by `[redacted]`. (Known secrets are
/// removed first, with [`Redactions::apply`].)
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    let mut run = String::new();
    let truncated = text.chars().nth(max_chars).is_some();
    for c in text.chars().take(max_chars) {
        if is_token_char(c) {
            run.push(c);
            continue;
        }
        flush_run(&mut out, &mut run);
        out.push(if c.is_control() { ' ' } else { c });
    }
    // A run cut by the length limit may be the start of a token: keep it only when it
    // is clearly a short word.
    if truncated && run.chars().count() >= TOKEN_RUN / 2 {
        run.clear();
        out.push_str(REDACTED);
    }
    flush_run(&mut out, &mut run);
    if truncated {
        out.push('…');
    }
    out
}

fn flush_run(out: &mut String, run: &mut String) {
    if run.chars().count() >= TOKEN_RUN {
        out.push_str(REDACTED);
    } else {
        out.push_str(run);
    }
    run.clear();
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_survive() {
        assert_eq!(excerpt("invalid client secret", 100), "invalid client secret");
    }

    #[test]
    fn long_token_like_runs_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.abc";
        let s = excerpt(&format!("bad token {jwt} here"), 200);
        assert_eq!(s, "bad token [redacted] here");
    }

    #[test]
    fn control_characters_become_spaces_and_text_is_cut() {
        assert_eq!(excerpt("a\r\nb", 10), "a  b");
        assert_eq!(excerpt("abcdef ghi", 3), "abc…");
    }

    #[test]
    fn every_spelling_of_a_secret_is_redacted() {
        let secret = "Ab3$kLm9 #pQr7!";
        let r = Redactions::of_secret("ten:ant", secret);
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let pct = encode_path_segment(secret);
        let basic = BASE64.encode(format!("ten:ant:{secret}"));
        for echoed in [secret, form.as_str(), pct.as_str(), basic.as_str()] {
            let text = format!("bad secret {echoed} here");
            assert!(r.found_in(&text));
            assert_eq!(r.apply(&text), "bad secret [redacted] here");
        }
        assert!(matches!(r.apply("nothing to see"), Cow::Borrowed(_)));
        // Lower-case percent escapes, as .NET writes them.
        let dotnet = "bad %2bZq9%2fWx7%3dKp%25Lm";
        let r2 = Redactions::of_secret("id", "+Zq9/Wx7=Kp%Lm");
        assert_eq!(r2.apply(dotnet), "bad [redacted]");
        assert_eq!(r2.apply("bad %2BZq9%2FWx7%3DKp%25Lm"), "bad [redacted]");
        // HTML- and JSON-escaped echoes.
        let r3 = Redactions::of_secret("id", r#"a&b<c>"d'e\f/g"#);
        assert_eq!(
            r3.apply("x a&amp;b&lt;c&gt;&quot;d&#39;e\\f/g y"),
            "x [redacted] y"
        );
        assert_eq!(r3.apply(r#"x a&b<c>\"d'e\\f\/g y"#), "x [redacted] y");
        assert!(!format!("{r:?}").contains("Ab3"));
        assert!(Redactions::of_secret("id", "").apply("id").eq("id"));
    }

    #[test]
    fn a_run_cut_by_the_limit_is_not_kept_if_it_may_be_a_token() {
        let s = excerpt("x 0123456789abcdefghijklmnop", 16);
        assert!(!s.contains("0123456789"), "{s}");
    }
}
