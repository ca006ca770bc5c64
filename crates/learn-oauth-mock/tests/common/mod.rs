//! Helpers shared by the integration tests: ureq agents that keep 4xx/5xx as
//! responses, credential encoders, and a raw-socket client for broken responses and
//! kept-alive connections.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use learn_oauth_mock::{MockServer, Tenant};
use serde_json::Value;

pub(crate) const TENANT: &str = "eu-west-2_AbcdEfghI";
pub(crate) const SECRET: &str = "s3cret";

/// A plain-HTTP server with the one test tenant and defaults otherwise.
pub(crate) fn server() -> MockServer {
    MockServer::builder()
        .tenant(Tenant::new(TENANT, SECRET))
        .start()
        .expect("mock server starts")
}

/// An agent that hands back 4xx/5xx as responses and never waits long.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Like [`agent`], trusting only the CA certificate `pem` (an HTTPS mock's).
pub(crate) fn agent_trusting(pem: &str) -> ureq::Agent {
    let ca = ureq::tls::Certificate::from_pem(pem.as_bytes()).unwrap();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![ca])))
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .tls_config(tls)
        .build()
        .into()
}

/// A response reduced to what tests look at.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn reduce(response: Result<http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("request completes");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    Reply {
        status: response.status().as_u16(),
        headers,
        body: response.body_mut().read_to_string().expect("body reads"),
    }
}

/// `Authorization: Basic base64(id:secret)`, raw.
pub(crate) fn basic_raw(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// `Authorization: Basic` with id and secret form-urlencoded first (RFC 6749 §2.3.1).
pub(crate) fn basic_form(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

/// POSTs a form to `url`, with an optional `Authorization` header.
pub(crate) fn post_form(url: &str, authorization: Option<&str>, fields: &[(&str, &str)]) -> Reply {
    let mut request = agent().post(url);
    if let Some(auth) = authorization {
        request = request.header("Authorization", auth);
    }
    reduce(request.send_form(fields.iter().copied()))
}

/// POSTs `body` with the given content type.
pub(crate) fn post_raw_body(url: &str, authorization: &str, content_type: &str, body: &str) -> Reply {
    reduce(
        agent()
            .post(url)
            .header("Authorization", authorization)
            .header("Content-Type", content_type)
            .send(body),
    )
}

/// A client-credentials request with the test tenant's raw Basic credentials.
pub(crate) fn get_token(server: &MockServer) -> Reply {
    post_form(
        &server.token_url(TENANT),
        Some(&basic_raw(TENANT, SECRET)),
        &[("grant_type", "client_credentials")],
    )
}

/// A fresh access token for the test tenant.
pub(crate) fn token(server: &MockServer) -> String {
    let reply = get_token(server);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// `GET /api/v1/ping` with an optional `Authorization` header.
pub(crate) fn ping(server: &MockServer, authorization: Option<&str>) -> Reply {
    let mut request = agent().get(server.resource_url());
    if let Some(auth) = authorization {
        request = request.header("Authorization", auth);
    }
    reduce(request.call())
}

/// The raw bytes of a token request with form credentials, closing the connection after.
pub(crate) fn raw_token_request(tenant: &str) -> Vec<u8> {
    let body = format!("grant_type=client_credentials&client_id={TENANT}&client_secret={SECRET}");
    format!(
        "POST /oauth2/token/{tenant} HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends `request` on a fresh connection and reads until the server closes it.
/// Returns the bytes read and whether the read ended in an error (e.g. a reset).
pub(crate) fn raw_exchange(addr: SocketAddr, request: &[u8]) -> (Vec<u8>, bool) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    stream.write_all(request).expect("write request");
    let mut out = Vec::new();
    let failed = stream.read_to_end(&mut out).is_err();
    (out, failed)
}

/// A parsed raw response: status, lowercased headers, and the body bytes received.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn content_length(&self) -> Option<usize> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }
}

/// Parses one response from the front of `bytes`; the body is everything after the head.
pub(crate) fn parse_raw(bytes: &[u8]) -> RawResponse {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete response head");
    let head = std::str::from_utf8(&bytes[..end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// The status of the response to `request`, sent on a fresh connection.
pub(crate) fn status_of(server: &MockServer, request: &[u8]) -> u16 {
    parse_raw(&raw_exchange(server.local_addr(), request).0).status
}

/// A token request with raw Basic credentials that leaves the connection open.
pub(crate) fn keep_alive_request(body: &str) -> String {
    format!(
        "POST /oauth2/token/{TENANT} HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        basic_raw(TENANT, SECRET),
        body.len()
    )
}

/// Reads one response off a kept-alive connection (Content-Length framing).
pub(crate) fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}
