pub use learn_oauth_driver::{PemError, RootCertificateError};
pub use learn_oauth_proto::{
    BodyKind, ErrorDetail, IdentifierProblem, OAuthError, OAuthErrorCode, ResponseError, ResponseProblem,
    ScopeProblem, ServerError, TransportError, TransportErrorKind, UnstructuredBody, UrlProblem, VendorError,
    VendorMessage,
};
