//! Counters a provider keeps for its user to export: plain atomics, no lock, nothing
//! allocated; the warm path touches one only while it serves a stale token.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

#[cfg(feature = "store")]
use learn_oauth_proto::store::StoreOutcome;
use learn_oauth_proto::{Error, ResponseOutcome};

/// A provider's counters since it was built, and what is left of its current token; from
/// [`Provider::stats`](crate::Provider::stats). Export them to your metrics system (they
/// only grow, except `consecutive_failures` and `token_remaining`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Token requests started: cold fetches, retries and refreshes.
    pub fetches: u64,
    /// Of those, refreshes started ahead of expiry while the current token was served.
    pub refreshes_ahead: u64,
    /// Token requests that brought a token the lifecycle took.
    pub tokens_received: u64,
    /// Failed token requests, by class.
    pub failures: FailureCounts,
    /// Requests abandoned without an answer (their task cancelled, their runtime shut
    /// down); they cost no backoff.
    pub abandoned: u64,
    /// Retries the lifecycle scheduled after a retryable failure.
    pub retries_scheduled: u64,
    /// Times the lifecycle held requests off: after a non-retryable failure, or when a
    /// round of retries gave up.
    pub hold_offs: u64,
    /// Calls served the current token *stale*: after its refresh point, while the token
    /// endpoint was failing (stale-while-revalidate).
    pub stale_served: u64,
    /// `invalidate` calls that dropped the current token (repeats for the same token do
    /// not count).
    pub invalidations: u64,
    /// Failed requests in a row right now (0 after a success).
    pub consecutive_failures: u32,
    /// Time until the current token expires (`None`: no token held).
    pub token_remaining: Option<Duration>,
    /// How requests went through the fleet's shared store (all zero without one).
    pub store: StoreStats,
}

/// How a provider's token requests went through its shared store
/// ([`crate::store`]). Every request counted in [`Stats::fetches`] that finishes (is not
/// cancelled mid-way) ends in exactly one of the first four; the others count failed
/// store operations and what the store held that was refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreStats {
    /// Requests answered with a peer's token from the store: no token request sent.
    pub adopted: u64,
    /// Requests that honoured a peer's cool-down (a 429 or 503 with `Retry-After`)
    /// instead of calling the endpoint; they count as retryable server failures too.
    pub cooled_down: u64,
    /// Token requests sent holding the lease.
    pub fetched_with_lease: u64,
    /// Token requests sent without the lease: the lease holder published nothing in
    /// time, the store failed, or its breaker was open.
    pub fetched_alone: u64,
    /// Store operations that failed or timed out.
    pub errors: u64,
    /// Token values read from the store and refused: not sealed with a key this replica
    /// holds (plaintext, planted, tampered with, moved from another key name), or older
    /// than a value already seen for the key (written back). Each was a miss.
    pub values_refused: u64,
    /// Cool-down markers read from the store and ignored because they do not open with a
    /// key this replica holds.
    pub cool_downs_ignored: u64,
}

/// Failed token requests by class; see [`FailureClass`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureCounts {
    /// No complete HTTP response: connect, TLS, timeout, I/O.
    pub transport: u64,
    /// An error status worth retrying: 408, 429, 5xx.
    pub server_retryable: u64,
    /// An error answer that retrying does not fix: bad credentials, a refused scope.
    pub rejected: u64,
    /// A 2xx body that is no usable token.
    pub response: u64,
}

/// What a failed token request is blamed on, for counters and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureClass {
    /// No complete HTTP response arrived.
    Transport,
    /// The endpoint answered an error status that may pass (408, 429, 5xx).
    ServerRetryable,
    /// The endpoint refused the request for good (bad credentials, refused scope, other 4xx).
    Rejected,
    /// A 2xx answer that is not a usable token.
    Response,
}

impl FailureClass {
    /// The class of `error`.
    #[must_use]
    pub fn of(error: &Error) -> Self {
        match error {
            Error::Transport(_) => Self::Transport,
            Error::Server(_) if error.is_retryable() => Self::ServerRetryable,
            Error::Server(_) => Self::Rejected,
            _ => Self::Response,
        }
    }

    /// A short lowercase name for logs and metric labels: `transport`,
    /// `server_retryable`, `rejected`, `response`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transport => "transport",
            Self::ServerRetryable => "server_retryable",
            Self::Rejected => "rejected",
            Self::Response => "response",
        }
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    fetches: AtomicU64,
    refreshes_ahead: AtomicU64,
    tokens_received: AtomicU64,
    transport: AtomicU64,
    server_retryable: AtomicU64,
    rejected: AtomicU64,
    response: AtomicU64,
    abandoned: AtomicU64,
    retries_scheduled: AtomicU64,
    hold_offs: AtomicU64,
    stale_served: AtomicU64,
    invalidations: AtomicU64,
    consecutive_failures: AtomicU32,
    store_adopted: AtomicU64,
    store_cooled_down: AtomicU64,
    store_with_lease: AtomicU64,
    store_alone: AtomicU64,
    store_errors: AtomicU64,
    store_values_refused: AtomicU64,
    store_cool_downs_ignored: AtomicU64,
}

impl Counters {
    pub(crate) fn fetch_started(&self, refresh_ahead: bool) {
        self.fetches.fetch_add(1, Relaxed);
        if refresh_ahead {
            self.refreshes_ahead.fetch_add(1, Relaxed);
        }
    }

    /// Counts a reported result and what the lifecycle made of it.
    pub(crate) fn reported(&self, failure: Option<FailureClass>, outcome: ResponseOutcome) {
        if let Some(class) = failure {
            let counter = match class {
                FailureClass::Transport => &self.transport,
                FailureClass::ServerRetryable => &self.server_retryable,
                FailureClass::Rejected => &self.rejected,
                FailureClass::Response => &self.response,
            };
            counter.fetch_add(1, Relaxed);
        }
        match outcome {
            ResponseOutcome::Accepted { .. } => {
                self.tokens_received.fetch_add(1, Relaxed);
                self.consecutive_failures.store(0, Relaxed);
            }
            ResponseOutcome::RetryScheduled { failures, .. } => {
                self.retries_scheduled.fetch_add(1, Relaxed);
                self.consecutive_failures.store(failures, Relaxed);
            }
            ResponseOutcome::HeldOff { .. } => {
                self.hold_offs.fetch_add(1, Relaxed);
                self.consecutive_failures.fetch_add(1, Relaxed);
            }
            _ => {}
        }
    }

    /// Failed requests in a row right now.
    pub(crate) fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures.load(Relaxed)
    }

    pub(crate) fn abandoned(&self) {
        self.abandoned.fetch_add(1, Relaxed);
    }

    #[inline]
    pub(crate) fn stale_served(&self) {
        self.stale_served.fetch_add(1, Relaxed);
    }

    pub(crate) fn invalidated(&self) {
        self.invalidations.fetch_add(1, Relaxed);
    }

    /// A request through the shared store ended with `outcome`.
    #[cfg(feature = "store")]
    pub(crate) fn store_outcome(&self, outcome: StoreOutcome) {
        let counter = match outcome {
            StoreOutcome::Adopted => &self.store_adopted,
            StoreOutcome::CooledDown => &self.store_cooled_down,
            StoreOutcome::FetchedWithLease => &self.store_with_lease,
            StoreOutcome::FetchedAlone => &self.store_alone,
            _ => return,
        };
        counter.fetch_add(1, Relaxed);
    }

    /// A store operation failed.
    #[cfg(feature = "store")]
    pub(crate) fn store_error(&self) {
        self.store_errors.fetch_add(1, Relaxed);
    }

    /// A token value read from the store was refused.
    #[cfg(feature = "store")]
    pub(crate) fn store_value_refused(&self) {
        self.store_values_refused.fetch_add(1, Relaxed);
    }

    /// A cool-down marker read from the store was ignored.
    #[cfg(feature = "store")]
    pub(crate) fn store_cool_down_ignored(&self) {
        self.store_cool_downs_ignored.fetch_add(1, Relaxed);
    }

    /// The counters now, with `expires_at` of the current token (if any) read at `now`.
    pub(crate) fn read(&self, now: Instant, expires_at: Option<Instant>) -> Stats {
        Stats {
            fetches: self.fetches.load(Relaxed),
            refreshes_ahead: self.refreshes_ahead.load(Relaxed),
            tokens_received: self.tokens_received.load(Relaxed),
            failures: FailureCounts {
                transport: self.transport.load(Relaxed),
                server_retryable: self.server_retryable.load(Relaxed),
                rejected: self.rejected.load(Relaxed),
                response: self.response.load(Relaxed),
            },
            abandoned: self.abandoned.load(Relaxed),
            retries_scheduled: self.retries_scheduled.load(Relaxed),
            hold_offs: self.hold_offs.load(Relaxed),
            stale_served: self.stale_served.load(Relaxed),
            invalidations: self.invalidations.load(Relaxed),
            consecutive_failures: self.consecutive_failures.load(Relaxed),
            token_remaining: expires_at.map(|at| at.saturating_duration_since(now)),
            store: StoreStats {
                adopted: self.store_adopted.load(Relaxed),
                cooled_down: self.store_cooled_down.load(Relaxed),
                fetched_with_lease: self.store_with_lease.load(Relaxed),
                fetched_alone: self.store_alone.load(Relaxed),
                errors: self.store_errors.load(Relaxed),
                values_refused: self.store_values_refused.load(Relaxed),
                cool_downs_ignored: self.store_cool_downs_ignored.load(Relaxed),
            },
        }
    }
}

impl FailureCounts {
    /// All failures, whatever their class.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.transport + self.server_retryable + self.rejected + self.response
    }
}
