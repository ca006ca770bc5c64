//! `config`: arbitrary configuration inputs through `ClientConfig::builder`.
//!
//! Checked for every input: no panic; a refusal is the [`ConfigError`] the documented
//! rules predict for tenant id, client id, secret, the colon and the User-Agent (checked
//! in the builder's order; a refused scope or token URL, checked against the library's
//! own parsers, may come before the User-Agent's); for every valid configuration the token request serializes to HTTP/1.1 that
//! `httparse` reads back as sent, the URL path has exactly the expected segments with the
//! tenant id decoding back from its own, and the form body and `Authorization` header
//! decode back to exactly the inputs.

use std::net::{Ipv4Addr, Ipv6Addr};

use arbitrary::Arbitrary;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{Request, Uri};
use learn_oauth_proto::{
    ApiKind, AuthMethod, BasicEncoding, ClientConfig, ConfigError, Endpoint, Environment, IdentifierProblem,
    MAX_IDENTIFIER_LEN, Region, Scope,
};
use percent_encoding::percent_decode_str;

/// One fuzz input.
#[derive(Arbitrary, Debug, Clone)]
pub struct ConfigInput {
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub secret: String,
    pub scopes: Vec<String>,
    pub endpoint: EndpointChoice,
    pub auth: AuthChoice,
    pub user_agent: Option<String>,
}

/// Where the token URL comes from.
#[derive(Arbitrary, Debug, Clone)]
pub enum EndpointChoice {
    /// One of the eight presets.
    Preset {
        staging: bool,
        mea: bool,
        webhooks: bool,
    },
    /// `scheme://host/<prefix segments>/{tenantId}/<suffix segment>`, with segments made
    /// of unreserved characters, so the expected path is known.
    Template {
        https: bool,
        host: HostChoice,
        prefix: Vec<String>,
        suffix: String,
    },
    /// Any text at all.
    Raw(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum HostChoice {
    Localhost,
    Ipv4Loopback,
    Ipv6Loopback,
    Public,
    PublicWithPort,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum AuthChoice {
    BasicRaw,
    BasicFormUrlEncoded,
    FormBody,
}

impl AuthChoice {
    fn method(self) -> AuthMethod {
        match self {
            AuthChoice::BasicRaw => AuthMethod::Basic(BasicEncoding::Raw),
            AuthChoice::BasicFormUrlEncoded => AuthMethod::Basic(BasicEncoding::FormUrlEncoded),
            AuthChoice::FormBody => AuthMethod::FormBody,
        }
    }
}

/// A path segment of unreserved characters only (never empty, never a dot segment).
fn unreserved_segment(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_~".contains(*c))
        .take(16)
        .collect();
    if kept.is_empty() { "x".to_owned() } else { kept }
}

/// The path segments before and after the tenant's.
type Around = (Vec<String>, Vec<String>);

/// The endpoint and, for presets and templates, the path segments expected around the
/// tenant's: `(before, after)`.
fn endpoint(choice: &EndpointChoice) -> (Endpoint, Option<Around>) {
    match choice {
        EndpointChoice::Preset {
            staging,
            mea,
            webhooks,
        } => {
            let environment = if *staging {
                Environment::Staging
            } else {
                Environment::Production
            };
            let region = if *mea { Region::Mea } else { Region::Global };
            let api = if *webhooks {
                ApiKind::Webhooks
            } else {
                ApiKind::PublicApi
            };
            let before = vec!["oauth2".to_owned(), "token".to_owned()];
            (
                Endpoint::preset(environment, region, api),
                Some((before, Vec::new())),
            )
        }
        EndpointChoice::Template {
            https,
            host,
            prefix,
            suffix,
        } => {
            let host = match host {
                HostChoice::Localhost => "localhost",
                HostChoice::Ipv4Loopback => "127.0.0.1:8080",
                HostChoice::Ipv6Loopback => "[::1]:443",
                HostChoice::Public => "auth.example.com",
                HostChoice::PublicWithPort => "auth.example.com:8443",
            };
            let before: Vec<String> = prefix.iter().take(4).map(|s| unreserved_segment(s)).collect();
            let after = vec![unreserved_segment(suffix)];
            let scheme = if *https { "https" } else { "http" };
            let mut url = format!("{scheme}://{host}");
            for segment in &before {
                url.push('/');
                url.push_str(segment);
            }
            url.push_str("/{tenantId}/");
            url.push_str(&after[0]);
            (Endpoint::custom(url), Some((before, after)))
        }
        EndpointChoice::Raw(url) => (Endpoint::custom(url.clone()), None),
    }
}

/// What the identifier rules say about an id.
fn id_problem(id: &str) -> Option<IdentifierProblem> {
    if id.is_empty() {
        Some(IdentifierProblem::Empty)
    } else if id.len() > MAX_IDENTIFIER_LEN {
        Some(IdentifierProblem::TooLong {
            len: id.len(),
            max: MAX_IDENTIFIER_LEN,
        })
    } else if id == "." || id == ".." {
        Some(IdentifierProblem::DotSegment)
    } else {
        id.char_indices()
            .find(|(_, c)| c.is_control())
            .map(|(position, _)| IdentifierProblem::ControlCharacter { position })
    }
}

fn build(input: &ConfigInput, endpoint: &Endpoint, secret: &str) -> Result<ClientConfig, ConfigError> {
    let mut builder = ClientConfig::builder()
        .endpoint(endpoint.clone())
        .tenant_id(input.tenant_id.clone())
        .client_secret(secret)
        .auth_method(input.auth.method())
        .scopes(&input.scopes);
    if let Some(id) = &input.client_id {
        builder = builder.client_id(id.clone());
    }
    if let Some(agent) = &input.user_agent {
        builder = builder.user_agent(agent.clone());
    }
    builder.build()
}

/// Everything a configuration or its error prints.
fn printed(built: &Result<ClientConfig, ConfigError>) -> String {
    match built {
        Ok(config) => format!("{config:?} {config:#?} {:?}", config.token_request().headers()),
        Err(error) => {
            let source = std::error::Error::source(error).map(|s| format!("{s} {s:?}"));
            format!("{error} {error:?} {source:?}")
        }
    }
}

/// The refusal the documented rules predict for the inputs this model covers (ids,
/// secret, colon, user agent), in the builder's order; `None` when those all pass. The
/// builder checks scopes and the token URL, which this model leaves out, between the
/// colon and the user agent.
fn predicted_refusal(input: &ConfigInput) -> Option<ConfigError> {
    if let Some(p) = id_problem(&input.tenant_id) {
        return Some(ConfigError::InvalidTenantId(p));
    }
    if let Some(p) = input.client_id.as_deref().and_then(id_problem) {
        return Some(ConfigError::InvalidClientId(p));
    }
    if input.secret.is_empty() {
        return Some(ConfigError::EmptyClientSecret);
    }
    if input.secret.chars().any(char::is_control) {
        return Some(ConfigError::ClientSecretControlCharacter);
    }
    let client_id = input.client_id.as_deref().unwrap_or(&input.tenant_id);
    if matches!(input.auth, AuthChoice::BasicRaw) && client_id.contains(':') {
        return Some(ConfigError::ClientIdContainsColon);
    }
    if input.user_agent.as_deref().is_some_and(user_agent_refused) {
        return Some(ConfigError::InvalidUserAgent);
    }
    None
}

/// The User-Agent rule: non-empty, no surrounding whitespace (any Unicode whitespace, as
/// documented, although HTTP/1.1 strips only spaces and tabs) and a valid header value.
fn user_agent_refused(agent: &str) -> bool {
    agent.is_empty() || agent.trim() != agent || http::HeaderValue::try_from(agent).is_err()
}

/// Runs one input and checks every invariant; panics on a violation.
pub fn check(input: &ConfigInput) {
    let (endpoint, expected_path) = endpoint(&input.endpoint);
    let auth = input.auth.method();
    let built = build(input, &endpoint, &input.secret);
    // The same inputs with every visible character of the secret changed: everything
    // printed must be the same, or the secret shows through.
    let twin_secret: String = input
        .secret
        .chars()
        .map(|c| {
            if c.is_control() {
                c
            } else if c == 'x' {
                'y'
            } else {
                'x'
            }
        })
        .collect();
    let twin = build(input, &endpoint, &twin_secret);
    assert_eq!(printed(&built), printed(&twin), "output depends on the secret");
    let predicted = predicted_refusal(input);

    let config = match built {
        Err(error) => {
            if let Some(p) = predicted {
                let checked_before = matches!(
                    error,
                    ConfigError::InvalidScope { .. }
                        | ConfigError::ScopeNotOffered { .. }
                        | ConfigError::InvalidTokenUrl(_)
                );
                if !(p == ConfigError::InvalidUserAgent && checked_before) {
                    assert_eq!(error, p, "the first refusal is the predicted one");
                }
            }
            match error {
                ConfigError::InvalidScope { index, problem } => {
                    assert!(index < input.scopes.len());
                    assert_eq!(Scope::new(input.scopes[index].clone()).unwrap_err(), problem);
                }
                ConfigError::ScopeNotOffered { scope, api } => {
                    assert_eq!(endpoint.api(), Some(api));
                    assert!(!Scope::new(scope).expect("a valid scope").is_offered_by(api));
                }
                ConfigError::InvalidUserAgent => {
                    assert!(
                        input.user_agent.as_deref().is_some_and(user_agent_refused),
                        "a user agent the rule allows was refused"
                    );
                }
                ConfigError::InvalidTokenUrl(_) => {
                    assert!(
                        matches!(endpoint, Endpoint::Custom(_)),
                        "presets are always valid"
                    );
                }
                _ => {}
            }
            return;
        }
        Ok(config) => {
            assert_eq!(
                predicted, None,
                "the configuration was accepted despite the rules"
            );
            config
        }
    };

    let client_id = input.client_id.as_deref().unwrap_or(&input.tenant_id);
    assert_eq!(config.tenant_id(), input.tenant_id);
    assert_eq!(config.client_id(), client_id);
    for scope in &input.scopes {
        let scope = Scope::new(scope.clone()).expect("an accepted scope is valid");
        assert!(config.scopes().contains(&scope));
    }

    let request = config.token_request();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), config.token_uri());
    check_url(config.token_uri(), &input.tenant_id, &endpoint, expected_path);
    check_wire(&request);
    check_credentials(&request, auth, client_id, &input.secret);
    check_form(&request, config.scopes().to_space_delimited(), auth);
}

/// The loopback rule as `Endpoint::Custom` and `UrlProblem::PlainHttpToNonLoopback`
/// document it, written here rather than taken from the library: `localhost` (in any
/// case: host names are case-insensitive), an IPv4 address in 127.0.0.0/8, or the IPv6
/// address `::1` in brackets, as a URL authority spells it.
fn documented_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>() == Ok(Ipv6Addr::LOCALHOST);
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.octets()[0] == 127)
}

fn check_url(uri: &Uri, tenant: &str, endpoint: &Endpoint, expected: Option<Around>) {
    let scheme = uri.scheme_str().expect("an absolute url");
    let host = uri.host().expect("a host");
    assert!(
        scheme == "https" || (scheme == "http" && documented_loopback(host)),
        "https, or http to loopback: {uri}"
    );
    assert!(!uri.authority().expect("authority").as_str().contains('@'));
    let Some((before, after)) = expected else {
        if let Endpoint::Custom(raw) = endpoint
            && !raw.contains("{tenantId}")
        {
            let given = Uri::try_from(raw.as_str()).expect("the accepted url parses");
            assert_eq!(uri, &given, "a url without a placeholder is used as given");
        }
        return;
    };
    assert_eq!(uri.query(), None);
    let segments: Vec<&str> = uri.path().split('/').collect();
    assert_eq!(segments[0], "", "an absolute path");
    let segments = &segments[1..];
    assert_eq!(
        segments.len(),
        before.len() + 1 + after.len(),
        "path {}",
        uri.path()
    );
    assert_eq!(&segments[..before.len()], before.as_slice());
    assert_eq!(&segments[before.len() + 1..], after.as_slice());
    let own = segments[before.len()];
    assert!(own != "." && own != "..", "never a dot segment");
    assert!(
        own.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
        "{own}"
    );
    let decoded = percent_decode_str(own).decode_utf8().expect("utf-8");
    assert_eq!(decoded, tenant, "the tenant id decodes back from its segment");
}

/// Serializes the request as HTTP/1.1 and reads it back with `httparse`.
fn check_wire(request: &Request<learn_oauth_proto::RequestBody>) {
    let uri = request.uri();
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut wire = format!(
        "POST {target} HTTP/1.1\r\nhost: {}\r\n",
        uri.authority().expect("host")
    )
    .into_bytes();
    for (name, value) in request.headers() {
        wire.extend_from_slice(name.as_str().as_bytes());
        wire.extend_from_slice(b": ");
        wire.extend_from_slice(value.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(format!("content-length: {}\r\n\r\n", request.body().len()).as_bytes());
    wire.extend_from_slice(request.body());

    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Request::new(&mut headers);
    let status = parsed.parse(&wire).expect("valid HTTP/1.1");
    let httparse::Status::Complete(head_len) = status else {
        panic!("an incomplete request head");
    };
    assert_eq!(parsed.method, Some("POST"));
    assert_eq!(parsed.path, Some(target));
    assert_eq!(parsed.headers.len(), request.headers().len() + 2);
    for (name, value) in request.headers() {
        let back = parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name.as_str()))
            .expect("every header reads back");
        // Exactly as sent: a User-Agent that HTTP/1.1 would strip is refused when built.
        assert_eq!(back.value, value.as_bytes());
    }
    assert_eq!(&wire[head_len..], request.body().as_bytes());
    assert!(
        request.body().iter().all(|b| b.is_ascii_graphic()),
        "a form body is printable ASCII"
    );
}

/// Undoes `application/x-www-form-urlencoded` on one value.
fn form_decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .expect("utf-8")
        .into_owned()
}

fn check_credentials(
    request: &Request<learn_oauth_proto::RequestBody>,
    auth: AuthMethod,
    client_id: &str,
    secret: &str,
) {
    let form: Vec<(String, String)> = form_urlencoded::parse(request.body()).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let authorization = request.headers().get(http::header::AUTHORIZATION);
    match auth {
        AuthMethod::Basic(encoding) => {
            assert!(field("client_id").is_empty() && field("client_secret").is_empty());
            let value = authorization.expect("a Basic header");
            assert!(value.is_sensitive());
            let encoded = value
                .to_str()
                .expect("ascii")
                .strip_prefix("Basic ")
                .expect("Basic");
            let raw = String::from_utf8(STANDARD.decode(encoded).expect("base64")).expect("utf-8");
            let (id, sec) = raw.split_once(':').expect("id:secret");
            match encoding {
                BasicEncoding::Raw => {
                    assert_eq!(id, client_id);
                    assert_eq!(sec, secret);
                }
                _ => {
                    assert!(!sec.contains(':'));
                    assert_eq!(form_decode(id), client_id);
                    assert_eq!(form_decode(sec), secret);
                }
            }
        }
        _ => {
            assert!(authorization.is_none());
            assert_eq!(field("client_id"), [client_id]);
            assert_eq!(field("client_secret"), [secret]);
        }
    }
}

fn check_form(request: &Request<learn_oauth_proto::RequestBody>, scopes: String, auth: AuthMethod) {
    let form: Vec<(String, String)> = form_urlencoded::parse(request.body()).into_owned().collect();
    assert_eq!(
        form[0],
        ("grant_type".to_owned(), "client_credentials".to_owned())
    );
    let mut expected = 1;
    if scopes.is_empty() {
        assert!(form.iter().all(|(k, _)| k != "scope"));
    } else {
        assert_eq!(form[1], ("scope".to_owned(), scopes));
        expected += 1;
    }
    if auth == AuthMethod::FormBody {
        expected += 2;
    }
    assert_eq!(form.len(), expected, "no other fields: {form:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(user_agent: &str, scopes: &[&str], endpoint: EndpointChoice) -> ConfigInput {
        ConfigInput {
            tenant_id: "t".to_owned(),
            client_id: None,
            secret: "s".to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            endpoint,
            auth: AuthChoice::BasicRaw,
            user_agent: Some(user_agent.to_owned()),
        }
    }

    fn preset() -> EndpointChoice {
        EndpointChoice::Preset {
            staging: false,
            mea: false,
            webhooks: false,
        }
    }

    /// The oracle once allowed only ASCII padding, while the builder documents (and
    /// checks) any whitespace: a User-Agent padded with U+00A0 failed the target.
    #[test]
    fn a_user_agent_padded_with_any_whitespace_is_predicted_refused() {
        for agent in ["", " agent", "agent\t", "agent\u{a0}", "\u{3000}agent"] {
            let input = input(agent, &[], preset());
            assert_eq!(predicted_refusal(&input), Some(ConfigError::InvalidUserAgent));
            check(&input);
        }
    }

    #[test]
    fn the_loopback_oracle_follows_the_documented_rule() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.255.3.4",
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
        ] {
            assert!(documented_loopback(host), "{host}");
        }
        for host in [
            "localhost.example.com",
            "128.0.0.1",
            "126.0.0.1",
            "127.0.0.1.example.com",
            "[::2]",
            "[::ffff:127.0.0.1]",
            "::1",
            "example.com",
            "",
        ] {
            assert!(!documented_loopback(host), "{host}");
        }
    }

    #[test]
    fn plain_http_to_each_loopback_host_is_accepted() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3:80", "[::1]:8080"] {
            let input = input(
                "agent",
                &[],
                EndpointChoice::Raw(format!("http://{host}/token/{{tenantId}}")),
            );
            let (endpoint, _) = endpoint(&input.endpoint);
            assert!(build(&input, &endpoint, &input.secret).is_ok(), "{host}");
            check(&input);
        }
        // An unbracketed IPv6 address is no URL authority: whatever the builder makes of
        // it, the target must not fail.
        check(&input(
            "agent",
            &[],
            EndpointChoice::Raw("http://::1/token".to_owned()),
        ));
    }

    #[test]
    fn a_scope_or_url_refusal_may_come_before_the_user_agent_s() {
        check(&input(" agent", &["bad scope"], preset()));
        check(&input(" agent", &[], EndpointChoice::Raw("not a url".to_owned())));
    }
}
