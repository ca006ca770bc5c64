//! What a token provider is built from, whatever its transport.

use std::fmt;

use super::shared::SharedLifecycle;
use crate::config::ClientConfig;
use crate::lifecycle::RefreshPolicy;

/// What a token provider is built from: the [`ClientConfig`], a transport `T` (or the
/// adapter's default), the [`RefreshPolicy`], a clock `C` and a jitter seed (or a random
/// one the adapter draws). An adapter's provider builder wraps one and adds its
/// transport's own setters; [`build`](Self::build) turns it into a [`SharedLifecycle`].
#[must_use = "settings do nothing until .build() is called"]
pub struct ProviderSettings<T, C> {
    config: ClientConfig,
    transport: Option<T>,
    policy: RefreshPolicy,
    clock: C,
    jitter_seed: Option<u64>,
}

impl<T, C> ProviderSettings<T, C> {
    /// Settings for `config` with `clock`, the default policy, the adapter's default
    /// transport and a random jitter seed.
    pub fn new(config: ClientConfig, clock: C) -> Self {
        Self {
            config,
            transport: None,
            policy: RefreshPolicy::default(),
            clock,
            jitter_seed: None,
        }
    }

    /// Sends requests with `transport` instead of the adapter's default.
    pub fn transport(mut self, transport: T) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sets when to refresh, how to back off and when to give up.
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the clock to read and sleep on.
    pub fn clock(mut self, clock: C) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the seed for the lifecycle's jitter instead of a random one.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// The shared lifecycle these settings describe. Without a transport it asks
    /// `default_transport` for one (the only fallible step); without a seed it asks
    /// `random_seed` (the core draws no random numbers). `driver` makes the driver's state
    /// from the transport and the clock, given the policy (to cap the transport's timeout
    /// at [`RefreshPolicy::fetch_timeout`], say).
    ///
    /// # Errors
    ///
    /// Whatever `default_transport` returns.
    pub fn build<D, E>(
        self,
        default_transport: impl FnOnce() -> Result<T, E>,
        random_seed: impl FnOnce() -> u64,
        driver: impl FnOnce(T, C, &RefreshPolicy) -> D,
    ) -> Result<SharedLifecycle<D>, E> {
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport()?,
        };
        let driver = driver(transport, self.clock, &self.policy);
        let seed = self.jitter_seed.unwrap_or_else(random_seed);
        Ok(SharedLifecycle::new(self.config, self.policy, seed, driver))
    }
}

impl<T: fmt::Debug, C: fmt::Debug> fmt::Debug for ProviderSettings<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("config", &self.config)
            .field("transport", &self.transport)
            .field("policy", &self.policy)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
