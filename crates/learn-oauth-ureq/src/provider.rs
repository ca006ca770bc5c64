//! The shared token provider: the core's lifecycle driven by one blocking loop.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwapOption;
use learn_oauth_proto::{
    AccessToken, ClientConfig, DriverStep, Error, FetchId, RefreshPolicy, Snapshot, TokenLifecycle,
    TransportError, TransportErrorKind,
};

use crate::clock::{Clock, SystemClock};
use crate::transport::{BuildError, Transport};

/// Hands out access tokens to any number of threads, fetching one only when needed.
///
/// Cheap to clone and share (`Clone + Send + Sync`, one reference count). Every decision —
/// when to fetch, refresh ahead, back off, honour `Retry-After`, give up — is made by the
/// core's [`TokenLifecycle`]; this type moves bytes and sleeps:
///
/// - **Warm path**: while the current token is fresh, [`token`](Self::token) is a
///   lock-free read and a reference-count increment.
/// - **Single flight**: however many threads call `token()` on a cold cache, one request
///   goes out (on the first caller's thread) and they all get its result.
/// - **Refresh ahead**: near expiry one background thread refreshes the token while
///   callers keep getting the current one without waiting.
/// - **No lock across I/O**: the lifecycle's lock is only held to ask it what to do.
#[derive(Clone)]
pub struct TokenProvider {
    shared: Arc<Shared>,
}

struct Shared {
    config: ClientConfig,
    transport: Transport,
    clock: Box<dyn Clock>,
    lifecycle: Mutex<TokenLifecycle>,
    /// The lifecycle's latest snapshot, for the lock-free warm path.
    snapshot: ArcSwapOption<Snapshot>,
    /// Signalled whenever a request has been reported.
    reported: Condvar,
}

impl TokenProvider {
    /// A provider with the default transport, policy and clock.
    ///
    /// # Errors
    ///
    /// When the default transport cannot be built (see [`Transport::new`]).
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
        Self::builder(config).build()
    }

    /// Starts a provider for `config`.
    pub fn builder(config: ClientConfig) -> TokenProviderBuilder {
        TokenProviderBuilder {
            config,
            transport: None,
            policy: RefreshPolicy::default(),
            clock: Box::new(SystemClock),
            jitter_seed: None,
        }
    }

    /// The configuration tokens are requested with.
    #[must_use]
    pub fn config(&self) -> &ClientConfig {
        &self.shared.config
    }

    /// The transport requests go through.
    #[must_use]
    pub fn transport(&self) -> &Transport {
        &self.shared.transport
    }

    /// A usable access token: the current one while it is fresh, otherwise the result of
    /// the one request in flight (sent from this thread if none is).
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up.
    pub fn token(&self) -> Result<AccessToken, Error> {
        let shared = &self.shared;
        if let Some(snapshot) = shared.snapshot.load().as_deref()
            && let Some(token) = snapshot.token_if_fresh(shared.clock.now())
        {
            return Ok(token.clone());
        }
        let mut lifecycle = shared.lock();
        loop {
            match lifecycle.poll_driver(shared.clock.now()) {
                DriverStep::Ready { token, refresh } => {
                    drop(lifecycle);
                    if let Some(fetch) = refresh {
                        self.spawn_fetch(fetch);
                    }
                    return Ok(token);
                }
                DriverStep::Failed(error) => return Err(error),
                DriverStep::Fetch(fetch) => {
                    drop(lifecycle);
                    Report::new(shared, fetch).fetch();
                    lifecycle = shared.lock();
                }
                DriverStep::Sleep(deadline) => {
                    drop(lifecycle);
                    shared.clock.sleep_until(deadline);
                    lifecycle = shared.lock();
                }
                // `AwaitFetch`, and any step a newer core adds: wait for a report.
                _ => {
                    lifecycle = shared
                        .reported
                        .wait(lifecycle)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Tells the provider that the resource API refused `token` (answered 401), so it is
    /// not handed out again; the next [`token`](Self::token) call fetches a new one.
    /// Returns whether `token` was the current token.
    pub fn invalidate(&self, token: &AccessToken) -> bool {
        let shared = &self.shared;
        let mut lifecycle = shared.lock();
        let current = lifecycle.handle_invalidate(shared.clock.now(), token);
        shared.snapshot.store(lifecycle.snapshot().map(Arc::new));
        current
    }

    /// Runs request `fetch` on a background thread (a refresh ahead of expiry).
    fn spawn_fetch(&self, fetch: FetchId) {
        let report = Report::new(&self.shared, fetch);
        // If the thread cannot start, the closure is dropped and with it the report,
        // which tells the lifecycle the request failed.
        let _detached = std::thread::Builder::new()
            .name("learn-oauth-refresh".into())
            .spawn(move || report.fetch());
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, TokenLifecycle> {
        self.lifecycle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The duty to run and report one request. Reported on drop too (a panic, a thread that
/// could not start) with a transport error, so the lifecycle never waits for a request
/// nobody will finish.
struct Report {
    shared: Arc<Shared>,
    fetch: Option<FetchId>,
}

impl Report {
    fn new(shared: &Arc<Shared>, fetch: FetchId) -> Self {
        Self {
            shared: Arc::clone(shared),
            fetch: Some(fetch),
        }
    }

    fn fetch(mut self) {
        let shared = &self.shared;
        let result = shared
            .transport
            .fetch_token_at(&shared.config, || shared.clock.now());
        self.report(result);
    }

    fn report(&mut self, result: Result<AccessToken, Error>) {
        let Some(fetch) = self.fetch.take() else { return };
        let shared = &self.shared;
        let mut lifecycle = shared.lock();
        lifecycle.handle_response(shared.clock.now(), fetch, result);
        shared.snapshot.store(lifecycle.snapshot().map(Arc::new));
        drop(lifecycle);
        shared.reported.notify_all();
    }
}

impl Drop for Report {
    fn drop(&mut self) {
        self.report(Err(Error::Transport(TransportError::new(
            TransportErrorKind::Other,
        ))));
    }
}

/// A per-process random jitter seed, from the standard library's hash keys (the core
/// never draws random numbers).
fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(0x6c65_6172_6e5f_6f61_u64)
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("config", &self.shared.config)
            .field("transport", &self.shared.transport)
            .field("clock", &self.shared.clock)
            .finish_non_exhaustive()
    }
}

/// Configures a [`TokenProvider`]; see [`TokenProvider::builder`].
#[must_use = "a builder does nothing until .build() is called"]
pub struct TokenProviderBuilder {
    config: ClientConfig,
    transport: Option<Transport>,
    policy: RefreshPolicy,
    clock: Box<dyn Clock>,
    jitter_seed: Option<u64>,
}

impl TokenProviderBuilder {
    /// The transport to send requests with. Default: [`Transport::new`].
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Your own [`ureq::Agent`]; shorthand for `transport(Transport::from_agent(agent))`.
    pub fn agent(self, agent: ureq::Agent) -> Self {
        self.transport(Transport::from_agent(agent))
    }

    /// When to refresh, how to back off, when to give up. Default:
    /// [`RefreshPolicy::default`].
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The clock to read and sleep on. Default: [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// The seed for the lifecycle's jitter. Default: a per-process random value.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Builds the provider. Nothing is fetched until the first [`TokenProvider::token`].
    ///
    /// # Errors
    ///
    /// When no transport was given and the default one cannot be built.
    pub fn build(self) -> Result<TokenProvider, BuildError> {
        let transport = match self.transport {
            Some(transport) => transport,
            None => Transport::new()?,
        };
        let transport = transport.with_timeout_at_most(self.policy.fetch_timeout);
        let seed = self.jitter_seed.unwrap_or_else(random_seed);
        Ok(TokenProvider {
            shared: Arc::new(Shared {
                config: self.config,
                transport,
                clock: self.clock,
                lifecycle: Mutex::new(TokenLifecycle::new(self.policy, seed)),
                snapshot: ArcSwapOption::empty(),
                reported: Condvar::new(),
            }),
        })
    }
}

impl fmt::Debug for TokenProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProviderBuilder")
            .field("config", &self.config)
            .field("transport", &self.transport)
            .field("policy", &self.policy)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
