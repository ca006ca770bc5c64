//! Getting a token for one invocation: through the blocking provider, which shares tokens
//! with the other invocations of this user through the cache (a shared store in a
//! directory): a token another invocation fetched is taken while fresh, and invocations
//! that miss at once share one request.

use std::cell::OnceCell;
use std::ffi::OsString;
use std::time::{Instant, SystemTime};

use learn_oauth::AccessToken;
use learn_oauth::file::FileStore;
use learn_oauth::store::{BlockingStore, Sealing, SharedStore, StorePolicy};
use learn_oauth::ureq::{TokenProvider, Transport};

use crate::cache::{CacheError, open_cache};
use crate::failure::{CliError, warn};
use crate::settings::Settings;

/// A token and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Obtained {
    /// The token.
    pub(crate) token: AccessToken,
    /// When it expires, on the wall clock.
    pub(crate) expires_at: SystemTime,
    /// Whether it came from the cache (not from a request of this invocation).
    pub(crate) from_cache: bool,
}

/// The tokens of one invocation.
#[derive(Debug)]
pub(crate) struct Tokens<'a> {
    settings: &'a Settings,
    /// The cache directory's store, and the same store sealed with this invocation's key.
    cache: Option<(FileStore, SharedStore<dyn BlockingStore>)>,
    provider: OnceCell<TokenProvider>,
}

impl<'a> Tokens<'a> {
    /// Tokens for `settings`, shared through the cache unless `use_cache` is false or the
    /// settings are the embedded mock's. A cache that cannot be used is a warning, not an
    /// error.
    #[must_use]
    pub(crate) fn new(
        settings: &'a Settings,
        use_cache: bool,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Self {
        let cache = if use_cache && settings.mock.is_none() {
            open_cache(env)
                .and_then(|files| {
                    warn_unsafe_files(&files);
                    let key = files.sealing_key(settings.secret.expose().as_bytes())?;
                    // A hung invocation holding the lease delays this one at most half
                    // of its `--timeout`, leaving the other half for its own request.
                    let mut policy = StorePolicy::default();
                    policy.peer_wait = policy.peer_wait.min(settings.policy.max_wait / 2);
                    let shared = SharedStore::blocking(files.clone(), Sealing::new(key)).policy(policy);
                    Ok((files, shared))
                })
                .map_err(warn)
                .ok()
        } else {
            None
        };
        Tokens {
            settings,
            cache,
            provider: OnceCell::new(),
        }
    }

    /// A token: from the cache while it is fresh, else a new one (then cached), one
    /// request shared by the invocations that want one at once. If that request fails
    /// for now and the cached token is past its refresh point but still usable, that
    /// token (with a warning).
    ///
    /// # Errors
    ///
    /// [`CliError::Token`] when no token can be had; [`CliError::Build`] when the HTTP
    /// client cannot be set up.
    pub(crate) fn get(&self) -> Result<Obtained, CliError> {
        let provider = self.provider()?;
        let before = provider.stats().store;
        let token = provider.token().map_err(CliError::Token)?;
        let after = provider.stats().store;
        let from_cache = after.adopted > before.adopted;
        // Taken past the earliest refresh point any invocation draws: the store hands
        // such a token out only in place of a request that failed for now.
        let age = Instant::now().saturating_duration_since(token.received_at());
        if from_cache && age >= self.settings.policy.refresh_after(token.lifetime(), 1.0) {
            warn("cannot refresh the token (the endpoint failed for now); using the cached one, still valid");
        }
        let left = token.expires_at().saturating_duration_since(Instant::now());
        let wall = SystemTime::now();
        Ok(Obtained {
            expires_at: wall.checked_add(left).unwrap_or(wall),
            token,
            from_cache,
        })
    }

    /// A new token from the endpoint, whatever the cache holds (`check --fresh`: the
    /// credentials are sent); it replaces the cached one.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub(crate) fn fresh(&self) -> Result<Obtained, CliError> {
        let first = self.get()?;
        if !first.from_cache {
            return Ok(first);
        }
        self.replace(&first)
    }

    /// After the resource refused `refused` (a 401): drops it (the provider then never
    /// takes it from the cache again) and gets another.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub(crate) fn replace(&self, refused: &Obtained) -> Result<Obtained, CliError> {
        self.provider()?.invalidate(&refused.token);
        self.get()
    }

    /// The provider, built on first use (with the cache as its shared store).
    fn provider(&self) -> Result<&TokenProvider, CliError> {
        if let Some(provider) = self.provider.get() {
            return Ok(provider);
        }
        let settings = self.settings;
        let transport = Transport::with_options(&settings.options).map_err(CliError::Build)?;
        let mut builder = TokenProvider::builder(settings.config.clone())
            .transport(transport)
            .policy(settings.policy.clone());
        if let Some((_, shared)) = &self.cache {
            builder = builder.shared_store(shared.clone());
        }
        let provider = builder.build().map_err(CliError::Build)?;
        Ok(self.provider.get_or_init(|| provider))
    }

    /// The HTTP agent of the token requests, for `api` (the same TLS roots, no
    /// redirects, statuses kept as answers).
    ///
    /// # Errors
    ///
    /// [`CliError::Build`].
    pub(crate) fn agent(&self) -> Result<ureq::Agent, CliError> {
        match self.provider.get() {
            Some(provider) => Ok(provider.transport().agent().clone()),
            None => Transport::with_options(&self.settings.options)
                .map(|t| t.agent().clone())
                .map_err(CliError::Build),
        }
    }
}

/// Warns of each cache file that will be refused unread (not private to this user): the
/// provider refuses it as a value (a miss) and replaces it, and the user should know.
fn warn_unsafe_files(files: &FileStore) {
    for (_, found) in files.values().unwrap_or_default() {
        if let Err(e) = found {
            warn(CacheError::from(e));
        }
    }
}
