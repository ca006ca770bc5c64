//! What a newcomer writes from README.md: a function over any token source, so its unit
//! test can use `learn_oauth::testing::FakeTokenSource` instead of a server.
#![forbid(unsafe_code)]

use learn_oauth::http::HeaderValue;
use learn_oauth::{Error, TokenSource};

/// The `Authorization` value for the next API request, from any token source.
///
/// # Errors
///
/// The source's error when it has no token.
pub async fn authorization(source: &impl TokenSource) -> Result<HeaderValue, Error> {
    let token = source.token().await?;
    Ok(token.authorization_header())
}
