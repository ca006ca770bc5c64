//! Turning server-provided text into something safe to keep in an error.

/// Runs of token-like characters at least this long are replaced by `[redacted]`: access
/// tokens, JWTs and secrets are long unbroken runs; words in messages are not.
const TOKEN_RUN: usize = 24;

/// Returns at most `max_chars` characters of `text`, with control characters turned into
/// spaces and every long token-like run replaced by `[redacted]`.
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
        out.push_str("[redacted]");
    }
    flush_run(&mut out, &mut run);
    if truncated {
        out.push('…');
    }
    out
}

fn flush_run(out: &mut String, run: &mut String) {
    if run.chars().count() >= TOKEN_RUN {
        out.push_str("[redacted]");
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
    fn a_run_cut_by_the_limit_is_not_kept_if_it_may_be_a_token() {
        let s = excerpt("x 0123456789abcdefghijklmnop", 16);
        assert!(!s.contains("0123456789"), "{s}");
    }
}
