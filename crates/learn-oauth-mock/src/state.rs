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
    /// How many issued tokens are remembered (the newest).
    pub(crate) max_issued_tokens: usize,
    /// How many token requests are answered at once (`None`: any number); the rest get
    /// a 429 with `Retry-After`.
    pub(crate) max_concurrent_token_requests: Option<usize>,
    /// Whether `/mock/…` serves the control endpoint.
    pub(crate) control: bool,
    /// The port listened on: the one a control request's `Host` must name.
    pub(crate) port: u16,
    /// Whether HTTPS is served: the scheme a control request's `Origin` must have.
    pub(crate) https: bool,
}

impl Config {
    /// The tenant with this id.
    pub(crate) fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id() == id)
    }
}

/// Roughly how much memory the kept records may take in all. A record is normally a few
/// hundred bytes, so `max_records` is what binds; but one request can make its record
/// about a megabyte (a 64 KiB body of one-letter scopes), and this keeps 10,000 of those
/// from taking gigabytes.
pub(crate) const RECORDS_MEMORY: usize = 64 * 1024 * 1024;

/// What changes while the server runs.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) faults: VecDeque<Fault>,
    /// The newest token requests: at most `Config::max_records` of them, and only as many
    /// as fit in `RECORDS_MEMORY` (but always the newest one).
    records: VecDeque<RecordedRequest>,
    /// What `records` takes, as [`RecordedRequest::footprint`] counts it.
    records_bytes: usize,
    /// Every token request since the start or the last `clear_records`, kept or not.
    request_count: usize,
    pub(crate) tokens: TokenStore,
    /// Scripted answers for the protected resource: (status, `WWW-Authenticate`), used
    /// one per request before any token is looked at.
    pub(crate) resource_answers: VecDeque<(u16, Option<String>)>,
    /// Requests the protected resource has answered.
    pub(crate) resource_requests: usize,
    /// Token requests being answered now (from the end of their body to their reply,
    /// refused ones included), and the most at once.
    pub(crate) token_requests: Gauge,
    /// Connections open now, and the most at once.
    pub(crate) connections: Gauge,
    /// Token requests refused with a 429 because `max_concurrent_token_requests` were
    /// being answered.
    pub(crate) over_limit: usize,
}

/// How many of something are in progress, and the most there have been at once.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Gauge {
    pub(crate) now: usize,
    pub(crate) peak: usize,
}

impl Gauge {
    /// One more in progress; how many that makes.
    fn enter(&mut self) -> usize {
        self.now += 1;
        self.peak = self.peak.max(self.now);
        self.now
    }

    fn leave(&mut self) {
        self.now = self.now.saturating_sub(1);
    }
}

impl State {
    /// No faults, no records, no tokens; at most `max_issued_tokens` tokens remembered.
    pub(crate) fn new(max_issued_tokens: usize) -> Self {
        State {
            faults: VecDeque::new(),
            records: VecDeque::new(),
            records_bytes: 0,
            request_count: 0,
            tokens: TokenStore::with_cap(max_issued_tokens),
            resource_answers: VecDeque::new(),
            resource_requests: 0,
            token_requests: Gauge::default(),
            connections: Gauge::default(),
            over_limit: 0,
        }
    }

    /// Records a token request, forgetting the oldest records past `max_records` or
    /// `max_bytes` (never the one just recorded).
    pub(crate) fn record(&mut self, record: RecordedRequest, max_records: usize, max_bytes: usize) {
        self.request_count = self.request_count.saturating_add(1);
        self.records_bytes = self.records_bytes.saturating_add(record.footprint());
        self.records.push_back(record);
        while self.records.len() > max_records.max(1)
            || (self.records_bytes > max_bytes && self.records.len() > 1)
        {
            if let Some(oldest) = self.records.pop_front() {
                self.records_bytes = self.records_bytes.saturating_sub(oldest.footprint());
            }
        }
    }

    /// The kept records, oldest first.
    pub(crate) fn records(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.records.iter()
    }

    /// How many token requests were recorded, kept or not.
    pub(crate) fn request_count(&self) -> usize {
        self.request_count
    }

    /// Forgets every record and starts the counts again: the request count and the
    /// over-limit count from zero, the peaks from what is in progress now.
    pub(crate) fn clear_records(&mut self) {
        self.records.clear();
        self.records_bytes = 0;
        self.request_count = 0;
        self.over_limit = 0;
        self.token_requests.peak = self.token_requests.now;
        self.connections.peak = self.connections.now;
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
            state: Mutex::new(State::new(config.max_issued_tokens)),
            config,
        }
    }

    /// Counts a token request in progress until the guard drops, and whether it is
    /// admitted: not (counted as over the limit, and in progress all the same) when
    /// `max_concurrent_token_requests` were already being answered.
    pub(crate) fn admit_token_request(&self) -> (InProgress<'_>, bool) {
        let mut state = self.lock();
        let now = state.token_requests.enter();
        let over = self
            .config
            .max_concurrent_token_requests
            .is_some_and(|max| now > max);
        if over {
            state.over_limit = state.over_limit.saturating_add(1);
        }
        (InProgress::new(self, |s| &mut s.token_requests), !over)
    }

    /// Counts an open connection until the guard drops.
    pub(crate) fn open_connection(&self) -> InProgress<'_> {
        self.lock().connections.enter();
        InProgress::new(self, |s| &mut s.connections)
    }

    /// Locks the state. A panic elsewhere cannot leave it half-updated in a way that
    /// matters to a test double, so a poisoned lock is simply taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Something counted in progress by one of the state's gauges; counted out on drop
/// (when its reply is built, its connection closes, or its task is cancelled).
pub(crate) struct InProgress<'a> {
    shared: &'a Shared,
    gauge: fn(&mut State) -> &mut Gauge,
}

impl<'a> InProgress<'a> {
    fn new(shared: &'a Shared, gauge: fn(&mut State) -> &mut Gauge) -> Self {
        Self { shared, gauge }
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        (self.gauge)(&mut self.shared.lock()).leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_auth::AuthMethod;

    fn record(tenant: &str, scopes: usize) -> RecordedRequest {
        RecordedRequest {
            tenant: tenant.to_owned(),
            client_id: None,
            auth: AuthMethod::None,
            scopes: vec!["a".to_owned(); scopes],
            grant_type: None,
            status: Some(400),
            succeeded: false,
            faulted: false,
        }
    }

    fn kept(state: &State) -> Vec<&str> {
        state.records().map(|r| r.tenant.as_str()).collect()
    }

    #[test]
    fn past_the_memory_bound_the_oldest_records_go_but_never_the_newest() {
        let small = record("small", 0).footprint();
        let big = record("big", 1000).footprint();
        let budget = 3 * small;
        assert!(big > budget);
        let mut state = State::new(1);
        for tenant in ["a", "b", "c", "d"] {
            state.record(record(tenant, 0), 100, budget);
        }
        assert_eq!(kept(&state), ["b", "c", "d"]);
        state.record(record("big", 1000), 100, budget);
        assert_eq!(kept(&state), ["big"], "alone over the bound, and kept");
        state.record(record("e", 0), 100, budget);
        assert_eq!(kept(&state), ["e"]);
        assert_eq!(state.request_count(), 6);
        state.clear_records();
        assert_eq!((state.records().count(), state.request_count()), (0, 0));
        state.record(record("f", 0), 100, budget);
        assert_eq!(kept(&state), ["f"], "clearing resets what the records take");
    }
}
