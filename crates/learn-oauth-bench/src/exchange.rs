//! One in-memory client-credentials exchange — build the token request, get the canned
//! response, understand it — for each side of section 1 ([`SIDES`]; what each does is
//! [`Exchange::run`]): ours on the core alone or through [`in_memory_client`], `oauth2` 5
//! through it, the floor, and the client alone.
//!
//! Each run returns something derived from the result so the optimizer cannot drop the
//! work; callers pass it through [`std::hint::black_box`] as well.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use learn_oauth_proto::ClientConfig;
use oauth2::{Scope, TokenResponse};
use serde::Deserialize;

use crate::fixture::{self, PeerClient};

/// The sides, in report order.
pub const SIDES: [&str; 5] = ["ours", "ours-via-client", "oauth2", "floor", "client"];

/// The in-memory HTTP client both ours and the peer are given: it drops the request and
/// answers with [`fixture::canned_response`]. It never fails: the error type is what
/// `oauth2`'s `SyncHttpClient` asks for.
pub fn in_memory_client(request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Infallible> {
    drop(black_box(request));
    Ok(fixture::canned_response())
}

/// One side, prepared: everything built once, ready to run exchanges.
#[derive(Debug)]
pub struct Exchange(Side);

/// Each side's prepared parts; ours parse at an instant read once, outside the measured
/// loop (the core never reads the clock).
#[derive(Debug)]
enum Side {
    Ours(ClientConfig, Response<&'static [u8]>, Instant),
    OursViaClient(ClientConfig, Instant),
    Oauth2(Box<(PeerClient, Vec<Scope>)>),
    /// The request parts our configuration would send, prebuilt: URI, headers, body.
    Floor(Uri, HeaderMap, Vec<u8>),
    Client,
}

/// The fewest fields a client can read from a token response, borrowed from the body (all
/// deserialized, as a client would; the bench reads the token only).
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct MinimalToken<'a> {
    access_token: &'a str,
    token_type: &'a str,
    expires_in: u64,
    scope: &'a str,
}

impl Exchange {
    /// Builds `side`'s client and fixtures; `None` for an unknown side.
    #[must_use]
    pub fn new(side: &str) -> Option<Self> {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        Some(Self(match side {
            "ours" => Side::Ours(fixture::config(), fixture::borrowed_response(), now),
            "ours-via-client" => Side::OursViaClient(fixture::config(), now),
            "oauth2" => Side::Oauth2(Box::new(fixture::peer(
                &fixture::config().token_uri().to_string(),
            ))),
            "floor" => {
                let (parts, body) = fixture::config().token_request().into_parts();
                let mut headers = HeaderMap::with_capacity(4);
                for name in [CONTENT_TYPE, ACCEPT, USER_AGENT, AUTHORIZATION] {
                    let value = parts.headers.get(&name).cloned();
                    headers.insert(name, value.unwrap_or(HeaderValue::from_static("x")));
                }
                Side::Floor(parts.uri, headers, body.into_bytes())
            }
            "client" => Side::Client,
            _ => return None,
        }))
    }

    /// Runs one exchange; returns the token's length (the body's, for `client`).
    #[inline]
    pub fn run(&self) -> usize {
        match &self.0 {
            Side::Ours(config, response, now) => {
                let request = config.token_request();
                black_box(&request);
                let token = config.parse_response(black_box(response), *now).expect("a token");
                token.expose_secret().len()
            }
            Side::OursViaClient(config, now) => {
                let Ok(response) = in_memory_client(config.token_request().map(Vec::from));
                let token = config.parse_response(&response, *now).expect("a token");
                token.expose_secret().len()
            }
            Side::Oauth2(peer) => {
                let (client, scopes) = &**peer;
                let request = client
                    .exchange_client_credentials()
                    .add_scopes(scopes.iter().cloned());
                let token = request.request(&in_memory_client).expect("a token");
                token.access_token().secret().len()
            }
            Side::Floor(uri, headers, body) => {
                let mut request = Request::new(body.clone());
                *request.method_mut() = Method::POST;
                *request.uri_mut() = uri.clone();
                *request.headers_mut() = headers.clone();
                black_box(&request);
                let token: MinimalToken<'_> =
                    serde_json::from_slice(black_box(fixture::TOKEN_RESPONSE_BODY.as_bytes()))
                        .expect("the canned body parses");
                black_box(&token);
                token.access_token.len()
            }
            Side::Client => {
                let Ok(response) = in_memory_client(Request::new(Vec::new()));
                black_box(&response);
                response.body().len()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_yields_the_token() {
        for side in SIDES {
            let expected = if side == "client" {
                &fixture::TOKEN_RESPONSE_BODY
            } else {
                &fixture::ACCESS_TOKEN
            };
            assert_eq!(Exchange::new(side).unwrap().run(), expected.len(), "{side}");
        }
        assert!(Exchange::new("nope").is_none());
    }

    #[test]
    fn the_peer_sends_what_we_send() {
        let seen = std::cell::RefCell::new(None);
        let (client, scopes) = fixture::peer(&fixture::config().token_uri().to_string());
        let request = client.exchange_client_credentials().add_scopes(scopes);
        let _ = request.request(&|request: Request<Vec<u8>>| {
            *seen.borrow_mut() = Some((request.uri().to_string(), request.body().clone()));
            in_memory_client(request)
        });
        let (uri, body) = seen.into_inner().unwrap();
        let ours = fixture::config().token_request();
        assert_eq!(uri, ours.uri().to_string());
        assert_eq!(body, ours.body().to_vec());
    }
}
