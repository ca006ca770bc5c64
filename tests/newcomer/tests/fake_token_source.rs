//! A unit test of a function over `TokenSource`, with `learn_oauth::testing::FakeTokenSource`.

use learn_oauth::testing::FakeTokenSource;
use learn_oauth_newcomer::authorization;

#[tokio::test]
async fn authorization_is_the_sources_token_as_a_bearer_header() {
    let source = FakeTokenSource::new("t0k3n");
    let header = authorization(&source).await.expect("a token");
    assert_eq!(header, "Bearer t0k3n");
    assert_eq!(source.token_calls(), 1);
    assert_eq!(source.invalidations(), 0);
}
