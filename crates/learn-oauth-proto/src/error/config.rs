//! Configuration errors: the caller's mistake, found when a configuration is built.

use crate::preset::ApiKind;

/// A configuration value that was refused when the configuration was built.
///
/// Each variant names the field and the problem; none carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No tenant id was given.
    #[error("tenant id is missing")]
    MissingTenantId,
    /// No client secret was given.
    #[error("client secret is missing")]
    MissingClientSecret,
    /// The tenant id cannot be used.
    #[error("tenant id is invalid: {0}")]
    InvalidTenantId(#[source] IdentifierProblem),
    /// The client id cannot be used.
    #[error("client id is invalid: {0}")]
    InvalidClientId(#[source] IdentifierProblem),
    /// The client secret is empty.
    #[error("client secret is empty")]
    EmptyClientSecret,
    /// The client secret contains a control character (a pasted newline, usually).
    #[error("client secret contains a control character")]
    ClientSecretControlCharacter,
    /// HTTP Basic with the raw encoding cannot carry a client id containing `:`; use
    /// [`BasicEncoding::FormUrlEncoded`](crate::BasicEncoding::FormUrlEncoded) or form-body
    /// authentication.
    #[error("client id contains ':' which raw HTTP Basic authentication cannot carry")]
    ClientIdContainsColon,
    /// The custom token URL is refused.
    #[error("token url is invalid: {0}")]
    InvalidTokenUrl(#[source] UrlProblem),
    /// A scope is not a valid RFC 6749 §3.3 scope token.
    #[error("scope #{index} is invalid: {problem}")]
    InvalidScope {
        /// Zero-based position of the scope in the list given.
        index: usize,
        /// What is wrong with it.
        #[source]
        problem: ScopeProblem,
    },
    /// The scope exists, but the chosen API kind does not offer it (e.g. `api/webhooks`
    /// on the public API hosts).
    #[error("scope {scope} is not offered by the {api} token endpoint")]
    ScopeNotOffered {
        /// The scope asked for.
        scope: String,
        /// The API kind of the preset endpoint.
        api: ApiKind,
    },
    /// The User-Agent is empty, has surrounding whitespace, or is not a valid header value.
    #[error("user agent is empty, padded with whitespace or not a valid http header value")]
    InvalidUserAgent,
    /// The response size limit is below the smallest useful size.
    #[error("response size limit {limit} bytes is below the minimum of {min} bytes")]
    ResponseLimitTooSmall {
        /// The limit given.
        limit: usize,
        /// The smallest limit accepted.
        min: usize,
    },
    /// The response size limit is above the largest accepted (it bounds what is
    /// buffered, so it may not be unbounded).
    #[error("response size limit {limit} bytes is above the maximum of {max} bytes")]
    ResponseLimitTooLarge {
        /// The limit given.
        limit: usize,
        /// The largest limit accepted.
        max: usize,
    },
}

/// What is wrong with a tenant id or client id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentifierProblem {
    /// It is empty.
    #[error("empty")]
    Empty,
    /// It is `.` or `..`, which would change the URL path.
    #[error("'.' and '..' are not allowed")]
    DotSegment,
    /// It contains a control character.
    #[error("contains a control character at byte {position}")]
    ControlCharacter {
        /// Byte offset of the first control character.
        position: usize,
    },
    /// It is longer than the limit.
    #[error("{len} bytes long, the limit is {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
}

/// What is wrong with a custom token URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlProblem {
    /// It does not parse as an absolute URL.
    #[error("not an absolute url")]
    Unparseable,
    /// The scheme is neither `https` nor `http`.
    #[error("scheme must be https")]
    UnsupportedScheme,
    /// `http` is only allowed to a loopback host (127.0.0.0/8, ::1, `localhost`).
    #[error("plain http is only allowed to a loopback host")]
    PlainHttpToNonLoopback,
    /// It has no host.
    #[error("missing host")]
    MissingHost,
    /// It carries user information (`user:password@`); put credentials in the config.
    #[error("must not carry user information")]
    UserInfo,
    /// It has a fragment, which HTTP never sends.
    #[error("must not have a fragment")]
    Fragment,
    /// Its port is not a number from 0 to 65535.
    #[error("port is not a number from 0 to 65535")]
    InvalidPort,
}

/// What is wrong with a scope token (RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeProblem {
    /// It is empty.
    #[error("empty")]
    Empty,
    /// It contains a character outside RFC 6749 §3.3's set (space, `"`, `\`, controls,
    /// non-ASCII).
    #[error("character at byte {position} is not allowed in a scope")]
    InvalidCharacter {
        /// Byte offset of the first refused character.
        position: usize,
    },
    /// It is longer than the limit.
    #[error("{len} bytes long, the limit is {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
}
