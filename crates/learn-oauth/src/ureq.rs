pub mod bearer {
    //! Requests to a protected resource over ureq with the bearer rule: [`send_authorized`].
    //!
    //! ```
    //! # use learn_oauth_mock::{MockServer, Tenant};
    //! use learn_oauth::ClientConfig;
    //! use learn_oauth::ureq::TokenProvider;
    //! use learn_oauth::ureq::bearer::send_authorized;
    //!
    //! # let server = MockServer::builder().tenant(Tenant::new("eu-west-2_AbcdEfghI", "s3cret")).start()?;
    //! # let token_url = server.token_url("eu-west-2_AbcdEfghI");
    //! # let api_url = server.resource_url();
    //! let config = ClientConfig::builder()
    //!     .token_url(token_url)
    //!     .tenant_id("eu-west-2_AbcdEfghI")
    //!     .client_secret("s3cret")
    //!     .build()?;
    //! let provider = TokenProvider::new(config)?;
    //! let agent = ureq::Agent::new_with_defaults();
    //!
    //! let request = http::Request::get(api_url).body(())?;
    //! // Authorization: Bearer … attached; a 401 retried once with a new token.
    //! let response = send_authorized(&agent, &provider, request)?;
    //! assert_eq!(response.status(), 200);
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! ```
    pub use learn_oauth_ureq::bearer::*;
}
pub use learn_oauth_ureq::{TokenPool, TokenPoolBuilder, TokenProvider, TokenProviderBuilder, Transport};
