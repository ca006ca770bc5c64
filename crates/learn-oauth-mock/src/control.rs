//! The control endpoint (`/mock/…`, when enabled): faults, counts, revocation and the
//! clock over HTTP, for shell users and test suites in other languages.
//!
//! | request | effect | answer |
//! |---|---|---|
//! | `GET /mock/state` | — | `{"token_requests", "resource_requests", "pending_faults"}` |
//! | `POST /mock/faults` | queue the faults in the body: specs separated by whitespace or newlines (`status=503*2 delay=500`) | the state |
//! | `DELETE /mock/faults` | drop every queued fault | the state |
//! | `POST /mock/resource` | the protected resource's next answer: body `STATUS [WWW-Authenticate value]` | the state |
//! | `POST /mock/revoke` | invalidate every token issued | the state |
//! | `POST /mock/clock` | move the clock forward by the body's SECONDS | the state |
//!
//! A bad body is a 400 with the vendor envelope saying what is wrong; nothing is applied.

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
    })
}
