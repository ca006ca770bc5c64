//! A token request reaches the token URL's server and nothing else, whichever public
//! constructor built the transport and however the client or agent handed to it was
//! configured: two raw loopback servers, the token URL's (A) redirecting to another (B),
//! and B either redirecting back to A (which then answers with a token) or answering with
//! a token itself. B records every byte it receives; none of them may be the credentials,
//! in any encoding a request could carry them in, and no token may come from the chain.
//!
//! No process-wide rustls crypto provider is installed here: every client that needs TLS
//! settings gets them handed in.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use learn_oauth_driver::TransportOptions;
use learn_oauth_driver::{SendAsync as _, SendBlocking as _};
use learn_oauth_proto::{AccessToken, AuthMethod, BasicEncoding, ClientConfig, Error, RefreshPolicy};

const TENANT: &str = "redirect-tenant";
/// A secret whose raw, form-encoded and percent-encoded forms all differ.
const SECRET: &str = "canary/s3cret+= x&y";
const TOKEN_BODY: &str = r#"{"access_token":"token-via-redirect","token_type":"Bearer","expires_in":3600}"#;

/// A loopback HTTP/1.1 server that answers each request with the next scripted reply
/// (then 500s), one request per connection, and records every byte it receives.
struct RawServer {
    received: Arc<Mutex<Vec<u8>>>,
}

impl RawServer {
    /// Binds a port; the replies come later (`serve`), once every URL is known.
    fn bind() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("a bound port");
        (listener, format!("http://{addr}/oauth2/token/{TENANT}"))
    }

    /// Serves `replies` on `listener`, on a thread that lives for the rest of the process.
    fn serve(listener: TcpListener, replies: Vec<String>) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut replies = replies.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let reply = replies.next().unwrap_or_else(|| status(500, &[], ""));
                if read_request(&mut stream, &record) {
                    let _ = stream.write_all(reply.as_bytes());
                }
            }
        });
        Self { received }
    }

    fn received(&self) -> Vec<u8> {
        self.received.lock().expect("not poisoned").clone()
    }
}

/// Reads one request (head, then `Content-Length` bytes of body), appending every byte to
/// `record` as it arrives. Whether a whole request arrived.
fn read_request(stream: &mut TcpStream, record: &Mutex<Vec<u8>>) -> bool {
    let mut request = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        request.extend_from_slice(&chunk[..n]);
        record
            .lock()
            .expect("not poisoned")
            .extend_from_slice(&chunk[..n]);
        let Some(head_end) = find(&request, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
        let body_len = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if request.len() >= head_end + 4 + body_len {
            return true;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An HTTP/1.1 response that closes its connection.
fn status(code: u16, headers: &[(&str, &str)], body: &str) -> String {
    let mut reply = format!("HTTP/1.1 {code} Status\r\n");
    for (name, value) in headers {
        reply.push_str(&format!("{name}: {value}\r\n"));
    }
    reply.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    reply
}

fn redirect(code: u16, location: &str) -> String {
    status(code, &[("Location", location)], "")
}

fn token() -> String {
    status(200, &[("Cache-Control", "no-store")], TOKEN_BODY)
}

/// Where B sends the request it receives.
#[derive(Debug, Clone, Copy)]
enum Chain {
    /// A -> B -> A, and A then answers with a token: the chain ends at the token URL.
    BackToA,
    /// A -> B, and B answers with a token.
    EndsAtB,
}

/// Every form the credentials could take on the wire: the secret raw, form-encoded and
/// percent-encoded, and `id:secret` in Base64 in each of the Basic encodings.
fn credential_forms() -> Vec<Vec<u8>> {
    let form = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    // RFC 3986: all but the unreserved characters.
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let pct = |s: &str| percent_encoding::utf8_percent_encode(s, RESERVED).to_string();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        SECRET.into(),
        form(SECRET).into(),
        pct(SECRET).into(),
        b64(format!("{TENANT}:{SECRET}")).into(),
        b64(format!("{}:{}", form(TENANT), form(SECRET))).into(),
        b64(format!("{}:{}", pct(TENANT), pct(SECRET))).into(),
    ]
}

/// Runs every chain, with 302, 307 and 308 redirects and every way of sending the
/// credentials, through `fetch`: no fetch gets a token, and B never receives a byte of
/// the credentials (in fact, nothing at all).
fn never_leaves_the_token_url(
    constructor: &str,
    fetch: impl Fn(&ClientConfig) -> Result<AccessToken, Error>,
) {
    let auths = [
        AuthMethod::Basic(BasicEncoding::Raw),
        AuthMethod::Basic(BasicEncoding::PercentEncoded),
        AuthMethod::FormBody,
    ];
    let mut failures = Vec::new();
    for code in [302, 307, 308] {
        for chain in [Chain::BackToA, Chain::EndsAtB] {
            for auth in auths {
                let case = format!("{constructor}: {code}, {chain:?}, {auth:?}");
                let (a_listener, a_url) = RawServer::bind();
                let (b_listener, b_url) = RawServer::bind();
                let _a = RawServer::serve(a_listener, vec![redirect(code, &b_url), token()]);
                let b = RawServer::serve(
                    b_listener,
                    match chain {
                        Chain::BackToA => vec![redirect(code, &a_url)],
                        Chain::EndsAtB => vec![token()],
                    },
                );
                let config = ClientConfig::builder()
                    .token_url(a_url)
                    .tenant_id(TENANT)
                    .client_secret(SECRET)
                    .auth_method(auth)
                    .build()
                    .expect("valid config");

                let result = fetch(&config);

                let received = b.received();
                for form in credential_forms() {
                    if find(&received, &form).is_some() {
                        failures.push(format!(
                            "{case}: B received the credentials as {:?}",
                            String::from_utf8_lossy(&form)
                        ));
                    }
                }
                if !received.is_empty() {
                    failures.push(format!("{case}: B received {} bytes", received.len()));
                }
                match result {
                    Ok(_) => failures.push(format!("{case}: a token came through a redirect")),
                    Err(error) if error.status().map(|s| s.as_u16()) != Some(code) => {
                        failures.push(format!("{case}: not the redirect's status: {error:?}"));
                    }
                    Err(_) => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A rustls configuration with the ring provider and no roots (every server here is
/// plain HTTP), for a user's reqwest client that does not rely on a process-wide
/// provider.
#[allow(deprecated)] // rustls 0.23.48 deprecates its ring provider; see learn-oauth-reqwest's tls.rs.
fn user_tls() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

/// A reqwest client configuration of a user's that follows redirects.
fn user_reqwest_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_backend_preconfigured(user_tls())
        .redirect(reqwest::redirect::Policy::limited(10))
}

/// A ureq agent of a user's that follows redirects, with every redirect kind and the
/// `Authorization` header kept on every one of them.
fn user_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(10)
        .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
        .build()
        .new_agent()
}

fn fetch_reqwest(
    transport: &learn_oauth_reqwest::Transport,
) -> impl Fn(&ClientConfig) -> Result<AccessToken, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    move |config| runtime.block_on(transport.fetch_token(config, RefreshPolicy::default().request_timeout))
}

#[test]
fn reqwest_new_sends_token_requests_only_to_the_token_url() {
    let transport = learn_oauth_reqwest::Transport::new().expect("a transport");
    never_leaves_the_token_url("reqwest new", fetch_reqwest(&transport));
}

#[test]
fn reqwest_with_options_sends_token_requests_only_to_the_token_url() {
    let transport =
        learn_oauth_reqwest::Transport::with_options(&TransportOptions::new()).expect("a transport");
    never_leaves_the_token_url("reqwest with_options", fetch_reqwest(&transport));
}

#[test]
fn reqwest_from_client_builder_sends_token_requests_only_to_the_token_url() {
    let transport =
        learn_oauth_reqwest::Transport::from_client_builder(user_reqwest_builder()).expect("a transport");
    never_leaves_the_token_url("reqwest from_client_builder", fetch_reqwest(&transport));
}

#[test]
fn ureq_new_sends_token_requests_only_to_the_token_url() {
    let transport = learn_oauth_ureq::Transport::new().expect("a transport");
    never_leaves_the_token_url("ureq new", |config| {
        transport.fetch_token(config, RefreshPolicy::default().request_timeout)
    });
}

#[test]
fn ureq_with_options_sends_token_requests_only_to_the_token_url() {
    let transport = learn_oauth_ureq::Transport::with_options(&TransportOptions::new()).expect("a transport");
    never_leaves_the_token_url("ureq with_options", |config| {
        transport.fetch_token(config, RefreshPolicy::default().request_timeout)
    });
}

#[test]
fn ureq_from_agent_sends_token_requests_only_to_the_token_url() {
    let transport = learn_oauth_ureq::Transport::from_agent(user_agent());
    never_leaves_the_token_url("ureq from_agent", |config| {
        transport.fetch_token(config, RefreshPolicy::default().request_timeout)
    });
}

#[test]
fn ureq_from_an_agent_sends_token_requests_only_to_the_token_url() {
    let transport = learn_oauth_ureq::Transport::from(user_agent());
    never_leaves_the_token_url("ureq From<Agent>", |config| {
        transport.fetch_token(config, RefreshPolicy::default().request_timeout)
    });
}

/// The middleware's client follows an API resource's redirect to another origin without
/// the token, and takes that origin's 401 for no verdict on the token.
#[tokio::test(flavor = "current_thread")]
async fn the_middleware_client_sends_the_token_only_to_the_origin_the_request_names() {
    let (a_listener, a_url) = RawServer::bind();
    let (b_listener, b_url) = RawServer::bind();
    let a = RawServer::serve(a_listener, vec![redirect(307, &b_url)]);
    let b = RawServer::serve(
        b_listener,
        vec![status(401, &[("WWW-Authenticate", "Bearer")], "")],
    );
    let fake = learn_oauth_driver::testing::FakeTokenSource::new("fake-token-for-a");
    let client = learn_oauth_reqwest::middleware::AuthMiddleware::new(fake.clone())
        .into_client_builder(&TransportOptions::new())
        .expect("a client")
        .build();

    let response = client.get(&a_url).send().await.expect("an answer");

    assert_eq!(response.status().as_u16(), 401, "B's answer, after the redirect");
    assert!(find(&a.received(), b"Bearer fake-token-for-a").is_some());
    let at_b = b.received();
    assert!(
        find(&at_b, b"GET /oauth2/token/").is_some(),
        "the redirect was followed"
    );
    assert!(
        find(&at_b, b"fake-token-for-a").is_none(),
        "{:?}",
        String::from_utf8_lossy(&at_b)
    );
    assert_eq!(fake.invalidations(), 0, "B's 401 never saw the token");
    assert_eq!(fake.token_calls(), 1, "and no retry");
}
