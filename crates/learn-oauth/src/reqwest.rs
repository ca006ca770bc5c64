#[cfg(feature = "middleware")]
#[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
pub mod middleware {
    //! `AuthMiddleware` for `reqwest-middleware` clients (feature `middleware`): it
    //! authorizes every request with a [`TokenSource`](crate::TokenSource), and builds
    //! the client to use it with.
    //!
    //! ```no_run
    //! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    //! use learn_oauth::reqwest::TokenProvider;
    //! use learn_oauth::reqwest::middleware::AuthMiddleware;
    //! use learn_oauth::{ClientConfig, TransportOptions};
    //!
    //! let config = ClientConfig::builder().tenant_id("my-tenant").client_secret("s3cret").build()?;
    //! let provider = TokenProvider::new(config)?;
    //! let client = AuthMiddleware::new(provider)
    //!     .into_client_builder(&TransportOptions::new())?
    //!     .build();
    //! // Authorization: Bearer … attached; a 401 retried once with a new token.
    //! let response = client.get("https://api.example/v1/ping").send().await?;
    //! # let _ = response;
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! [`AuthMiddleware::into_client_builder`] builds the reqwest client with the
    //! bundled TLS (rustls with the *ring* provider, set on the client), so it works
    //! however reqwest was added to your project and never needs a process-wide rustls
    //! provider. To put the middleware on a `reqwest::Client` of your own, use
    //! `reqwest_middleware::ClientBuilder::new(client).with(AuthMiddleware::new(source))`;
    //! that client's TLS is then yours to set up.
    pub use learn_oauth_reqwest::middleware::*;
}
pub use learn_oauth_reqwest::{TokenPool, TokenPoolBuilder, TokenProvider, TokenProviderBuilder, Transport};
