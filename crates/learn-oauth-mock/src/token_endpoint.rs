//! `POST /oauth2/token/{tenantId}`: the client-credentials grant, and its faults.

use serde_json::{Value, json};

use crate::client_auth::{Rejection, authenticate};
use crate::fault::{Fault, Quirk};
use crate::http1::Request;
use crate::record::RecordedRequest;
use crate::reply::{Reply, Response};
use crate::state::{Config, RECORDS_MEMORY, Shared};
use crate::token_store::TokenStore;

const FORM: &str = "application/x-www-form-urlencoded";

/// What a token request over the mock's concurrency limit gets, in seconds of
/// `Retry-After` (with a 429).
pub(crate) const OVER_LIMIT_RETRY_AFTER: u64 = 1;

/// Answers one token request: takes the next fault, records the request, builds the reply.
/// Over the concurrency limit, the answer is a 429 with `Retry-After` instead, recorded
/// as that fault, and no queued fault is taken.
pub(crate) async fn handle(shared: &Shared, request: &Request, tenant_id: String) -> Reply {
    let (_in_progress, admitted) = shared.admit_token_request();
    if !admitted {
        let over_limit = Fault::RetryAfter {
            status: 429,
            seconds: OVER_LIMIT_RETRY_AFTER,
        };
        return answer_and_record(shared, request, tenant_id, Some(over_limit), false);
    }
    let mut fault = shared.lock().faults.pop_front();
    let delayed = if let Some(Fault::Delay(delay)) = fault {
        fault = None;
        tokio::time::sleep(delay).await;
        true
    } else {
        false
    };
    answer_and_record(shared, request, tenant_id, fault, delayed)
}

/// Answers `request` under `fault` and records it, under the state's lock.
fn answer_and_record(
    shared: &Shared,
    request: &Request,
    tenant_id: String,
    fault: Option<Fault>,
    delayed: bool,
) -> Reply {
    let mut state = shared.lock();
    let (reply, record) = answer(
        &shared.config,
        &mut state.tokens,
        request,
        tenant_id,
        fault,
        delayed,
    );
    state.record(record, shared.config.max_records, RECORDS_MEMORY);
    reply
}

/// What came out of a request: the reply and what to record about it.
struct Outcome {
    reply: Reply,
    status: Option<u16>,
    succeeded: bool,
}

impl Outcome {
    fn send(response: Response, succeeded: bool) -> Self {
        Outcome {
            status: Some(response.status),
            reply: Reply::Send(response),
            succeeded,
        }
    }
}

/// A request's fields, parsed as far as they parse.
struct Observed<'a> {
    form: Result<Vec<(String, String)>, Rejection>,
    tenant_id: &'a str,
    client_id: String,
    scopes: Vec<String>,
}

impl Observed<'_> {
    fn field(&self, name: &str) -> Option<&str> {
        let form = self.form.as_ref().ok()?;
        form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn answer(
    config: &Config,
    tokens: &mut TokenStore,
    request: &Request,
    tenant_id: String,
    fault: Option<Fault>,
    delayed: bool,
) -> (Reply, RecordedRequest) {
    let form = parse_form(request);
    let tenant = config.tenant(&tenant_id);
    let verdict = authenticate(
        request.header("authorization"),
        form.as_ref().ok().map(Vec::as_slice),
        tenant,
        config.basic_encoding,
    );
    let mut observed = Observed {
        form,
        tenant_id: &tenant_id,
        client_id: verdict.client_id.clone().unwrap_or_else(|| tenant_id.clone()),
        scopes: Vec::new(),
    };
    observed.scopes = observed
        .field("scope")
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let faulted = delayed || fault.is_some();
    let outcome = match fault.and_then(|f| apply_fault(f, config, tokens, &observed)) {
        Some(outcome) => outcome,
        None => match grant(config, tokens, &observed, verdict.result) {
            Ok(response) => Outcome::send(response, true),
            Err((401, message)) => {
                let response = Response::envelope(401, message)
                    .header("WWW-Authenticate", "Basic realm=\"learn-oauth-mock\"");
                Outcome::send(response, false)
            }
            Err((status, message)) => Outcome::send(Response::envelope(status, message), false),
        },
    };
    let grant_type = observed.field("grant_type").map(str::to_owned);
    let record = RecordedRequest {
        tenant: tenant_id.clone(),
        client_id: verdict.client_id,
        auth: verdict.method,
        scopes: observed.scopes,
        grant_type,
        status: outcome.status,
        succeeded: outcome.succeeded,
        faulted,
    };
    (outcome.reply, record)
}

/// The normal answer: a token, or why not (status and envelope message).
fn grant(
    config: &Config,
    tokens: &mut TokenStore,
    observed: &Observed<'_>,
    auth: Result<(), Rejection>,
) -> Result<Response, (u16, Value)> {
    let to_envelope = |r: Rejection| (r.status, Value::String(r.message));
    observed.form.as_ref().map_err(|r| to_envelope(r.clone()))?;
    auth.map_err(to_envelope)?;
    match observed.field("grant_type") {
        Some("client_credentials") => {}
        None => return Err((400, "grant_type is required".into())),
        Some(_) => return Err((400, "unsupported grant_type".into())),
    }
    let offered = config.host_kind.scopes();
    if let Some(bad) = observed.scopes.iter().find(|s| !offered.contains(&s.as_str())) {
        return Err((
            400,
            json!({
                "code": "invalid_scope",
                "scope": bad,
                "detail": format!("scope not offered by {} hosts", config.host_kind.describe()),
            }),
        ));
    }
    let scopes = granted_scopes(config, observed);
    let token = tokens.issue(
        observed.tenant_id,
        &observed.client_id,
        &scopes,
        config.token_lifetime,
    );
    Ok(token_response(&json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": config.token_lifetime.as_secs(),
        "scope": scopes.join(" "),
    })))
}

/// The scopes asked for (deduplicated, in order), or all the host kind offers.
fn granted_scopes(config: &Config, observed: &Observed<'_>) -> Vec<String> {
    if observed.scopes.is_empty() {
        return config
            .host_kind
            .scopes()
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in &observed.scopes {
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    scopes
}

/// A 200 JSON response with the RFC 6749 §5.1 cache headers.
fn token_response(body: &Value) -> Response {
    Response::json(200, body)
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
}

/// The answer a fault makes, or `None` when the fault leaves it to the normal path.
fn apply_fault(
    fault: Fault,
    config: &Config,
    tokens: &mut TokenStore,
    observed: &Observed<'_>,
) -> Option<Outcome> {
    let mut issue = |lifetime| {
        let scopes = granted_scopes(config, observed);
        let token = tokens.issue(observed.tenant_id, &observed.client_id, &scopes, lifetime);
        (token, scopes)
    };
    Some(match fault {
        Fault::Status { status, message } => Outcome::send(Response::envelope(status, message), false),
        Fault::OAuthError {
            status,
            error,
            description,
        } => {
            let mut body = json!({ "error": error });
            if let Some(d) = description {
                body["error_description"] = d.into();
            }
            Outcome::send(Response::json(status, &body), false)
        }
        Fault::Delay(_) => return None,
        Fault::TruncatedBody => {
            let (token, scopes) = issue(config.token_lifetime);
            let response = token_response(&json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": config.token_lifetime.as_secs(),
                "scope": scopes.join(" "),
            }))
            .closing();
            let mut bytes = response.head_bytes(response.body.len() as u64);
            bytes.extend_from_slice(&response.body[..response.body.len() / 2]);
            Outcome {
                reply: Reply::SendThenClose(bytes),
                status: Some(200),
                succeeded: false,
            }
        }
        Fault::HugeBody { size } => {
            let head = Response::json(200, &Value::Null);
            Outcome {
                reply: Reply::Huge {
                    head: head.head_bytes(size),
                    size,
                },
                status: Some(200),
                succeeded: false,
            }
        }
        Fault::DropConnection => Outcome {
            reply: Reply::Drop,
            status: None,
            succeeded: false,
        },
        Fault::RetryAfter { status, seconds } => {
            let response = Response::envelope(status, "rate limited or unavailable, retry later".into())
                .header("Retry-After", seconds.to_string());
            Outcome::send(response, false)
        }
        Fault::ProxyHtml => {
            let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                        </body>\r\n</html>\r\n";
            let mut response = Response::json(502, &Value::Null);
            response.headers = vec![
                ("Content-Type".into(), "text/html".into()),
                ("Server".into(), "nginx".into()),
            ];
            response.body = html.as_bytes().to_vec();
            Outcome::send(response, false)
        }
        Fault::Quirky(quirk) => {
            let lifetime = match quirk {
                Quirk::ExpiresIn(secs) => std::time::Duration::from_secs(secs.max(0).unsigned_abs()),
                _ => config.token_lifetime,
            };
            let (token, scopes) = issue(lifetime);
            let mut body = json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs(),
                "scope": scopes.join(" "),
            });
            match quirk {
                Quirk::StringExpiresIn => body["expires_in"] = lifetime.as_secs().to_string().into(),
                Quirk::LowercaseBearer => body["token_type"] = "bearer".into(),
                Quirk::MissingScope => remove(&mut body, "scope"),
                Quirk::MissingExpiresIn => remove(&mut body, "expires_in"),
                Quirk::ExtraFields => {
                    body["id_token_hint"] = Value::Null;
                    body["ext_expires_in"] = lifetime.as_secs().into();
                    body["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token".into();
                    body["x_vendor"] = json!({ "region": "eu-west-2", "tags": ["a", 1, true] });
                }
                Quirk::ExpiresIn(secs) => body["expires_in"] = secs.into(),
            }
            Outcome::send(token_response(&body), true)
        }
        Fault::Raw {
            status,
            headers,
            body,
        } => {
            let mut bytes = format!("HTTP/1.1 {status} {}\r\n", crate::reply::reason(status));
            let mut framed = false;
            for (name, value) in &headers {
                framed |= name.eq_ignore_ascii_case("content-length")
                    || name.eq_ignore_ascii_case("transfer-encoding");
                bytes.push_str(&format!("{name}: {value}\r\n"));
            }
            if !framed {
                bytes.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            bytes.push_str("\r\n");
            let mut bytes = bytes.into_bytes();
            bytes.extend_from_slice(&body);
            Outcome {
                reply: Reply::SendThenClose(bytes),
                status: Some(status),
                succeeded: false,
            }
        }
        Fault::RawBytes(bytes) => Outcome {
            reply: Reply::SendThenClose(bytes),
            status: None,
            succeeded: false,
        },
    })
}

fn remove(body: &mut Value, member: &str) {
    if let Some(object) = body.as_object_mut() {
        object.remove(member);
    }
}

/// The body as form fields, if the request says it is a form and no field repeats.
fn parse_form(request: &Request) -> Result<Vec<(String, String)>, Rejection> {
    let is_form = request.header("content-type").is_some_and(|ct| {
        let media_type = ct.split(|b| *b == b';').next().unwrap_or_default();
        media_type.trim_ascii().eq_ignore_ascii_case(FORM.as_bytes())
    });
    if !is_form {
        return Err(Rejection::new(400, format!("content type must be {FORM}")));
    }
    if std::str::from_utf8(&request.body).is_err() {
        return Err(Rejection::new(400, "request body is not UTF-8"));
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
    for (i, (name, _)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(n, _)| n == name) {
            return Err(Rejection::new(
                400,
                format!("parameter {name} given more than once"),
            ));
        }
    }
    Ok(fields)
}
