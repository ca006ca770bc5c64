//! [`BearerAttempt`]: the bearer rule over an async [`TokenSource`].

use http::{HeaderMap, StatusCode, Uri};
use learn_oauth_proto::Error;

use super::rule::Rule;
use crate::source::TokenSource;

/// One request's bearer authorization, from the first send to the last, with tokens from
/// an async [`TokenSource`] ([`BlockingBearerAttempt`](super::BlockingBearerAttempt) is
/// the same rule for blocking code):
///
/// 1. [`begin`](Self::begin): a request that already carries an `Authorization` header
///    keeps it and is left alone; otherwise a token is taken from the source.
/// 2. [`authorize`](Self::authorize) sets `Authorization: Bearer …` (a sensitive header
///    value, so HTTP stacks leave it out of their logs) before each send.
/// 3. [`retry`](Self::retry) reads the resource's answer: on a 401 that rejects the
///    token (a plain 401, or `WWW-Authenticate: Bearer error="invalid_token"`) it
///    invalidates that token in the source and, when the request can be sent again,
///    takes a new token and says "send it again" — **once**. A 403, or a 401 with
///    `error="insufficient_scope"`, is the answer: a new token with the same scopes gets
///    the same one. A 401 on the retried request is the answer too: never a loop.
#[derive(Debug)]
pub struct BearerAttempt<'a, S: TokenSource> {
    source: &'a S,
    rule: Rule,
}

impl<'a, S: TokenSource> BearerAttempt<'a, S> {
    /// Starts authorizing a request whose headers are `headers`: takes a token from
    /// `source`, unless the request already has an `Authorization` header.
    ///
    /// # Errors
    ///
    /// The source's error when no token can be had.
    pub async fn begin(source: &'a S, headers: &HeaderMap) -> Result<Self, Error> {
        let mut rule = Rule::new(headers);
        if rule.wants_token() {
            rule.handle_token(source.token().await?);
        }
        Ok(Self { source, rule })
    }

    /// Whether a response could still lead to a retry: this attempt attaches its own
    /// token and has not retried yet. Clone a request for replay only while this holds.
    #[must_use]
    pub fn may_retry(&self) -> bool {
        self.rule.may_retry()
    }

    /// Sets `Authorization: Bearer <token>` on `headers`, unless the request brought its
    /// own `Authorization`.
    pub fn authorize(&self, headers: &mut HeaderMap) {
        self.rule.authorize(headers);
    }

    /// Reads the resource's answer to the request just sent and says whether to send it
    /// once more, after [`authorize`](Self::authorize) again. `replay` is the URI of the
    /// copy of the request you can send again (`None`: it cannot be replayed, such as a
    /// streamed body); on a token-rejecting 401 the token is invalidated either way, so
    /// the next request gets a new one.
    ///
    /// # Errors
    ///
    /// The source's error when the new token cannot be had.
    pub async fn retry(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
        replay: Option<&Uri>,
    ) -> Result<bool, Error> {
        let Some(refused) = self.rule.handle_response(status, headers, replay) else {
            return Ok(false);
        };
        self.source.invalidate(&refused);
        if !self.rule.wants_token() {
            return Ok(false);
        }
        self.rule.handle_token(self.source.token().await?);
        Ok(true)
    }
}
