pub use learn_oauth_proto::{
    ApiKind, AuthMethod, BasicEncoding, ClientConfigBuilder, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TOKEN_LIFETIME, DEFAULT_USER_AGENT, MAX_IDENTIFIER_LEN, MAX_MAX_RESPONSE_BYTES, MAX_SCOPE_LEN,
    MAX_TOKEN_LIFETIME, MIN_MAX_RESPONSE_BYTES, Scope, Scopes,
};

/// What identifies a token, with one stable digest.
///
/// The scopes' order does not count:
///
/// ```
/// use learn_oauth::ClientConfig;
/// use learn_oauth::config::TokenIdentity;
///
/// let config = |scopes: &[&str]| {
///     ClientConfig::builder()
///         .tenant_id("eu-west-2_AbcdEfghI")
///         .client_secret("s3cret")
///         .scopes(scopes.iter().copied())
///         .build()
/// };
/// let a = TokenIdentity::of(&config(&["api/write", "api/read"])?);
/// let b = TokenIdentity::of(&config(&["api/read", "api/write"])?);
/// assert_eq!(a.digest(), b.digest());
/// assert_eq!(a.short_hex().len(), 32);
/// # Ok::<(), learn_oauth::ConfigError>(())
/// ```
pub use learn_oauth_proto::TokenIdentity;
