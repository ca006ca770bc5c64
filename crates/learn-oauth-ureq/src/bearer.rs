//! Requests to a protected resource over ureq with the bearer rule: [`send_authorized`].

use std::fmt;
use std::fs::File;
use std::io::Stdin;
use std::net::TcpStream;

use http::{Request, Response};
use learn_oauth_driver::BlockingTokenSource;
use learn_oauth_driver::bearer::BlockingBearerAttempt;
use learn_oauth_proto::Error;
use ureq::{AsSendBody, Body, SendBody};

/// Sends `request` through `agent` with `Authorization: Bearer …` from `source` (a
/// [`TokenProvider`](crate::TokenProvider), a
/// [`FakeTokenSource`](learn_oauth_driver::testing::FakeTokenSource)), following the rules
/// of [`BlockingBearerAttempt`]:
///
/// - a request that already has an `Authorization` header is sent as it is;
/// - on a **401** that rejects the token (plain, or `WWW-Authenticate: Bearer
///   error="invalid_token"`), the token is invalidated and the request is sent **once**
///   more with a new token if its body can be sent again ([`ReplayBody`]: `()`, bytes and
///   strings can; a `File`, `Stdin`, a socket, a [`SendBody`] reader cannot). Otherwise
///   that 401 is returned (its token still invalidated, so the next request gets a new
///   one). A 401 on the retry is returned, never looped on;
/// - a **403** (or a 401 with `error="insufficient_scope"`) is returned without a retry:
///   a new token with the same scopes gets the same answer.
///
/// **Every status is an `Ok` response**, whatever the agent's `http_status_as_error`:
/// each send is configured with `http_status_as_error(false)`, since the rule must read
/// a 401's `WWW-Authenticate`. Check [`Response::status`]. Your agent's other settings and
/// any per-request configuration (`agent.configure_request(..)`) are kept. A response
/// that leads to a retry is dropped unread.
///
/// # Errors
///
/// [`AuthError::Token`] when no token can be had (nothing is sent then, or the retry is
/// not); [`AuthError::Request`] when ureq fails to send or to get an answer.
pub fn send_authorized<S, B>(
    agent: &ureq::Agent,
    source: &S,
    request: Request<B>,
) -> Result<Response<Body>, AuthError>
where
    S: BlockingTokenSource + ?Sized,
    B: ReplayBody,
{
    let (mut parts, mut body) = request.into_parts();
    let mut attempt = BlockingBearerAttempt::begin(source, &parts.headers).map_err(AuthError::Token)?;
    loop {
        let again = if attempt.may_retry() {
            body.replay().map(|copy| (parts.clone(), copy))
        } else {
            None
        };
        attempt.authorize(&mut parts.headers);
        let request = agent
            .configure_request(Request::from_parts(parts, body))
            .http_status_as_error(false)
            .build();
        let response = agent.run(request).map_err(AuthError::Request)?;
        let replay_uri = again.as_ref().map(|(copy, _)| &copy.uri);
        let retry = attempt
            .retry(response.status(), response.headers(), replay_uri)
            .map_err(AuthError::Token)?;
        match again {
            Some(copy) if retry => (parts, body) = copy,
            _ => return Ok(response),
        }
    }
}

/// A request body [`send_authorized`] can send, and whether it can send it again after a
/// 401. Implemented for every body ureq sends: bytes and strings (owned or borrowed) and
/// `()` are replayed; readers ([`SendBody`], `File`, `Stdin`, sockets, a [`Body`] or
/// response being forwarded) are not, since their bytes are gone once sent. Read such a
/// body into a `Vec<u8>` first if its 401 should be retried.
pub trait ReplayBody: AsSendBody + Sized {
    /// A copy to send again, or `None` when this body cannot be sent twice.
    fn replay(&self) -> Option<Self>;
}

/// Bodies that are their own copy.
macro_rules! replayed {
    ($($body:ty),* $(,)?) => {$(
        impl ReplayBody for $body {
            fn replay(&self) -> Option<Self> {
                Some(self.clone())
            }
        }
    )*};
}

/// Bodies read as they are sent.
macro_rules! not_replayed {
    ($($body:ty),* $(,)?) => {$(
        impl ReplayBody for $body {
            fn replay(&self) -> Option<Self> {
                None
            }
        }
    )*};
}

replayed!((), &[u8], &str, String, Vec<u8>, &String, &Vec<u8>);
not_replayed!(
    SendBody<'_>,
    File,
    &File,
    Stdin,
    TcpStream,
    &TcpStream,
    Body,
    Response<Body>
);
#[cfg(unix)]
not_replayed!(std::os::unix::net::UnixStream);

impl<const N: usize> ReplayBody for &[u8; N] {
    fn replay(&self) -> Option<Self> {
        Some(*self)
    }
}

/// Why [`send_authorized`] did not return the resource's answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// No token could be had: the token source's typed error (the secret never in it).
    Token(Error),
    /// ureq failed to send the request or to read the answer's head.
    Request(ureq::Error),
}

impl AuthError {
    /// The token error, if that is what this is.
    #[must_use]
    pub fn token_error(&self) -> Option<&Error> {
        match self {
            Self::Token(error) => Some(error),
            Self::Request(_) => None,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Token(_) => "no access token for the request",
            Self::Request(_) => "the authorized request failed",
        })
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Token(error) => Some(error),
            Self::Request(error) => Some(error),
        }
    }
}
