//! The canned exchange: one tenant, one secret, one token URL, one 200 response, and a
//! transport ([`Canned`]) that answers it; both sides' configuration for it, at the
//! default endpoint or at a mock's URL.

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response};
use std::time::Duration;

use learn_oauth_driver::{Async, Blocking, Provider, SendAsync, SendBlocking};
use learn_oauth_proto::{ClientConfig, ClientConfigBuilder, RequestBody, TransportError};
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, EndpointNotSet, EndpointSet, Scope, TokenUrl};

/// The tenant id (also the client id).
pub const TENANT_ID: &str = "eu-west-2_AbcdEfghI";

/// The API secret. A benchmark value, not a credential.
pub const CLIENT_SECRET: &str = "b3nchmark-s3cret-not-a-credential";

/// The scopes requested (and granted).
pub const SCOPES: [&str; 2] = ["api/read", "api/write"];

macro_rules! jwt {
    () => {
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJlbmNoIn0.\
         eyJzdWIiOiJldS13ZXN0LTJfQWJjZEVmZ2hJIiwic2NvcGUiOiJhcGkvcmVhZCBhcGkvd3JpdGUiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.\
         c2lnbmF0dXJlLW9mLXRoZS1iZW5jaG1hcmstdG9rZW4tbm90LWEtcmVhbC1zaWduYXR1cmU"
    };
}

/// The access token in the canned response: a JWT-shaped string of about 250 bytes.
pub const ACCESS_TOKEN: &str = jwt!();

/// The canned 200 body, in the spec's field order.
pub const TOKEN_RESPONSE_BODY: &str = concat!(
    r#"{"access_token":""#,
    jwt!(),
    r#"","token_type":"Bearer","expires_in":3600,"scope":"api/read api/write"}"#
);

/// Our configuration for the canned exchange (default endpoint, HTTP Basic).
#[must_use]
pub fn config() -> ClientConfig {
    tenant(ClientConfig::builder())
}

/// Our configuration for the benchmark tenant at `token_url` (a mock).
#[must_use]
pub fn config_at(token_url: &str) -> ClientConfig {
    tenant(ClientConfig::builder().token_url(token_url))
}

fn tenant(builder: ClientConfigBuilder) -> ClientConfig {
    let builder = builder.tenant_id(TENANT_ID).client_secret(CLIENT_SECRET);
    builder.scopes(SCOPES).build().expect("a valid configuration")
}

/// `oauth2` 5's `BasicClient` with its token URL set.
pub type PeerClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// `oauth2` 5 configured for the benchmark tenant at `token_url` as its docs show, with
/// the scopes to request.
#[must_use]
pub fn peer(token_url: &str) -> (PeerClient, Vec<Scope>) {
    let client = BasicClient::new(ClientId::new(TENANT_ID.to_owned()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_token_uri(TokenUrl::new(token_url.to_owned()).expect("a valid URL"));
    (
        client,
        SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect(),
    )
}

/// The canned response as an HTTP client hands it out: status 200,
/// `Content-Type: application/json`, the body in a fresh `Vec`.
#[must_use]
pub fn canned_response() -> Response<Vec<u8>> {
    json(TOKEN_RESPONSE_BODY.as_bytes().to_vec())
}

/// The canned response borrowing the static body (what a transport holds after reading).
#[must_use]
pub fn borrowed_response() -> Response<&'static [u8]> {
    json(TOKEN_RESPONSE_BODY.as_bytes())
}

fn json<B>(body: B) -> Response<B> {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A transport answering every request with the canned response, for both flavours.
#[derive(Debug, Clone, Copy, Default)]
pub struct Canned;

type Answer = Result<Response<Vec<u8>>, TransportError>;

impl SendBlocking for Canned {
    fn send(&self, _: http::Request<RequestBody>, _: usize, _: Duration) -> Answer {
        Ok(canned_response())
    }
}

impl SendAsync for Canned {
    async fn send(&self, _: http::Request<RequestBody>, _: usize, _: Duration) -> Answer {
        Ok(canned_response())
    }
}

/// A blocking provider over [`Canned`] for `config`, holding its first token.
#[must_use]
pub fn warm_blocking(config: ClientConfig) -> Provider<Blocking<Canned>> {
    let provider = Provider::<Blocking<Canned>>::builder(config).transport(Canned);
    let provider = provider.build().expect("a provider with a transport");
    provider.token().expect("the canned exchange yields a token");
    provider
}

/// An async provider over [`Canned`] for [`config`], holding its first token, and the
/// runtime it was warmed on (kept beside it).
#[must_use]
pub fn warm_async() -> (Provider<Async<Canned>>, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build();
    let runtime = runtime.expect("a runtime");
    let provider = Provider::<Async<Canned>>::builder(config()).transport(Canned);
    let provider = provider.build().expect("a provider with a transport");
    let token = runtime.block_on(provider.token());
    token.expect("the canned exchange yields a token");
    (provider, runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canned_exchange_is_the_specs_shape() {
        let len = ACCESS_TOKEN.len();
        assert!((240..=270).contains(&len), "{len}");
        let value: serde_json::Value = serde_json::from_str(TOKEN_RESPONSE_BODY).unwrap();
        assert_eq!(value["access_token"], ACCESS_TOKEN);
        assert_eq!(value["token_type"], "Bearer");
        assert_eq!(value["expires_in"], 3600);
        assert_eq!(value["scope"], "api/read api/write");
    }
}
