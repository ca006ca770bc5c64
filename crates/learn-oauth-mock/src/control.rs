//! The control endpoint (`/mock/…`, when enabled): faults, counts, revocation and the
//! clock over HTTP, for shell users and test suites in other languages.
//!
//! | request | effect | answer |
//! |---|---|---|
//! | `GET /mock/state` | — | `{"token_requests", "resource_requests", "pending_faults", "peak_token_requests", "peak_connections", "token_requests_over_limit"}` |
//! | `POST /mock/faults` | queue the faults in the body: specs separated by whitespace or newlines (`status=503*2 delay=500`) | the state |
//! | `DELETE /mock/faults` | drop every queued fault | the state |
//! | `POST /mock/resource` | the protected resource's next answer: body `STATUS [WWW-Authenticate value]` | the state |
//! | `POST /mock/revoke` | invalidate every token issued | the state |
//! | `POST /mock/clock` | move the clock forward by the body's SECONDS | the state |
//!
//! A bad body is a 400 with the vendor envelope saying what is wrong; nothing is applied.
//!
//! Only this machine's own clients are answered: a request whose `Host` is not a loopback
//! address with the mock's port (`127.0.0.0/8`, `[::1]` or `localhost`), or that carries an
//! `Origin` other than the mock's own, is a 403 and changes nothing. A web page the
//! developer visits can send requests to a loopback port (a cross-site form or `fetch`:
//! its browser adds the page's `Origin`) and can point its own host name at 127.0.0.1
//! (DNS rebinding: the browser sends that name as `Host`); neither gets through. curl,
//! the `learn-oauth` command and test suites send no `Origin` and a loopback `Host`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use serde_json::{Value, json};

use crate::fault::Fault;
use crate::http1::Request;
use crate::reply::Response;
use crate::state::Shared;

/// The control endpoint's path prefix.
pub(crate) const CONTROL_PATH: &str = "/mock/";

/// Answers a request under [`CONTROL_PATH`].
pub(crate) fn handle(shared: &Shared, request: &Request) -> Response {
    if let Some(refusal) = refusal(request, shared.config.port, shared.config.https) {
        return Response::envelope(403, Value::String(refusal.to_owned()));
    }
    let body = String::from_utf8_lossy(&request.body);
    let body = body.trim();
    let action = request.path().strip_prefix(CONTROL_PATH).unwrap_or_default();
    let result = match (request.method.as_str(), action) {
        ("GET", "state") => Ok(()),
        ("POST", "faults") => body
            .split_whitespace()
            .map(Fault::parse_spec)
            .collect::<Result<Vec<_>, _>>()
            .map(|faults| shared.lock().faults.extend(faults.into_iter().flatten()))
            .map_err(|e| e.to_string()),
        ("DELETE", "faults") => {
            shared.lock().faults.clear();
            Ok(())
        }
        ("POST", "resource") => {
            resource_answer(body).map(|answer| shared.lock().resource_answers.push_back(answer))
        }
        ("POST", "revoke") => {
            shared.lock().tokens.revoke_all();
            Ok(())
        }
        ("POST", "clock") => body
            .parse::<u64>()
            .map(|secs| shared.lock().tokens.advance_clock(Duration::from_secs(secs)))
            .map_err(|_| "the body must be whole SECONDS".to_owned()),
        (_, "state" | "faults" | "resource" | "revoke" | "clock") => {
            return Response::envelope(405, "method not allowed".into());
        }
        _ => return Response::envelope(404, "no such control: see the learn-oauth-mock docs".into()),
    };
    match result {
        Ok(()) => Response::json(200, &state(shared)),
        Err(message) => Response::envelope(400, Value::String(message)),
    }
}

/// `STATUS [CHALLENGE]` for the protected resource.
fn resource_answer(body: &str) -> Result<(u16, Option<String>), String> {
    let (status, challenge) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let status = status
        .parse()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or("the body must be STATUS [WWW-Authenticate value], e.g. 401")?;
    let challenge = challenge.trim();
    Ok((status, (!challenge.is_empty()).then(|| challenge.to_owned())))
}

/// The counts a test checks.
fn state(shared: &Shared) -> Value {
    let state = shared.lock();
    json!({
        "token_requests": state.request_count(),
        "resource_requests": state.resource_requests,
        "pending_faults": state.faults.len(),
        "peak_token_requests": state.token_requests.peak,
        "peak_connections": state.connections.peak,
        "token_requests_over_limit": state.over_limit,
    })
}

/// Why a control request is refused, if it is: it must name a loopback `Host` with
/// `port`, and carry no `Origin` or the mock's own (`http`, or `https` when `https`).
fn refusal(request: &Request, port: u16, https: bool) -> Option<&'static str> {
    let mut hosts = request.headers.iter().filter(|(name, _)| name == "host");
    let host_ok = match (hosts.next(), hosts.next()) {
        (Some((_, host)), None) => is_loopback_authority(host, port, https),
        _ => false,
    };
    if !host_ok {
        return Some(
            "the control endpoint answers only requests whose Host is a loopback address with \
             this port (127.0.0.1, [::1] or localhost)",
        );
    }
    let scheme: &[u8] = if https { b"https://" } else { b"http://" };
    let foreign = request
        .headers
        .iter()
        .filter(|(name, _)| name == "origin")
        .any(|(_, origin)| {
            !origin
                .strip_prefix(scheme)
                .is_some_and(|authority| is_loopback_authority(authority, port, https))
        });
    foreign.then_some(
        "the control endpoint refuses requests from web pages: an Origin other than this \
         mock's own; curl and other clients send none",
    )
}

/// Whether `authority` (a `Host` value, or an `Origin` after its scheme) is a loopback
/// address or `localhost` with `port`; the port may be left out only when it is the
/// scheme's default.
fn is_loopback_authority(authority: &[u8], port: u16, https: bool) -> bool {
    let Ok(authority) = std::str::from_utf8(authority) else {
        return false;
    };
    // `[v6]:port` or `name:port`, the `:port` optional.
    let (host, after_host) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((v6, rest)) => (v6, rest),
            None => return false,
        },
        None => authority
            .find(':')
            .map_or((authority, ""), |colon| authority.split_at(colon)),
    };
    let port_ok = match after_host.strip_prefix(':') {
        Some(digits) => {
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<u16>().ok() == Some(port)
        }
        None => after_host.is_empty() && port == if https { 443 } else { 80 },
    };
    let host_ok = if authority.starts_with('[') {
        host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
    } else {
        host.eq_ignore_ascii_case("localhost") || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    };
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::{is_loopback_authority, refusal};
    use crate::http1::Request;

    fn request(headers: &[(&str, &str)]) -> Request {
        Request {
            method: "POST".to_owned(),
            target: "/mock/revoke".to_owned(),
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
                .collect(),
            body: Vec::new(),
            keep_alive: false,
        }
    }

    #[test]
    fn over_https_only_an_https_origin_is_the_mocks_own() {
        let host = ("host", "localhost:8443");
        assert_eq!(refusal(&request(&[host]), 8443, true), None);
        assert_eq!(
            refusal(
                &request(&[host, ("origin", "https://localhost:8443")]),
                8443,
                true
            ),
            None
        );
        assert!(refusal(&request(&[host, ("origin", "http://localhost:8443")]), 8443, true).is_some());
        assert!(
            refusal(
                &request(&[host, ("origin", "https://localhost:8443"), ("origin", "null")]),
                8443,
                true
            )
            .is_some(),
            "every Origin counts"
        );
    }

    #[test]
    fn loopback_authorities_with_the_port_pass_and_nothing_else() {
        for ok in [
            "127.0.0.1:8080",
            "127.1.2.3:8080",
            "[::1]:8080",
            "localhost:8080",
            "LocalHost:8080",
        ] {
            assert!(is_loopback_authority(ok.as_bytes(), 8080, false), "{ok}");
        }
        for refused in [
            "evil.example:8080",
            "evil.example",
            "127.0.0.1",
            "127.0.0.1:8081",
            "127.0.0.1:",
            "127.0.0.1:+8080",
            "127.0.0.1:8080:8080",
            "localhost.:8080",
            "localhost.evil.example:8080",
            "10.0.0.1:8080",
            "0.0.0.0:8080",
            "[::2]:8080",
            "[::1:8080",
            "[::ffff:127.0.0.1]:8080",
            "::1:8080",
            "",
        ] {
            assert!(
                !is_loopback_authority(refused.as_bytes(), 8080, false),
                "{refused}"
            );
        }
        assert!(is_loopback_authority(b"localhost", 80, false));
        assert!(is_loopback_authority(b"[::1]", 443, true));
        assert!(!is_loopback_authority(b"localhost", 443, false));
        assert!(!is_loopback_authority(&[0xff, b':', b'1'], 1, false));
    }
}
