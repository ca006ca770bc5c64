//! `GET /api/v1/ping`: a protected resource that accepts only live tokens from this mock.

use serde_json::json;

use crate::http1::Request;
use crate::reply::Response;
use crate::state::Shared;

/// The resource's path.
pub(crate) const PING_PATH: &str = "/api/v1/ping";

/// Answers a request to [`PING_PATH`].
pub(crate) fn ping(shared: &Shared, request: &Request) -> Response {
    if request.method != "GET" {
        return Response::envelope(405, "method not allowed".into()).header("Allow", "GET");
    }
    let mut state = shared.lock();
    state.resource_requests += 1;
    if let Some((status, challenge)) = state.resource_answers.pop_front() {
        let response = Response::envelope(status, "scripted answer".into());
        return match challenge {
            Some(challenge) => response.header("WWW-Authenticate", challenge),
            None => response,
        };
    }
    let Some(token) = request.header("authorization").and_then(bearer_token) else {
        return Response::envelope(401, "missing bearer token".into())
            .header("WWW-Authenticate", "Bearer realm=\"learn-oauth-mock\"");
    };
    match state.tokens.validate(token) {
        Some(issued) => Response::json(200, &json!({ "ok": true, "tenant": issued.tenant })),
        None => Response::envelope(401, "invalid, expired or revoked token".into()).header(
            "WWW-Authenticate",
            "Bearer realm=\"learn-oauth-mock\", error=\"invalid_token\"",
        ),
    }
}

/// The token after `Bearer ` (scheme matched case-insensitively).
fn bearer_token(header: &[u8]) -> Option<&str> {
    let header = std::str::from_utf8(header).ok()?;
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
