//! `learn-oauth api [METHOD] URL-or-PATH [--data TEXT | --data-file FILE] [-H 'Name: value']…`:
//! one request to the API with the token attached, and one retry with a new token when
//! the resource refuses it (401).

use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::Path;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use learn_oauth_proto::resource_verdict;

use crate::args::ApiArgs;
use crate::failure::{ApiUsage, CliError};
use crate::fetch::Tokens;
use crate::settings::Settings;

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
    if body.is_some() && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let agent = tokens.agent()?;
    // A request with its own Authorization is sent as it is (as the middleware does).
    let mut token = if headers.contains_key(AUTHORIZATION) {
        None
    } else {
        Some(tokens.get()?)
    };
    let mut retried = false;
    loop {
        let mut request = Request::builder().method(method.clone()).uri(uri.clone());
        if let Some(map) = request.headers_mut() {
            map.extend(headers.clone());
            if let Some(obtained) = &token {
                map.insert(AUTHORIZATION, obtained.token.authorization_header());
            }
        }
        let response = match &body {
            Some(bytes) => send(&agent, request.body(bytes.as_slice()), settings, &uri),
            None => send(&agent, request.body(()), settings, &uri),
        }?;
        let status = response.status();
        if let Some(refused) = &token
            && !retried
            && resource_verdict(status, response.headers()).retry_with_new_token()
        {
            let _ = writeln!(
                err,
                "{} (the token was refused; retrying once with a new one)",
                line(status)
            );
            token = Some(tokens.replace(refused)?);
            retried = true;
            continue;
        }
        let _ = writeln!(err, "{}", line(status));
        let mut reader = response.into_body().into_reader();
        io::copy(&mut reader, out)
            .and_then(|_| out.flush())
            .map_err(CliError::Stdout)?;
        return if status.is_success() {
            Ok(())
        } else {
            Err(CliError::ApiStatus(status))
        };
    }
}

/// `HTTP 200 OK`.
fn line(status: http::StatusCode) -> String {
    format!(
        "HTTP {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// Sends one request: no redirects (the token must not follow one to another host),
/// every status an answer, the `--timeout` if given.
fn send<B: ureq::AsSendBody>(
    agent: &ureq::Agent,
    request: Result<Request<B>, http::Error>,
    settings: &Settings,
    uri: &Uri,
) -> Result<http::Response<ureq::Body>, CliError> {
    let request = request.map_err(|_| CliError::ApiUsage(ApiUsage::Target(uri.to_string())))?;
    let request = agent
        .configure_request(request)
        .http_status_as_error(false)
        .max_redirects(0)
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
