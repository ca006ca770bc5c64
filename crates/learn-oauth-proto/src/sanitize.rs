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
/// so that none of it survives into an error.
///
/// How a spelling is found in server text:
///
/// - **In any letter case** (`S3CRET` for `s3cret`; `%2B` and `%2b` alike, as .NET's
///   `HttpUtility.UrlEncode` writes lower case): a server that upper-cases what it echoes
///   still shows the secret to whoever reads the log.
/// - **With any ASCII character percent-escaped**: `%XX` in server text matches the
///   character it encodes, whichever characters the server's encoder chose to escape.
/// - **Truncated**: any start of a spelling that covers at least the first
///   [`MIN_PREFIX`] characters of the secret (the whole secret when it is shorter) is
///   redacted too, so a server that cuts the echo short does not leak most of it. Inside
///   Basic credentials, the start that encodes the client id and at least the first
///   [`MIN_PREFIX`] characters of the secret, up to the last whole base64 group.
/// - **Split by hidden characters**: zero-width and bidi characters inside an echo are
///   skipped, so `s3c\u{200b}ret` is found (they are escaped visibly anyway, by
///   [`excerpt`]).
///
/// Not covered: numeric HTML entities or `\u` escapes of ordinary characters outside
/// JSON (inside JSON, the parser has already decoded them, so the raw spelling matches),
/// and an echo of the secret's end alone. Empty for options not built from a
/// configuration. Zeroized on drop; `Debug` shows only how many there are.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Redactions(Vec<Spelling>);

/// How many characters from its start make a piece of the secret worth redacting.
///
/// Eight characters of a random secret cannot turn up in a server's message by chance,
/// so redacting them costs nothing in false positives, and a shorter leftover (at most
/// seven characters) leaves the secret's remaining characters to guess. A fraction of the
/// secret's length (say half) would let a long secret's echo keep tens of characters.
/// A secret of eight characters or fewer is only redacted whole.
const MIN_PREFIX: usize = 8;

/// A way of writing text: as is, form-urlencoded, percent-encoded, escaped.
type Encoding = fn(&str) -> String;

/// One spelling of the secret, and how long a start of it counts as the secret.
#[derive(Clone, PartialEq, Eq)]
struct Spelling {
    text: Zeroizing<String>,
    /// The fewest characters of `text`, from its start, that are redacted.
    min_chars: usize,
}

impl Spelling {
    /// `full`, of which the first `min_chars` characters (at least one, at most all)
    /// count.
    fn new(full: String, min_chars: usize) -> Self {
        let min_chars = min_chars.clamp(1, full.chars().count().max(1));
        Spelling {
            text: Zeroizing::new(full),
            min_chars,
        }
    }

    /// The end (a byte offset) of the longest start of this spelling that stands at the
    /// start of `text`, when it has at least `min_chars` characters. Letters match in any
    /// case; a percent escape in `text` matches the ASCII character it encodes; hidden
    /// characters in `text` after the first match are skipped (and included).
    fn match_at(&self, text: &str) -> Option<usize> {
        let (mut matched, mut end, mut at) = (0, 0, 0);
        'spelling: for wanted in self.text.chars() {
            while let Some(found) = text[at..].chars().next() {
                let step = if same_letter(found, wanted) {
                    Some(found.len_utf8())
                } else {
                    percent_escaped(&text[at..])
                        .filter(|&decoded| same_letter(decoded, wanted))
                        .map(|_| 3)
                };
                if let Some(step) = step {
                    at += step;
                    matched += 1;
                    end = at;
                    continue 'spelling;
                }
                if matched == 0 || !is_hidden(found) {
                    break 'spelling;
                }
                at += found.len_utf8();
            }
            break;
        }
        (matched >= self.min_chars).then_some(end)
    }
}

/// The ASCII character a `%XX` escape at the start of `text` encodes (hex in either case).
fn percent_escaped(text: &str) -> Option<char> {
    match text.as_bytes() {
        [b'%', high, low, ..] if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
            let byte = (hex_value(*high) << 4) | hex_value(*low);
            byte.is_ascii().then(|| char::from(byte))
        }
        _ => None,
    }
}

/// The value of an ASCII hex digit.
fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit.to_ascii_uppercase().wrapping_sub(b'A').wrapping_add(10),
    }
}

impl Redactions {
    /// The spellings of `secret` (sent by `client_id`) to remove from server text.
    pub(crate) fn of_secret(client_id: &str, secret: &str) -> Self {
        if secret.is_empty() {
            return Self::default();
        }
        let prefix_end = secret
            .char_indices()
            .nth(MIN_PREFIX)
            .map_or(secret.len(), |(at, _)| at);
        let prefix = &secret[..prefix_end];
        let whole = prefix_end == secret.len();
        // Encodings that write each character on its own: the start of the encoded secret
        // that encodes its first characters.
        let encodings: [Encoding; 5] = [
            str::to_owned,
            form,
            encode_path_segment,
            |s| escaped(s, html_escape),
            |s| escaped(s, json_escape),
        ];
        let mut spellings: Vec<Spelling> = encodings
            .into_iter()
            .map(|encode| {
                let prefix = Zeroizing::new(encode(prefix));
                Spelling::new(encode(secret), prefix.chars().count())
            })
            .collect();
        // Base64 of `head` + the encoded secret (Basic credentials, or the secret alone):
        // the whole groups that encode the head and the secret's first characters.
        let heads: [(String, Encoding); 4] = [
            (format!("{client_id}:"), str::to_owned),
            (format!("{}:", form(client_id)), form),
            (
                format!("{}:", encode_path_segment(client_id)),
                encode_path_segment,
            ),
            (String::new(), str::to_owned),
        ];
        for (head, encode) in heads {
            let full = Zeroizing::new(format!("{head}{}", encode(secret)));
            let covered = head.len() + Zeroizing::new(encode(prefix)).len();
            let encoded = BASE64.encode(full.as_bytes());
            let min_chars = if whole { encoded.len() } else { covered / 3 * 4 };
            spellings.push(Spelling::new(encoded, min_chars));
        }
        // Longest first; the longest match at a position wins anyway.
        spellings.sort_by(|a, b| {
            b.text
                .len()
                .cmp(&a.text.len())
                .then_with(|| a.text.as_str().cmp(b.text.as_str()))
                .then_with(|| a.min_chars.cmp(&b.min_chars))
        });
        spellings.dedup();
        Self(spellings)
    }

    /// The first match in `text` at or after byte `from`: its start and end.
    fn next_match(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        text[from..].char_indices().find_map(|(offset, _)| {
            let at = from + offset;
            let end = self.0.iter().filter_map(|s| s.match_at(&text[at..])).max()?;
            Some((at, at + end))
        })
    }

    /// Whether `text` contains any spelling (or a long enough start of one).
    pub(crate) fn found_in(&self, text: &str) -> bool {
        !self.0.is_empty() && self.next_match(text, 0).is_some()
    }

    /// `text` with every spelling (and every long enough start of one) replaced by
    /// `[redacted]`, leftmost first, each match as long as it goes.
    pub(crate) fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.0.is_empty() {
            return Cow::Borrowed(text);
        }
        let Some(first) = self.next_match(text, 0) else {
            return Cow::Borrowed(text);
        };
        let mut out = String::with_capacity(text.len());
        let mut kept_from = 0;
        let mut found = Some(first);
        while let Some((start, end)) = found {
            out.push_str(&text[kept_from..start]);
            out.push_str(REDACTED);
            kept_from = end;
            found = self.next_match(text, end);
        }
        out.push_str(&text[kept_from..]);
        Cow::Owned(out)
    }
}

impl fmt::Debug for Redactions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactions({} spellings, redacted)", self.0.len())
    }
}

/// `s` form-urlencoded (`application/x-www-form-urlencoded`: a space is `+`).
fn form(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Whether two characters are the same letter in any case (or simply equal).
fn same_letter(a: char, b: char) -> bool {
    a == b
        || if a.is_ascii() && b.is_ascii() {
            a.eq_ignore_ascii_case(&b)
        } else {
            a.to_lowercase().eq(b.to_lowercase())
        }
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
/// spaces, hidden characters ([`is_hidden`]) escaped visibly (`\u{202e}`) and every long
/// token-like run replaced by `[redacted]`. (Known secrets are removed first, with
/// [`Redactions::apply`].)
///
/// Hidden characters are escaped rather than removed: removing them would join what they
/// separate (two halves of a token into one run the output shows whole), and the escape
/// shows the reader that the server sent them. Inside a token-like run they neither end
/// the run nor count towards its length, so a token split by zero-width spaces is still
/// one run.
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    let mut run = Run::default();
    let truncated = text.chars().nth(max_chars).is_some();
    for c in text.chars().take(max_chars) {
        if is_token_char(c) {
            run.text.push(c);
            run.token_chars += 1;
            continue;
        }
        if run.token_chars > 0 && is_hidden(c) {
            run.text.push(c);
            continue;
        }
        run.flush(&mut out);
        push_shown(&mut out, c);
    }
    // A run cut by the length limit may be the start of a token: keep it only when it
    // is clearly a short word.
    if truncated && run.token_chars >= TOKEN_RUN / 2 {
        run = Run::default();
        out.push_str(REDACTED);
    }
    run.flush(&mut out);
    if truncated {
        out.push('…');
    }
    out
}

/// A run of token-like characters (and the hidden characters inside it).
#[derive(Default)]
struct Run {
    text: String,
    /// How many of its characters are token-like.
    token_chars: usize,
}

impl Run {
    /// Writes the run to `out` (`[redacted]` when it is long enough to be a token) and
    /// empties it.
    fn flush(&mut self, out: &mut String) {
        if self.token_chars >= TOKEN_RUN {
            out.push_str(REDACTED);
        } else {
            self.text.chars().for_each(|c| push_shown(out, c));
        }
        self.text.clear();
        self.token_chars = 0;
    }
}

/// Writes `c` as a reader should see it: hidden characters as `\u{…}`, control
/// characters as a space, anything else as itself.
fn push_shown(out: &mut String, c: char) {
    if is_hidden(c) {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    } else if c.is_control() {
        out.push(' ');
    } else {
        out.push(c);
    }
}

/// Whether `c` is hidden from a reader or changes how the text around it reads: the
/// Unicode `Default_Ignorable_Code_Point` characters (zero-width spaces and joiners, the
/// bidi marks, embeddings, overrides and isolates U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069, the byte order mark, soft hyphens, fillers, variation
/// selectors, tag characters), the interlinear annotation characters, and the line and
/// paragraph separators (which end a log line as a newline does).
fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

#[cfg(test)]
mod tests;
