//! The mock's fixed configuration and its mutable state, shared by all connections.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::client_auth::BasicEncoding;
use crate::fault::Fault;
use crate::http1::Limits;
use crate::record::RecordedRequest;
use crate::tenant::{HostKind, Tenant};
use crate::token_store::TokenStore;

/// What a server was started with; never changes afterwards.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) tenants: Vec<Tenant>,
    pub(crate) host_kind: HostKind,
    pub(crate) token_lifetime: Duration,
    pub(crate) basic_encoding: BasicEncoding,
    pub(crate) limits: Limits,
    /// How many [`RecordedRequest`]s are kept (the newest).
    pub(crate) max_records: usize,
}

impl Config {
    /// The tenant with this id.
    pub(crate) fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id() == id)
    }
}

/// What changes while the server runs.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) faults: VecDeque<Fault>,
    /// The newest token requests, at most `Config::max_records` of them.
    pub(crate) records: VecDeque<RecordedRequest>,
    /// Every token request since the start or the last `clear_requests`, kept or not.
    pub(crate) request_count: usize,
    pub(crate) tokens: TokenStore,
}

impl State {
    /// Records a token request, forgetting the oldest record past `max_records`.
    pub(crate) fn record(&mut self, record: RecordedRequest, max_records: usize) {
        self.request_count = self.request_count.saturating_add(1);
        self.records.push_back(record);
        while self.records.len() > max_records {
            self.records.pop_front();
        }
    }
}

/// Configuration plus state, behind one lock (never held across an `.await`).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        Shared {
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// Locks the state. A panic elsewhere cannot leave it half-updated in a way that
    /// matters to a test double, so a poisoned lock is simply taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
