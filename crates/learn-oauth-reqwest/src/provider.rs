//! The shared token provider: the core's lifecycle driven by one async loop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, ClientConfig, DriverHooks, DriverStep, Error, FetchId, FetchReport, ProviderSettings,
    RefreshPolicy, SharedLifecycle,
};
use tokio::sync::Notify;

use crate::clock::{Clock, TokioClock, random_seed};
use crate::transport::{BuildError, Transport};

/// Hands out access tokens to any number of tasks, fetching one only when needed.
///
/// Cheap to clone and share (`Clone + Send + Sync`, one reference count). Every decision —
/// when to fetch, refresh ahead, back off, honour `Retry-After`, give up — is made by the
/// core's [`TokenLifecycle`](learn_oauth_proto::TokenLifecycle); this type moves bytes and
/// sleeps:
///
/// - **Warm path**: while the current token is fresh, [`token`](Self::token) is a
///   lock-free read and a reference-count increment.
/// - **Single flight**: however many tasks call `token()` on a cold cache, one request
///   goes out and they all get its result.
/// - **Refresh ahead**: near expiry one background request refreshes the token while
///   callers keep getting the current one without waiting.
/// - **No lock across I/O**: requests run in spawned tasks, so a caller's future that is
///   dropped mid-request never leaves the request unreported.
///
/// `token()` must be polled inside a Tokio runtime (requests are `tokio::spawn`ed).
#[derive(Clone, Debug)]
pub struct TokenProvider {
    shared: Arc<SharedLifecycle<Io>>,
}

/// The I/O side of the provider: how it sends, reads the time and wakes waiting callers.
#[derive(Debug)]
struct Io {
    transport: Transport,
    clock: Box<dyn Clock>,
    /// Woken whenever a request has been reported.
    reported: Notify,
}

impl DriverHooks for Io {
    fn now(&self) -> Instant {
        self.clock.now()
    }

    fn wake_waiters(&self) {
        self.reported.notify_waiters();
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
        TokenProviderBuilder(ProviderSettings::new(config, Box::new(TokioClock)))
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
    /// the one request in flight (started by this call if none is).
    ///
    /// # Errors
    ///
    /// The lifecycle's verdict when no usable token can be had: a non-retryable error at
    /// once (bad credentials), a retryable one once the policy gives up.
    pub async fn token(&self) -> Result<AccessToken, Error> {
        let io = self.shared.driver();
        if let Some(token) = self.shared.fresh_token(io.now()) {
            return Ok(token);
        }
        loop {
            // Registered before asking, so a report between the answer and the wait
            // still wakes this caller.
            let reported = io.reported.notified();
            tokio::pin!(reported);
            reported.as_mut().enable();
            match self.shared.poll_driver(io.now()) {
                DriverStep::Ready { token, refresh } => {
                    if let Some(fetch) = refresh {
                        self.spawn_fetch(fetch);
                    }
                    return Ok(token);
                }
                DriverStep::Failed(error) => return Err(error),
                DriverStep::Fetch(fetch) => self.spawn_fetch(fetch),
                DriverStep::Sleep(deadline) => {
                    tokio::select! {
                        () = reported => {}
                        () = io.clock.sleep_until(deadline) => {}
                    }
                }
                // A request is in flight: wait for its report, but not past the core's
                // next deadline (at the latest the request's `fetch_timeout`, after which
                // it counts as timed out), so a request that never reports cannot strand
                // its waiters. The wait is a span of the runtime's timer, not a sleep on
                // the injected clock: nothing is scheduled for that instant, and a
                // virtual clock that jumps to the end of every sleep would time out a
                // request that is merely in flight.
                DriverStep::AwaitFetch(until) => {
                    let wait = until.saturating_duration_since(io.now());
                    let _reported_or_timed_out = tokio::time::timeout(wait, reported).await;
                }
                // Any step a newer core adds: wait briefly for a report, then ask again.
                _ => {
                    let _reported_or_timed_out =
                        tokio::time::timeout(Duration::from_millis(1), reported).await;
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

    /// Runs request `fetch` in its own task. The report goes with the task: if the task
    /// is cancelled (the runtime shuts down), dropping it reports the request as failed.
    fn spawn_fetch(&self, fetch: FetchId) {
        let report = FetchReport::new(Arc::clone(&self.shared), fetch);
        tokio::spawn(async move {
            let (shared, io) = (report.shared(), report.shared().driver());
            let result = io.transport.fetch_token_at(shared.config(), || io.now()).await;
            report.send(result);
        });
    }
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

    /// Your own [`reqwest::Client`]; shorthand for
    /// `transport(Transport::from_client(client))`, whose docs say what stays yours to
    /// configure.
    pub fn client(self, client: reqwest::Client) -> Self {
        self.transport(Transport::from_client(client))
    }

    /// When to refresh, how to back off, when to give up. Default:
    /// [`RefreshPolicy::default`].
    pub fn policy(self, policy: RefreshPolicy) -> Self {
        Self(self.0.policy(policy))
    }

    /// The clock to read and sleep on. Default: [`TokioClock`].
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
                reported: Notify::new(),
            })?;
        Ok(TokenProvider {
            shared: Arc::new(shared),
        })
    }
}
