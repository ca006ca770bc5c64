//! The command line, described with clap's derive API.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// The exit statuses, for `--help` (the README has the same table).
const EXIT_STATUS: &str = "\
Exit status:
  0  success
  2  usage or configuration error (the flag, variable, profile or file at fault is named)
  3  the token endpoint refused the credentials or the request (400, 401, 403)
  4  temporary failure after the retries: 5xx, 429, timeout, network, an unusable answer
  5  api: the resource answered with a status other than 2xx

The secret comes from LEARN_API_SECRET, --secret-file PATH or --secret-stdin (or a
profile's secret_file / secret_env), never from a flag value. Tokens are cached in
$XDG_CACHE_HOME/learn-oauth (see `learn-oauth cache path`).";

/// Access tokens for the Learn platform API, for the shell: `learn-oauth token`,
/// `learn-oauth check`, `learn-oauth api`.
#[derive(Debug, Parser)]
#[command(name = "learn-oauth", version, after_help = EXIT_STATUS, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Neither read nor write the token cache.
    #[arg(long, global = true)]
    pub(crate) no_cache: bool,
    /// On an error, also print its causes (the typed error's source chain).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the configuration comes from. Each flag overrides the selected profile, which
/// overrides the `LEARN_*` variable.
#[derive(Debug, Args)]
pub(crate) struct SourceArgs {
    /// Use this profile of $XDG_CONFIG_HOME/learn-oauth/config.toml.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Tenant id [env: LEARN_TENANT_ID].
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) tenant: Option<String>,
    /// Client id, when it differs from the tenant id [env: LEARN_CLIENT_ID].
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// production or staging [env: LEARN_ENVIRONMENT] [default: production].
    #[arg(long = "env", global = true, value_name = "ENV")]
    pub(crate) environment: Option<String>,
    /// global or mea [env: LEARN_REGION] [default: global].
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// public or webhooks [env: LEARN_API] [default: public].
    #[arg(long, global = true, value_name = "API")]
    pub(crate) api: Option<String>,
    /// A scope to request; repeat for more [env: LEARN_SCOPES, space-separated].
    #[arg(long = "scope", global = true, value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,
    /// A custom token URL, overriding --env, --region and --api [env: LEARN_TOKEN_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) token_url: Option<String>,
    /// Read the API secret from this file (one line; a trailing newline is dropped).
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "secret_stdin")]
    pub(crate) secret_file: Option<PathBuf>,
    /// Read the API secret from standard input (one line).
    #[arg(long, global = true)]
    pub(crate) secret_stdin: bool,
    /// Not accepted: a secret on the command line is visible to every user in `ps`.
    #[arg(
        long = "secret",
        aliases = ["client-secret", "api-secret"],
        global = true,
        hide = true,
        num_args = 0..=1,
        value_name = "SECRET"
    )]
    pub(crate) secret: Option<Option<String>>,
    /// Also trust the CA certificates in this PEM file (e.g. `learn-oauth-mock --tls
    /// --ca-out FILE`).
    #[arg(long, global = true, value_name = "PEM")]
    pub(crate) ca_cert: Option<PathBuf>,
    /// Wait at most this many seconds for a token (at most half of it for another
    /// invocation fetching the same token), and for each `api` request [default: 30 for
    /// a token, none for `api`].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) timeout: Option<u64>,
    /// Use an embedded mock token server instead of the real endpoint (a try-out, offline;
    /// implies --no-cache).
    #[arg(long, global = true)]
    pub(crate) mock: bool,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print an access token (from the cache while it is fresh), e.g.
    /// `curl -H "Authorization: Bearer $(learn-oauth token)" …`.
    Token {
        /// token: the token alone; header: `Authorization: Bearer …`; json: an object with
        /// access_token, token_type, expires_at (RFC 3339, UTC), expires_in and scope.
        #[arg(long, value_enum, default_value_t = Format::Token)]
        format: Format,
    },
    /// Check the configuration and get a token; print the endpoint, tenant, client id,
    /// granted scopes, time left and whether the token came from the cache, never the
    /// token.
    Check {
        /// Ask the token endpoint, whatever the cache holds: verifies the credentials now
        /// (a cached token was fetched with the same secret, but maybe long ago).
        #[arg(long)]
        fresh: bool,
    },
    /// Send a request to the API with the token attached; print the body to stdout and the
    /// status to stderr. The token goes only to the API host (the token URL's host)
    /// unless --allow-host names another. A 401 from the API host drops the token and
    /// retries once with a new one.
    Api(ApiArgs),
    /// The token cache: where it is, what it holds (never the tokens), emptying it.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
}

/// How `token` prints the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The token alone, one line.
    Token,
    /// `Authorization: Bearer …`, one line.
    Header,
    /// A JSON object.
    Json,
}

/// `learn-oauth api [METHOD] URL-or-PATH`.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// An optional METHOD (default GET, or POST with a body), then a URL, or a path
    /// resolved against the API host (the token URL's scheme and host). A URL to another
    /// host needs --allow-host.
    #[arg(required = true, num_args = 1..=2, value_names = ["METHOD", "URL-or-PATH"])]
    pub(crate) target: Vec<String>,
    /// The request body.
    #[arg(short = 'd', long, value_name = "TEXT", conflicts_with = "data_file")]
    pub(crate) data: Option<String>,
    /// Read the request body from this file (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub(crate) data_file: Option<PathBuf>,
    /// A request header, `Name: value`; repeat for more. With an Authorization header of
    /// your own, no token is attached.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,
    /// Also send the token to this host (a URL's host, any port); repeat for more. A 401
    /// from it is printed, never answered with a new token.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub(crate) allow_hosts: Vec<String>,
}

/// `learn-oauth cache …`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub(crate) enum CacheAction {
    /// Print the cache directory.
    Path,
    /// List the cached values (sealed tokens and cool-downs, named by a digest): each file
    /// and its expiry (never a token).
    List,
    /// Delete every cached token.
    Clear,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_secret_flag_parses_so_that_it_can_be_refused() {
        for argv in [
            &["learn-oauth", "--secret", "s3cret", "token"][..],
            &["learn-oauth", "token", "--secret=s3cret"],
            &["learn-oauth", "--client-secret", "x", "check"],
        ] {
            let cli = Cli::try_parse_from(argv).expect("parses");
            assert!(cli.source.secret.is_some(), "{argv:?}");
        }
    }

    #[test]
    fn api_takes_an_optional_method() {
        let Command::Api(api) = Cli::try_parse_from(["learn-oauth", "api", "/x"]).unwrap().command else {
            panic!("not api");
        };
        assert_eq!(api.target, ["/x"]);
        let parsed = Cli::try_parse_from(["learn-oauth", "api", "DELETE", "/x", "-H", "A: b"]).unwrap();
        let Command::Api(api) = parsed.command else {
            panic!("not api")
        };
        assert_eq!((api.target.len(), api.headers.len()), (2, 1));
        assert!(Cli::try_parse_from(["learn-oauth", "api", "a", "b", "c"]).is_err());
    }
}
