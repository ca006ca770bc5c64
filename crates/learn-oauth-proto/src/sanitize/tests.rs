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
fn bidi_and_zero_width_characters_are_escaped_visibly() {
    assert_eq!(
        excerpt("paid \u{202e}0001$\u{202c} ok\u{200b}!\u{feff}", 100),
        "paid \\u{202e}0001$\\u{202c} ok\\u{200b}!\\u{feff}"
    );
    assert_eq!(excerpt("a\u{2028}b\u{e0041}c", 100), "a\\u{2028}b\\u{e0041}c");
    for c in [
        '\u{61c}', '\u{200e}', '\u{200f}', '\u{2066}', '\u{2069}', '\u{2060}', '\u{200d}',
    ] {
        assert!(!excerpt(&format!("x{c}y"), 10).contains(c), "{c:?}");
    }
    assert_eq!(
        excerpt("na\u{ef}ve caf\u{e9}", 100),
        "na\u{ef}ve caf\u{e9}",
        "letters stay"
    );
}

#[test]
fn hidden_characters_do_not_split_a_token_like_run() {
    let token = "eyJhbGciOiJI\u{200b}UzI1NiJ9\u{2060}abcdefgh";
    assert_eq!(excerpt(&format!("bad {token} here"), 200), "bad [redacted] here");
    // A short word with a hidden character in it stays a short word.
    assert_eq!(excerpt("ab\u{200b}cd", 200), "ab\\u{200b}cd");
}

#[test]
fn the_secret_is_redacted_in_any_letter_case() {
    let r = Redactions::of_secret("id", "Ab3kLm9pQr7x");
    assert_eq!(r.apply("bad AB3KLM9PQR7X here"), "bad [redacted] here");
    assert_eq!(r.apply("bad ab3klm9pqr7x here"), "bad [redacted] here");
    let basic = BASE64.encode("id:Ab3kLm9pQr7x");
    assert_eq!(r.apply(&format!("auth {basic}")), "auth [redacted]");
}

#[test]
fn a_long_start_of_the_secret_is_redacted_and_a_short_one_kept() {
    let secret = "Ab3$kLm9 #pQr7!xYz";
    let r = Redactions::of_secret("ten:ant", secret);
    assert_eq!(
        r.apply("bad Ab3$kLm9, here"),
        "bad [redacted], here",
        "8 characters"
    );
    assert_eq!(r.apply("bad AB3$KLM9 #P here"), "bad [redacted] here");
    assert_eq!(r.apply("bad Ab3$kLm here"), "bad Ab3$kLm here", "7 characters");
    let pct = encode_path_segment(&secret[..10]);
    assert_eq!(r.apply(&format!("bad {pct}")), "bad [redacted]");
    let form: String = form_urlencoded::byte_serialize(&secret.as_bytes()[..9]).collect();
    assert_eq!(r.apply(&format!("bad {form}")), "bad [redacted]");
    // Basic credentials of a cut secret: the groups that hold the id and the
    // secret's start are gone.
    let cut = BASE64.encode(format!("ten:ant:{}", &secret[..9]));
    let shown = r.apply(&cut);
    assert!(shown.starts_with(REDACTED), "{shown}");
    assert!(shown.len() <= REDACTED.len() + 4, "{shown}");
    // A secret of eight characters or fewer only whole.
    let short = Redactions::of_secret("id", "s3cretXY");
    assert_eq!(short.apply("s3cretX s3cretXY"), "s3cretX [redacted]");
}

#[test]
fn an_echo_split_by_hidden_characters_or_escaped_at_will_is_still_found() {
    let r = Redactions::of_secret("id", "Ab3kLm9pQr7x");
    assert_eq!(r.apply("x Ab3k\u{200b}Lm9p\u{202e}Qr7x y"), "x [redacted] y");
    assert_eq!(
        r.apply("x \u{202e}Ab3kLm9pQr7x\u{202c} y"),
        "x \u{202e}[redacted]\u{202c} y"
    );
    assert_eq!(
        r.apply("x %41b%33kLm9pQr7x y"),
        "x [redacted] y",
        "escapes of plain letters"
    );
    assert!(r.found_in("%61%62%33%6B%6c%6D%39%70"));
    assert!(!r.found_in("%4"));
}

#[test]
fn a_run_cut_by_the_limit_is_not_kept_if_it_may_be_a_token() {
    let s = excerpt("x 0123456789abcdefghijklmnop", 16);
    assert!(!s.contains("0123456789"), "{s}");
}
