//! `learn-oauth api [METHOD] URL-or-PATH [--data TEXT | --data-file FILE] [-H 'Name: value']…
//! [--allow-host HOST]…`: one request to the API with the token attached, and one retry
//! with a new token when the API host refuses it (401).
//!
//! The token goes only to the API host (the token URL's scheme, host and port: the Learn
//! API host of the configured environment, region and API, or the custom token URL's
//! host) and to the hosts named with `--allow-host`; a URL to any other host is refused
//! before anything is sent. A 401 from an allowed host other than the API host is the
//! answer: it says nothing about the token's validity at the API, so the cached token is
//! kept and no new one is fetched (such a host cannot make the CLI drop good tokens or
//! obtain more of them). A request with its own `Authorization` header carries no token of
//! ours and goes to any host as it is.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::Path;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use learn_oauth::AccessToken;
use learn_oauth::BlockingTokenSource;
use learn_oauth::error::{TransportError, TransportErrorKind};
use learn_oauth::ureq::bearer::{AuthError, ReplayBody, send_authorized};
use ureq::AsSendBody;

use self::hosts::{is_allowed, same_origin};
use crate::args::ApiArgs;
use crate::failure::{ApiUsage, CliError};
use crate::fetch::{Obtained, Tokens};
use crate::settings::Settings;

mod hosts;

/// Sends the request; the body goes to `out`, the status line to `err`.
///
/// # Errors
///
/// A usage error, no token, no answer, or (after printing it) a status other than 2xx.
pub(crate) fn run(
    settings: &Settings,
    tokens: &Tokens<'_>,
    args: &ApiArgs,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let (method, target) = match args.target.as_slice() {
        [target] => (None, target),
        [method, target] => (Some(method), target),
        _ => return Err(CliError::ApiUsage(ApiUsage::Target(args.target.join(" ")))),
    };
    let body = body(args, stdin)?;
    let method = match method {
        Some(m) => Method::from_bytes(m.to_ascii_uppercase().as_bytes())
            .map_err(|_| CliError::ApiUsage(ApiUsage::Method(m.clone())))?,
        None if body.is_some() => Method::POST,
        None => Method::GET,
    };
    let uri = resolve(target, &settings.api_base).map_err(CliError::ApiUsage)?;
    let mut headers = headers(&args.headers).map_err(CliError::ApiUsage)?;
    let to_api_host = same_origin(&uri, &settings.api_base);
    let own_authorization = headers.contains_key(AUTHORIZATION);
    if !to_api_host && !own_authorization && !is_allowed(&uri, &args.allow_hosts) {
        return Err(CliError::ApiUsage(ApiUsage::HostNotAllowed {
            host: uri.host().unwrap_or_default().to_owned(),
            api_host: settings.api_base.clone(),
        }));
    }
    if body.is_some() && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let agent = tokens.agent()?;
    let source = ApiTokens::new(tokens, err);
    let mut request = Request::builder().method(method).uri(uri.clone());
    if let Some(map) = request.headers_mut() {
        map.extend(headers);
    }
    // Both bodies can be sent again: a token the API host refuses is retried once with a
    // new one. An allowed other host gets one request, whatever it answers.
    let response = match (body, to_api_host || own_authorization) {
        (Some(bytes), true) => send(&agent, &source, request.body(bytes), settings, &uri),
        (None, true) => send(&agent, &source, request.body(()), settings, &uri),
        (Some(bytes), false) => send_once(&agent, tokens, request.body(bytes), settings, &uri),
        (None, false) => send_once(&agent, tokens, request.body(()), settings, &uri),
    };
    let err = source.err.into_inner();
    let response = response?;
    let status = response.status();
    let _ = writeln!(err, "{}", line(status));
    let mut reader = response.into_body().into_reader();
    io::copy(&mut reader, out)
        .and_then(|_| out.flush())
        .map_err(CliError::Stdout)?;
    if status.is_success() {
        Ok(())
    } else {
        Err(CliError::ApiStatus(status))
    }
}

/// The invocation's [`Tokens`] as the bearer rule's source: the cached or a new token
/// first; after the resource refused it, [`Tokens::replace`] (which drops it from the
/// cache and the provider) for the retry, announced on stderr.
struct ApiTokens<'t, 's, 'w> {
    tokens: &'t Tokens<'s>,
    err: RefCell<&'w mut dyn Write>,
    /// The token handed out last.
    last: RefCell<Option<Obtained>>,
    /// The token the resource refused, to replace on the next `token()`.
    refused: RefCell<Option<Obtained>>,
    /// A failure the source's error type cannot carry (the HTTP client could not be set
    /// up): returned instead of the stand-in error `token()` gave.
    failure: RefCell<Option<CliError>>,
}

impl<'t, 's, 'w> ApiTokens<'t, 's, 'w> {
    fn new(tokens: &'t Tokens<'s>, err: &'w mut dyn Write) -> Self {
        ApiTokens {
            tokens,
            err: RefCell::new(err),
            last: RefCell::new(None),
            refused: RefCell::new(None),
            failure: RefCell::new(None),
        }
    }
}

impl BlockingTokenSource for ApiTokens<'_, '_, '_> {
    fn token(&self) -> Result<AccessToken, learn_oauth::Error> {
        let obtained = match self.refused.take() {
            Some(refused) => {
                let _ = writeln!(
                    self.err.borrow_mut(),
                    "{} (the token was refused; retrying once with a new one)",
                    line(StatusCode::UNAUTHORIZED)
                );
                self.tokens.replace(&refused)
            }
            None => self.tokens.get(),
        };
        match obtained {
            Ok(obtained) => {
                let token = obtained.token.clone();
                *self.last.borrow_mut() = Some(obtained);
                Ok(token)
            }
            Err(CliError::Token(error)) => Err(error),
            Err(other) => {
                *self.failure.borrow_mut() = Some(other);
                Err(TransportError::new(TransportErrorKind::Other).into())
            }
        }
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        let last = self.last.take();
        match last {
            Some(obtained) if obtained.token.same_as(token) => {
                *self.refused.borrow_mut() = Some(obtained);
                true
            }
            other => {
                *self.last.borrow_mut() = other;
                false
            }
        }
    }
}

/// `HTTP 200 OK`.
fn line(status: StatusCode) -> String {
    format!(
        "HTTP {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// Sends one request with the bearer rule: no redirects (the token must not follow one
/// to another host), every status an answer, the `--timeout` if given.
fn send<B: ReplayBody>(
    agent: &ureq::Agent,
    source: &ApiTokens<'_, '_, '_>,
    request: Result<Request<B>, http::Error>,
    settings: &Settings,
    uri: &Uri,
) -> Result<http::Response<ureq::Body>, CliError> {
    let request = request.map_err(|_| CliError::ApiUsage(ApiUsage::Target(uri.to_string())))?;
    let request = agent
        .configure_request(request)
        .max_redirects(0)
        .timeout_global(settings.api_timeout)
        .build();
    send_authorized(agent, source, request).map_err(|error| match error {
        AuthError::Token(error) => source.failure.take().unwrap_or(CliError::Token(error)),
        AuthError::Request(source) => CliError::ApiTransport {
            url: without_query(uri),
            source,
        },
        other => CliError::ApiTransport {
            url: without_query(uri),
            source: ureq::Error::Other(Box::new(other)),
        },
    })
}

/// Sends one request to an allowed host other than the API host, with the token attached
/// and no retry: a 401 is returned like any answer, and the token is kept.
fn send_once<B: AsSendBody>(
    agent: &ureq::Agent,
    tokens: &Tokens<'_>,
    request: Result<Request<B>, http::Error>,
    settings: &Settings,
    uri: &Uri,
) -> Result<http::Response<ureq::Body>, CliError> {
    let mut request = request.map_err(|_| CliError::ApiUsage(ApiUsage::Target(uri.to_string())))?;
    let token = tokens.get()?.token;
    request
        .headers_mut()
        .insert(AUTHORIZATION, token.authorization_header());
    let request = agent
        .configure_request(request)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(settings.api_timeout)
        .build();
    agent.run(request).map_err(|source| CliError::ApiTransport {
        url: without_query(uri),
        source,
    })
}

/// The request body, from `--data` or `--data-file` (`-`: stdin).
fn body(args: &ApiArgs, stdin: &mut dyn Read) -> Result<Option<Vec<u8>>, CliError> {
    if let Some(text) = &args.data {
        return Ok(Some(text.clone().into_bytes()));
    }
    let Some(path) = &args.data_file else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        stdin.read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|source| CliError::DataFile {
        path: path.clone(),
        source,
    })?;
    Ok(Some(bytes))
}

/// A URL as it is (https, or http to a loopback host only), or a path resolved against
/// `base` (`scheme://host[:port]`).
fn resolve(target: &str, base: &str) -> Result<Uri, ApiUsage> {
    let bad = || ApiUsage::Target(target.to_owned());
    if target.contains("://") {
        let uri: Uri = target.parse().map_err(|_| bad())?;
        let host = uri.host().ok_or_else(bad)?;
        match uri.scheme_str() {
            Some("https") => Ok(uri),
            Some("http") if is_loopback(host) => Ok(uri),
            Some("http") => Err(ApiUsage::PlainHttp(host.to_owned())),
            _ => Err(bad()),
        }
    } else {
        let path = if target.starts_with('/') {
            target.to_owned()
        } else {
            format!("/{target}")
        };
        format!("{base}{path}").parse().map_err(|_| bad())
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `-H 'Name: value'` arguments as a header map.
fn headers(args: &[String]) -> Result<HeaderMap, ApiUsage> {
    let mut map = HeaderMap::new();
    for arg in args {
        // Only a valid header name is ever repeated in a message: anything else may be
        // a credential pasted without its name.
        let (name, value) = arg.split_once(':').unwrap_or(("", arg));
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| ApiUsage::Header {
            name: "(no valid name)".into(),
        })?;
        let error = || ApiUsage::Header {
            name: name.as_str().to_owned(),
        };
        let mut value = HeaderValue::from_str(value.trim()).map_err(|_| error())?;
        value.set_sensitive(name == AUTHORIZATION);
        map.append(name, value);
    }
    Ok(map)
}

/// The URL without its query (which may carry something private).
fn without_query(uri: &Uri) -> String {
    let mut text = uri.to_string();
    if let Some(at) = text.find('?') {
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_api_host() {
        let base = "https://public.api.learn.link";
        assert_eq!(
            resolve("/learn/api/v1/x?a=1", base).unwrap().to_string(),
            "https://public.api.learn.link/learn/api/v1/x?a=1"
        );
        assert_eq!(resolve("v1/x", base).unwrap().path(), "/v1/x");
        assert_eq!(
            resolve("https://other.example/y", base).unwrap().host(),
            Some("other.example")
        );
        assert_eq!(
            resolve("http://127.0.0.1:8080/y", base).unwrap().port_u16(),
            Some(8080)
        );
        assert_eq!(
            resolve("http://example.com/y", base),
            Err(ApiUsage::PlainHttp("example.com".into()))
        );
        assert!(matches!(resolve("ftp://x/y", base), Err(ApiUsage::Target(_))));
    }

    #[test]
    fn headers_parse_and_a_bad_one_is_named_without_its_value() {
        let map = headers(&["Accept: application/json".into(), "X-A:b".into()]).unwrap();
        assert_eq!(map["accept"], "application/json");
        assert_eq!(map["x-a"], "b");
        let e = headers(&["Authorization: Bearer CANARY\u{1}".into()]).unwrap_err();
        assert!(!e.to_string().contains("CANARY"), "{e}");
        assert!(headers(&["no colon".into()]).is_err());
    }
}
