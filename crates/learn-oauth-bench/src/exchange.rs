//! One in-memory client-credentials exchange — build the token request, get the canned
//! response, understand it — for each side measured.
//!
//! | side | what one exchange does |
//! |---|---|
//! | [`Ours`] | `config.token_request()` + `config.parse_response()` on a borrowed response (core only) |
//! | [`OursViaClient`] | the same, with the response made by [`in_memory_client`] (as the peer gets it) |
//! | [`Peer`] | `oauth2` 5: `exchange_client_credentials().add_scopes(..).request(&in_memory_client)` |
//! | [`Floor`] | rebuild a prebuilt `http::Request` (URI, 4 headers, body) + `serde_json` into a minimal borrowed struct |
//! | [`InMemoryClient`] | [`in_memory_client`] alone: drop a request, make the canned response |
//!
//! Each `run` returns something derived from the result so the optimizer cannot drop the
//! work; callers pass it through [`std::hint::black_box`] as well.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use learn_oauth_proto::ClientConfig;
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, EndpointNotSet, EndpointSet, Scope, TokenResponse, TokenUrl};
use serde::Deserialize;

use crate::fixture;

crate::sides! {
    /// The sides of the exchange benchmark.
    pub enum Side {
        /// [`Ours`].
        Ours => "ours",
        /// [`OursViaClient`].
        OursViaClient => "ours-via-client",
        /// [`Peer`].
        Oauth2 => "oauth2",
        /// [`Floor`].
        Floor => "floor",
        /// [`InMemoryClient`].
        Client => "client",
    }
}

/// A prepared side: everything built once, ready to run exchanges.
#[derive(Debug)]
pub enum Prepared {
    /// [`Ours`].
    Ours(Ours),
    /// [`OursViaClient`].
    OursViaClient(OursViaClient),
    /// [`Peer`].
    Oauth2(Box<Peer>),
    /// [`Floor`].
    Floor(Floor),
    /// [`InMemoryClient`].
    Client(InMemoryClient),
}

impl Prepared {
    /// Builds `side`'s client and fixtures.
    #[must_use]
    pub fn new(side: Side) -> Self {
        match side {
            Side::Ours => Prepared::Ours(Ours::new()),
            Side::OursViaClient => Prepared::OursViaClient(OursViaClient::new()),
            Side::Oauth2 => Prepared::Oauth2(Box::new(Peer::new())),
            Side::Floor => Prepared::Floor(Floor::new()),
            Side::Client => Prepared::Client(InMemoryClient),
        }
    }

    /// Runs one exchange.
    #[inline]
    pub fn run(&self) -> usize {
        match self {
            Prepared::Ours(s) => s.run(),
            Prepared::OursViaClient(s) => s.run(),
            Prepared::Oauth2(s) => s.run(),
            Prepared::Floor(s) => s.run(),
            Prepared::Client(s) => s.run(),
        }
    }
}

/// The in-memory HTTP client both ours and the peer are given: it drops the request and
/// answers with [`fixture::canned_response`]. It never fails.
///
/// # Errors
///
/// Never; the error type is what `oauth2`'s `SyncHttpClient` asks for.
pub fn in_memory_client(request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Infallible> {
    drop(black_box(request));
    Ok(fixture::canned_response())
}

/// Ours, core only: the transport already holds the response bytes.
#[derive(Debug)]
pub struct Ours {
    config: ClientConfig,
    response: Response<&'static [u8]>,
    now: Instant,
}

impl Ours {
    /// Builds the configuration (all request parts encoded once).
    #[must_use]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            config: fixture::config(),
            response: fixture::borrowed_response(),
            // One reading of the clock, outside the measured loop: the core never reads it.
            #[allow(clippy::disallowed_methods)]
            now: Instant::now(),
        }
    }

    /// One exchange; returns the token's length.
    #[inline]
    pub fn run(&self) -> usize {
        let request = self.config.token_request();
        black_box(&request);
        let token = self
            .config
            .parse_response(black_box(&self.response), self.now)
            .expect("the canned response is a token");
        token.expose_secret().len()
    }
}

/// Ours through the same in-memory client as the peer.
#[derive(Debug)]
pub struct OursViaClient {
    config: ClientConfig,
    now: Instant,
}

impl OursViaClient {
    /// Builds the configuration.
    #[must_use]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            config: fixture::config(),
            #[allow(clippy::disallowed_methods)]
            now: Instant::now(),
        }
    }

    /// One exchange; returns the token's length.
    #[inline]
    pub fn run(&self) -> usize {
        let Ok(response) = in_memory_client(self.config.token_request().map(Vec::from));
        let token = self
            .config
            .parse_response(&response, self.now)
            .expect("the canned response is a token");
        token.expose_secret().len()
    }
}

/// `oauth2` 5's `BasicClient` with its token URL set.
pub type PeerClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The peer: `oauth2` 5, configured once as its docs show, scopes kept ready.
#[derive(Debug)]
pub struct Peer {
    client: PeerClient,
    scopes: Vec<Scope>,
}

impl Peer {
    /// Builds the client.
    #[must_use]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let client = BasicClient::new(ClientId::new(fixture::TENANT_ID.to_owned()))
            .set_client_secret(ClientSecret::new(fixture::CLIENT_SECRET.to_owned()))
            .set_token_uri(TokenUrl::new(fixture::TOKEN_URL.to_owned()).expect("a valid URL"));
        let scopes = fixture::SCOPES
            .iter()
            .map(|s| Scope::new((*s).to_owned()))
            .collect();
        Self { client, scopes }
    }

    /// The configured client (for transports other than the in-memory one).
    #[must_use]
    pub fn client(&self) -> &PeerClient {
        &self.client
    }

    /// The scopes to request.
    #[must_use]
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// One exchange; returns the token's length.
    #[inline]
    pub fn run(&self) -> usize {
        let token = self
            .client
            .exchange_client_credentials()
            .add_scopes(self.scopes.iter().cloned())
            .request(&in_memory_client)
            .expect("the canned response is a token");
        token.access_token().secret().len()
    }
}

/// The floor: what any client must at least do — produce an owned request from prebuilt
/// parts, and deserialize the body into borrowed fields.
#[derive(Debug)]
pub struct Floor {
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    response_body: &'static [u8],
}

/// The fewest fields a client can read from a token response, borrowed from the body.
#[derive(Debug, Deserialize)]
pub struct MinimalToken<'a> {
    /// The token.
    pub access_token: &'a str,
    /// `Bearer`.
    pub token_type: &'a str,
    /// Seconds.
    pub expires_in: u64,
    /// Space-delimited scopes.
    pub scope: &'a str,
}

impl Floor {
    /// Prebuilds the request parts our configuration would send.
    #[must_use]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let request = fixture::config().token_request();
        let (parts, body) = request.into_parts();
        let mut headers = HeaderMap::with_capacity(4);
        for name in [CONTENT_TYPE, ACCEPT, USER_AGENT, AUTHORIZATION] {
            let value = parts
                .headers
                .get(&name)
                .cloned()
                .unwrap_or(HeaderValue::from_static("x"));
            headers.insert(name, value);
        }
        Self {
            uri: parts.uri,
            headers,
            body: body.into_bytes(),
            response_body: fixture::TOKEN_RESPONSE_BODY.as_bytes(),
        }
    }

    /// One exchange; returns the token's length.
    #[inline]
    pub fn run(&self) -> usize {
        let mut request = Request::new(self.body.clone());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        black_box(&request);
        let token: MinimalToken<'_> =
            serde_json::from_slice(black_box(self.response_body)).expect("the canned body parses");
        black_box(&token);
        token.access_token.len()
    }
}

/// The in-memory client alone, to show what part of an exchange through it is the
/// client's own cost (one `Vec` copy of the body and a one-entry header map).
#[derive(Debug, Clone, Copy)]
pub struct InMemoryClient;

impl InMemoryClient {
    /// Makes one canned response (and drops an empty request).
    #[inline]
    pub fn run(&self) -> usize {
        let Ok(response) = in_memory_client(Request::new(Vec::new()));
        black_box(&response);
        response.body().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_yields_the_token() {
        for side in Side::ALL {
            let expected = match side {
                Side::Client => fixture::TOKEN_RESPONSE_BODY.len(),
                _ => fixture::ACCESS_TOKEN.len(),
            };
            assert_eq!(Prepared::new(side).run(), expected, "{side}");
        }
    }

    #[test]
    fn side_names_round_trip() {
        for side in Side::ALL {
            assert_eq!(side.name().parse::<Side>(), Ok(side));
        }
        assert!("nope".parse::<Side>().is_err());
    }

    #[test]
    fn the_peer_sends_what_we_send() {
        use std::cell::RefCell;
        let seen = RefCell::new(None);
        let peer = Peer::new();
        peer.client()
            .exchange_client_credentials()
            .add_scopes(peer.scopes().iter().cloned())
            .request(&|request: Request<Vec<u8>>| {
                *seen.borrow_mut() = Some((request.uri().to_string(), request.body().clone()));
                in_memory_client(request)
            })
            .unwrap();
        let (uri, body) = seen.into_inner().unwrap();
        let ours = fixture::config().token_request();
        assert_eq!(uri, ours.uri().to_string());
        assert_eq!(
            String::from_utf8(body).unwrap(),
            String::from_utf8(ours.body().to_vec()).unwrap()
        );
    }
}
