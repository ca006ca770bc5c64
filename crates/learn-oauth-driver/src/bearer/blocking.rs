//! [`BlockingBearerAttempt`]: the bearer rule over a [`BlockingTokenSource`].

use http::{HeaderMap, StatusCode, Uri};
use learn_oauth_proto::Error;

use super::rule::Rule;
use crate::source::BlockingTokenSource;

/// One request's bearer authorization in blocking code, with tokens from a
/// [`BlockingTokenSource`] (a blocking `TokenProvider`, a
/// [`FakeTokenSource`](crate::testing::FakeTokenSource)): the rules of
/// [`BearerAttempt`](super::BearerAttempt), the same state machine underneath.
///
/// ureq users need not drive it: `learn_oauth::ureq::bearer::send_authorized` does.
#[derive(Debug)]
pub struct BlockingBearerAttempt<'a, S: BlockingTokenSource + ?Sized> {
    source: &'a S,
    rule: Rule,
}

impl<'a, S: BlockingTokenSource + ?Sized> BlockingBearerAttempt<'a, S> {
    /// Starts authorizing a request whose headers are `headers`: takes a token from
    /// `source`, unless the request already has an `Authorization` header.
    ///
    /// # Errors
    ///
    /// The source's error when no token can be had.
    pub fn begin(source: &'a S, headers: &HeaderMap) -> Result<Self, Error> {
        let mut rule = Rule::new(headers);
        if rule.wants_token() {
            rule.handle_token(source.token()?);
        }
        Ok(Self { source, rule })
    }

    /// Whether a response could still lead to a retry: this attempt attaches its own
    /// token and has not retried yet. Copy a request for replay only while this holds.
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
    pub fn retry(
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
        self.rule.handle_token(self.source.token()?);
        Ok(true)
    }
}
