//! The bearer rule as a state machine: which token goes on the next send, and what a
//! response means for it. No token source and no I/O: the shells ask for tokens and hand
//! back what the resource answered.

use http::header::AUTHORIZATION;
use http::{HeaderMap, StatusCode, Uri};
use learn_oauth_proto::{AccessToken, resource_verdict};

use crate::observe;

/// One request's bearer authorization; see the diagram in [`super`].
#[derive(Debug)]
pub(super) struct Rule {
    state: State,
}

#[derive(Debug)]
enum State {
    /// The request brought its own `Authorization`: sent as it is, never retried.
    Own,
    /// A token is wanted: for the first send, or (`retry`) for the one retry.
    Wanting { retry: bool },
    /// `token` goes on the next send; `retry`: that send is the retry.
    Attached { token: AccessToken, retry: bool },
    /// The token was refused and the request cannot be sent again: the answer is final.
    Refused,
}

impl Rule {
    /// Starts for a request whose headers are `headers`: wanting a token, unless the
    /// request has its own `Authorization`.
    pub(super) fn new(headers: &HeaderMap) -> Self {
        let state = if headers.contains_key(AUTHORIZATION) {
            State::Own
        } else {
            State::Wanting { retry: false }
        };
        Self { state }
    }

    /// Whether the next step is to take a token from the source and hand it to
    /// [`handle_token`](Self::handle_token).
    #[must_use]
    pub(super) fn wants_token(&self) -> bool {
        matches!(self.state, State::Wanting { .. })
    }

    /// The token the source handed out; ignored unless one is wanted.
    pub(super) fn handle_token(&mut self, token: AccessToken) {
        if let State::Wanting { retry } = self.state {
            self.state = State::Attached { token, retry };
        }
    }

    /// Whether a response could still lead to a retry.
    #[must_use]
    pub(super) fn may_retry(&self) -> bool {
        matches!(self.state, State::Attached { retry: false, .. })
    }

    /// Sets `Authorization: Bearer <token>` when a token is attached.
    pub(super) fn authorize(&self, headers: &mut HeaderMap) {
        if let State::Attached { token, .. } = &self.state {
            headers.insert(AUTHORIZATION, token.authorization_header());
        }
    }

    /// The resource's answer to the request just sent. Returns the refused token (to
    /// invalidate in the source) on a token-rejecting 401 to a first send; then a new
    /// token is wanted if `replay` (the URI of a copy that can be sent again) is given.
    #[must_use]
    pub(super) fn handle_response(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
        replay: Option<&Uri>,
    ) -> Option<AccessToken> {
        if !self.may_retry() || !resource_verdict(status, headers).retry_with_new_token() {
            return None;
        }
        let next = match replay {
            Some(uri) => {
                observe::retrying_after_401(uri);
                State::Wanting { retry: true }
            }
            None => State::Refused,
        };
        match std::mem::replace(&mut self.state, next) {
            State::Attached { token, .. } => Some(token),
            // `may_retry` held: the state was `Attached`.
            State::Own | State::Wanting { .. } | State::Refused => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use http::HeaderValue;
    use http::header::WWW_AUTHENTICATE;
    use learn_oauth_proto::Scopes;

    use super::*;

    fn token(value: &str) -> AccessToken {
        AccessToken::new(
            value.into(),
            Scopes::new(),
            Instant::now(),
            Duration::from_secs(3600),
        )
        .expect("a valid token")
    }

    fn uri() -> Uri {
        Uri::from_static("http://127.0.0.1/api")
    }

    fn attached(value: &str) -> Rule {
        let mut rule = Rule::new(&HeaderMap::new());
        assert!(rule.wants_token());
        rule.handle_token(token(value));
        rule
    }

    fn sent(rule: &Rule) -> Option<HeaderValue> {
        let mut headers = HeaderMap::new();
        rule.authorize(&mut headers);
        headers.get(AUTHORIZATION).cloned()
    }

    fn challenge(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn a_request_with_its_own_authorization_wants_no_token_and_is_left_alone() {
        let mut own = HeaderMap::new();
        own.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        let mut rule = Rule::new(&own);
        assert!(!rule.wants_token());
        rule.handle_token(token("ignored"));
        assert_eq!(sent(&rule), None);
        assert!(!rule.may_retry());
        let refused = rule.handle_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()));
        assert!(refused.is_none());
        assert!(!rule.wants_token());
    }

    #[test]
    fn the_token_is_attached_and_a_success_is_the_answer() {
        let mut rule = attached("t0k3n");
        assert_eq!(sent(&rule).unwrap(), "Bearer t0k3n");
        assert!(rule.may_retry());
        assert!(
            rule.handle_response(StatusCode::OK, &HeaderMap::new(), Some(&uri()))
                .is_none()
        );
        assert!(!rule.wants_token());
        assert!(rule.may_retry(), "nothing changed");
    }

    #[test]
    fn a_401_refuses_the_token_and_wants_one_new_token_for_one_retry() {
        let mut rule = attached("old");
        let refused = rule.handle_response(
            StatusCode::UNAUTHORIZED,
            &challenge(r#"Bearer error="invalid_token""#),
            Some(&uri()),
        );
        assert_eq!(refused.unwrap().expose_secret(), "old");
        assert!(rule.wants_token());
        assert_eq!(sent(&rule), None, "the refused token is not sent again");
        rule.handle_token(token("new"));
        assert_eq!(sent(&rule).unwrap(), "Bearer new");
        assert!(!rule.may_retry());
        let again = rule.handle_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()));
        assert!(again.is_none(), "a 401 to the retry is the answer");
        assert!(!rule.wants_token());
    }

    #[test]
    fn a_401_to_a_request_that_cannot_be_replayed_refuses_the_token_without_a_retry() {
        let mut rule = attached("old");
        let refused = rule.handle_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), None);
        assert_eq!(refused.unwrap().expose_secret(), "old");
        assert!(!rule.wants_token());
        assert!(!rule.may_retry());
        assert_eq!(sent(&rule), None);
        rule.handle_token(token("unasked"));
        assert_eq!(sent(&rule), None, "a token nobody wanted is ignored");
    }

    #[test]
    fn a_403_and_insufficient_scope_are_the_answer() {
        let mut rule = attached("t0k3n");
        assert!(
            rule.handle_response(StatusCode::FORBIDDEN, &HeaderMap::new(), Some(&uri()))
                .is_none()
        );
        let scope = challenge(r#"Bearer error="insufficient_scope", scope="api/write""#);
        assert!(
            rule.handle_response(StatusCode::UNAUTHORIZED, &scope, Some(&uri()))
                .is_none()
        );
        assert!(!rule.wants_token());
        assert!(rule.may_retry(), "the token still stands");
    }

    #[test]
    fn a_rule_whose_new_token_never_came_does_not_ask_again() {
        let mut rule = attached("old");
        let _ = rule.handle_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()));
        // The source failed: no token handed in. Another 401 changes nothing.
        assert!(
            rule.handle_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), Some(&uri()))
                .is_none()
        );
        assert!(rule.wants_token());
        assert!(!rule.may_retry());
    }
}
