//! What a protected resource's answer says about the bearer token it was sent.

use http::{HeaderMap, StatusCode, header::WWW_AUTHENTICATE};

/// What a protected resource's response says about the access token the request carried
/// (RFC 6750 §3); see [`resource_verdict`]. Middleware decides from it whether to drop
/// the token and send the request once more with a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceVerdict {
    /// Nothing against the token: any status but 401 and 403.
    NotRejected,
    /// 401: the token was refused (expired, revoked, or for another audience) — with
    /// `WWW-Authenticate: Bearer error="invalid_token"` or with no challenge at all. A new
    /// token may succeed: invalidate this one and retry once.
    TokenRejected,
    /// 403, or a 401 whose challenge says `error="insufficient_scope"`: the token is
    /// valid but may not do this. A new token with the same scopes gets the same answer,
    /// so this is not retried.
    Forbidden,
}

impl ResourceVerdict {
    /// Whether a new token may change the answer: only for [`TokenRejected`](Self::TokenRejected).
    #[must_use]
    pub fn retry_with_new_token(self) -> bool {
        self == Self::TokenRejected
    }
}

/// Reads a protected resource's status and `WWW-Authenticate` challenges: a 401 rejects
/// the token unless its Bearer challenge names `insufficient_scope`; a 403 forbids;
/// anything else says nothing against the token. Header values that are not visible
/// ASCII are ignored.
#[must_use]
pub fn resource_verdict(status: StatusCode, headers: &HeaderMap) -> ResourceVerdict {
    match status {
        StatusCode::FORBIDDEN => ResourceVerdict::Forbidden,
        StatusCode::UNAUTHORIZED => {
            let insufficient_scope = headers
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .any(|challenge| {
                    bearer_error(challenge).is_some_and(|e| e.eq_ignore_ascii_case("insufficient_scope"))
                });
            if insufficient_scope {
                ResourceVerdict::Forbidden
            } else {
                ResourceVerdict::TokenRejected
            }
        }
        _ => ResourceVerdict::NotRejected,
    }
}

/// The `error` parameter of the Bearer challenge in a `WWW-Authenticate` value, quoted or
/// not (`Bearer realm="x", error="invalid_token"`). Other schemes' parameters are skipped.
fn bearer_error(value: &str) -> Option<&str> {
    let mut in_bearer = false;
    for part in value.split(',') {
        let mut part = part.trim();
        // A new challenge starts with a scheme name followed by a space (or alone).
        if let Some((first, rest)) = part.split_once(' ')
            && !first.contains('=')
        {
            in_bearer = first.eq_ignore_ascii_case("bearer");
            part = rest.trim();
        } else if !part.contains('=') {
            in_bearer = part.eq_ignore_ascii_case("bearer");
            continue;
        }
        if !in_bearer {
            continue;
        }
        if let Some((name, value)) = part.split_once('=')
            && name.trim().eq_ignore_ascii_case("error")
        {
            return Some(value.trim().trim_matches('"'));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn verdict(status: u16, challenges: &[&str]) -> ResourceVerdict {
        let mut headers = HeaderMap::new();
        for challenge in challenges {
            headers.append(WWW_AUTHENTICATE, HeaderValue::from_str(challenge).unwrap());
        }
        resource_verdict(StatusCode::from_u16(status).unwrap(), &headers)
    }

    #[test]
    fn a_plain_401_and_an_invalid_token_challenge_reject_the_token() {
        assert_eq!(verdict(401, &[]), ResourceVerdict::TokenRejected);
        assert_eq!(
            verdict(
                401,
                &[r#"Bearer realm="learn", error="invalid_token", error_description="expired""#]
            ),
            ResourceVerdict::TokenRejected
        );
        assert_eq!(verdict(401, &["Basic realm=x"]), ResourceVerdict::TokenRejected);
    }

    #[test]
    fn insufficient_scope_and_403_forbid_without_retry() {
        assert_eq!(verdict(403, &[]), ResourceVerdict::Forbidden);
        assert_eq!(
            verdict(401, &[r#"Bearer error="insufficient_scope""#]),
            ResourceVerdict::Forbidden
        );
        assert_eq!(
            verdict(401, &["bearer scope=a, ERROR=Insufficient_Scope"]),
            ResourceVerdict::Forbidden
        );
        assert_eq!(
            verdict(401, &[r#"Basic realm="x", Bearer error="insufficient_scope""#]),
            ResourceVerdict::Forbidden
        );
        assert!(!ResourceVerdict::Forbidden.retry_with_new_token());
        assert!(ResourceVerdict::TokenRejected.retry_with_new_token());
    }

    #[test]
    fn another_schemes_error_is_not_the_bearer_error() {
        assert_eq!(
            verdict(
                401,
                &[r#"Other error="insufficient_scope", Bearer error="invalid_token""#]
            ),
            ResourceVerdict::TokenRejected
        );
    }

    #[test]
    fn other_statuses_say_nothing_against_the_token() {
        for status in [200, 204, 400, 404, 429, 500, 503] {
            assert_eq!(
                verdict(status, &[r#"Bearer error="invalid_token""#]),
                ResourceVerdict::NotRejected
            );
        }
    }
}
