//! Getting a token for one invocation: from the cache while it is fresh, else from the
//! token endpoint through the blocking provider, with the cache's lock held so that
//! invocations that miss at once share one request.

use std::cell::OnceCell;
use std::ffi::OsString;
use std::time::{Instant, SystemTime};

use learn_oauth::AccessToken;
use learn_oauth::ureq::{TokenProvider, Transport};

use crate::cache::{Cache, CacheError, CacheKey, Entry, Freshness, Load, SecretBinding, cache_dir};
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
    /// The cache and the binding of this invocation's secret under its key.
    cache: Option<(Cache, SecretBinding)>,
    key: CacheKey,
    provider: OnceCell<TokenProvider>,
}

impl<'a> Tokens<'a> {
    /// Tokens for `settings`, cached unless `use_cache` is false or the settings are the
    /// embedded mock's. A cache that cannot be used is a warning, not an error.
    #[must_use]
    pub(crate) fn new(
        settings: &'a Settings,
        use_cache: bool,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Self {
        let cache = if use_cache && settings.mock.is_none() {
            open_cache(env)
                .and_then(|cache| {
                    let binding = cache.binding(settings.secret.expose())?;
                    Ok((cache, binding))
                })
                .map_err(warn)
                .ok()
        } else {
            None
        };
        Tokens {
            settings,
            cache,
            key: CacheKey::of(&settings.config),
            provider: OnceCell::new(),
        }
    }

    /// A token: the cached one while fresh; else, under the key's lock, the cached one
    /// if another invocation stored it meanwhile, else a new one (then cached). If the
    /// request fails for now and the cached token is past its refresh point but still
    /// usable, that token (with a warning).
    ///
    /// # Errors
    ///
    /// [`CliError::Token`] when no token can be had; [`CliError::Build`] when the HTTP
    /// client cannot be set up.
    pub(crate) fn get(&self) -> Result<Obtained, CliError> {
        let Some((cache, binding)) = &self.cache else {
            return self.fetch();
        };
        let mut fallback = match self.cached(cache, binding) {
            Ok(fresh) => return Ok(fresh),
            Err(fallback) => fallback,
        };
        let wait = self.settings.policy.max_wait;
        let _guard = match cache.lock(&self.key, wait) {
            Ok(Some(guard)) => {
                match self.cached(cache, binding) {
                    Ok(fresh) => return Ok(fresh),
                    Err(again) => fallback = again.or(fallback),
                }
                Some(guard)
            }
            Ok(None) => {
                warn(format_args!(
                    "another learn-oauth held the cache lock for {} s; fetching without it",
                    wait.as_secs()
                ));
                None
            }
            Err(e) => {
                warn(e);
                None
            }
        };
        match self.fetch() {
            Ok(obtained) => {
                self.store(&obtained);
                Ok(obtained)
            }
            Err(CliError::Token(error)) if error.is_retryable() && fallback.is_some() => {
                warn(format_args!(
                    "cannot refresh the token ({error}); using the cached one, still valid"
                ));
                fallback.ok_or(CliError::Token(error))
            }
            Err(e) => Err(e),
        }
    }

    /// A new token from the endpoint, whatever the cache holds (`check --fresh`: the
    /// credentials are sent); it replaces the cached one.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub(crate) fn fresh(&self) -> Result<Obtained, CliError> {
        let obtained = self.fetch()?;
        self.store(&obtained);
        Ok(obtained)
    }

    /// After the resource refused `refused` (a 401): drops it (from the cache, and from
    /// the provider when it came from it) and gets another.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub(crate) fn replace(&self, refused: &Obtained) -> Result<Obtained, CliError> {
        if let Some((cache, _)) = &self.cache
            && let Err(e) = cache.remove_if_holds(&self.key, refused.token.expose_secret())
        {
            warn(e);
        }
        if !refused.from_cache
            && let Some(provider) = self.provider.get()
        {
            provider.invalidate(&refused.token);
        }
        let next = self.get()?;
        if next.token.expose_secret() == refused.token.expose_secret() {
            // The cache still had it (it could not be removed): ask the endpoint.
            let fresh = self.fetch()?;
            self.store(&fresh);
            return Ok(fresh);
        }
        Ok(next)
    }

    /// The cached token if fresh; otherwise `Err` with the cached token if it is still
    /// usable (a fallback), or `None`. A refused file is a warning; a token fetched with
    /// another secret is never used, not even as a fallback.
    fn cached(&self, cache: &Cache, binding: &SecretBinding) -> Result<Obtained, Option<Obtained>> {
        let entry = match cache.load(&self.key, binding) {
            Load::Found(entry) => entry,
            Load::Refused(e) => {
                warn(e);
                return Err(None);
            }
            Load::Missing | Load::Corrupt | Load::OtherSecret => return Err(None),
        };
        let (now, wall) = (Instant::now(), SystemTime::now());
        let freshness = entry.freshness(&self.settings.policy, wall);
        let obtained = entry
            .token(now, wall)
            .zip(entry.expires_at())
            .map(|(token, expires_at)| Obtained {
                token,
                expires_at,
                from_cache: true,
            });
        match (freshness, obtained) {
            (Freshness::Fresh, Some(obtained)) => Ok(obtained),
            (Freshness::RefreshDue, obtained) => Err(obtained),
            _ => Err(None),
        }
    }

    /// A new token from the endpoint (through the provider, which retries what is worth
    /// retrying within the policy's `max_wait`).
    fn fetch(&self) -> Result<Obtained, CliError> {
        let provider = match self.provider.get() {
            Some(provider) => provider,
            None => {
                let settings = self.settings;
                let transport = Transport::with_options(&settings.options).map_err(CliError::Build)?;
                let provider = TokenProvider::builder(settings.config.clone())
                    .transport(transport)
                    .policy(settings.policy.clone())
                    .build()
                    .map_err(CliError::Build)?;
                self.provider.get_or_init(|| provider)
            }
        };
        let token = provider.token().map_err(CliError::Token)?;
        let (now, wall) = (Instant::now(), SystemTime::now());
        let left = token.expires_at().saturating_duration_since(now);
        Ok(Obtained {
            expires_at: wall.checked_add(left).unwrap_or(wall),
            token,
            from_cache: false,
        })
    }

    /// Caches a token just received; a failure is a warning.
    fn store(&self, obtained: &Obtained) {
        let Some((cache, binding)) = &self.cache else {
            return;
        };
        let age = Instant::now().saturating_duration_since(obtained.token.received_at());
        let received_at = SystemTime::now()
            .checked_sub(age)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let entry = Entry::new(&self.key, binding, &obtained.token, received_at);
        if let Err(e) = cache.store(&self.key, &entry) {
            warn(e);
        }
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

/// The cache directory, opened and checked.
///
/// # Errors
///
/// [`CacheError::NoDir`], or what [`Cache::open`] says.
pub(crate) fn open_cache(env: &dyn Fn(&str) -> Option<OsString>) -> Result<Cache, CacheError> {
    Cache::open(cache_dir(env).ok_or(CacheError::NoDir)?)
}
