//! The shared token provider: the core's lifecycle driven by one blocking loop.

use std::sync::{Arc, Condvar, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, ClientConfig, DriverHooks, DriverStep, Error, FetchId, FetchReport, ProviderSettings,
    RefreshPolicy, SharedLifecycle,
};

use crate::clock::{Clock, SystemClock, random_seed};
use crate::transport::{BuildError, Transport};

/// Hands out access tokens to any number of threads, fetching one only when needed.
///
/// Cheap to clone and share (`Clone + Send + Sync`, one reference count). Every decision —
/// when to fetch, refresh ahead, back off, honour `Retry-After`, give up — is made by the
/// core's [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle); this type moves bytes and
/// sleeps:
///
/// - **Warm path**: while the current token is fresh, [`token`](Self::token) is a
///   lock-free read and a reference-count increment.
/// - **Single flight**: however many threads call `token()` on a cold cache, one request
///   goes out (on the first caller's thread) and they all get its result.
/// - **Refresh ahead**: near expiry one background thread refreshes the token while
///   callers keep getting the current one without waiting.
/// - **No lock across I/O**: the lifecycle's lock is only held to ask it what to do.
#[derive(Clone, Debug)]
pub struct TokenProvider {
    shared: Arc<SharedLifecycle<Io>>,
}

/// The I/O side of the provider: how it sends, reads the time and wakes waiting callers.
#[derive(Debug)]
struct Io {
    transport: Transport,
    clock: Box<dyn Clock>,
    /// Signalled whenever a request has been reported (waited on with the lifecycle's
    /// lock).
    reported: Condvar,
}

impl DriverHooks for Io {
    fn now(&self) -> Instant {
        self.clock.now()
    }

    fn wake_waiters(&self) {
        self.reported.notify_all();
    }
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
        TokenProviderBuilder(ProviderSettings::new(config, Box::new(SystemClock)))
    }

    /// The configuration tokens are requested with.
    #[must_use]
    pub fn config(&self) -> &ClientConfig {
        self.shared.config()
    }

    /// The transport requests go through.
    #[must_use]
    pub fn transport(&self) -> &Transport {
        &self.shared.driver().transport
    }

    /// A usable access token: the current one while it is fresh, otherwise the result of
    /// the one request in flight (sent from this thread if none is).
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up.
    pub fn token(&self) -> Result<AccessToken, Error> {
        let io = self.shared.driver();
        if let Some(token) = self.shared.fresh_token(io.now()) {
            return Ok(token);
        }
        // The lock is held from asking until waiting, so no report slips in between;
        // it is released for I/O and sleeps.
        let mut lifecycle = self.shared.lock();
        loop {
            match self.shared.poll_locked(&mut lifecycle, io.now()) {
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
                    fetch_and_report(FetchReport::new(Arc::clone(&self.shared), fetch));
                    lifecycle = self.shared.lock();
                }
                DriverStep::Sleep(deadline) => {
                    drop(lifecycle);
                    io.clock.sleep_until(deadline);
                    lifecycle = self.shared.lock();
                }
                // A request is in flight: wait for its report, but not past the core's
                // next deadline (at the latest the request's `fetch_timeout`, after which
                // it counts as timed out), so a request that never reports cannot strand
                // its waiters. The wait is a span of real time, not a sleep on the
                // injected clock (which a virtual clock would end at once).
                DriverStep::AwaitFetch(until) => {
                    // `until` is after the `now` just passed, so this never spins.
                    let wait = until.saturating_duration_since(io.now());
                    lifecycle = io
                        .reported
                        .wait_timeout(lifecycle, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                // Any step a newer core adds: wait briefly, then ask again.
                _ => {
                    lifecycle = io
                        .reported
                        .wait_timeout(lifecycle, Duration::from_millis(1))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }

    /// Tells the provider that the resource API refused `token` (answered 401), so it is
    /// not handed out again; the next [`token`](Self::token) call fetches a new one.
    /// Returns whether `token` was the current token.
    pub fn invalidate(&self, token: &AccessToken) -> bool {
        self.shared.handle_invalidate(self.shared.driver().now(), token)
    }

    /// Runs request `fetch` on a background thread (a refresh ahead of expiry).
    fn spawn_fetch(&self, fetch: FetchId) {
        let report = FetchReport::new(Arc::clone(&self.shared), fetch);
        // If the thread cannot start, the closure is dropped and with it the report,
        // which tells the lifecycle the request failed.
        let _detached = std::thread::Builder::new()
            .name("learn-oauth-refresh".into())
            .spawn(move || fetch_and_report(report));
    }
}

/// Sends the request `report` stands for and reports its result (a panic on the way
/// reports it as failed, when the report is dropped).
fn fetch_and_report(report: FetchReport<Io>) {
    let (shared, io) = (report.shared(), report.shared().driver());
    let result = io.transport.fetch_token_at(shared.config(), || io.now());
    report.send(result);
}

/// Configures a [`TokenProvider`]; see [`TokenProvider::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct TokenProviderBuilder(ProviderSettings<Transport, Box<dyn Clock>>);

impl TokenProviderBuilder {
    /// The transport to send requests with. Default: [`Transport::new`].
    pub fn transport(self, transport: Transport) -> Self {
        Self(self.0.transport(transport))
    }

    /// Your own [`ureq::Agent`]; shorthand for `transport(Transport::from_agent(agent))`.
    pub fn agent(self, agent: ureq::Agent) -> Self {
        self.transport(Transport::from_agent(agent))
    }

    /// When to refresh, how to back off, when to give up. Default:
    /// [`RefreshPolicy::default`].
    pub fn policy(self, policy: RefreshPolicy) -> Self {
        Self(self.0.policy(policy))
    }

    /// The clock to read and sleep on. Default: [`SystemClock`].
    pub fn clock(self, clock: impl Clock) -> Self {
        Self(self.0.clock(Box::new(clock)))
    }

    /// The seed for the lifecycle's jitter. Default: a per-process random value.
    pub fn jitter_seed(self, seed: u64) -> Self {
        Self(self.0.jitter_seed(seed))
    }

    /// Builds the provider. Nothing is fetched until the first [`TokenProvider::token`].
    ///
    /// # Errors
    ///
    /// When no transport was given and the default one cannot be built.
    pub fn build(self) -> Result<TokenProvider, BuildError> {
        let shared = self
            .0
            .build(Transport::new, random_seed, |transport, clock, policy| Io {
                transport: transport.with_timeout_at_most(policy.fetch_timeout),
                clock,
                reported: Condvar::new(),
            })?;
        Ok(TokenProvider {
            shared: Arc::new(shared),
        })
    }
}
