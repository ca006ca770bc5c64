//! The running mock: its background thread and runtime, and its controls.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use tokio::sync::oneshot;

use crate::connection::TOKEN_PATH;
use crate::fault::Fault;
use crate::record::RecordedRequest;
use crate::resource::PING_PATH;
use crate::state::Shared;

/// Characters escaped in a path segment (the URL spec's path set, plus `/` and `%`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// A running mock token server on a loopback port, served by its own background thread.
///
/// Dropping it stops the server, closes every connection and joins the thread.
pub struct MockServer {
    // Set by `MockServerBuilder::start`, the only constructor.
    pub(crate) base_url: String,
    pub(crate) addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    pub(crate) ca_pem: Option<String>,
    pub(crate) ca_der: Option<Vec<u8>>,
    pub(crate) shutdown: Option<oneshot::Sender<()>>,
    pub(crate) thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token URL for `tenant_id` (percent-encoded as a path segment).
    #[must_use]
    pub fn token_url(&self, tenant_id: &str) -> String {
        format!(
            "{}{TOKEN_PATH}{}",
            self.base_url,
            utf8_percent_encode(tenant_id, SEGMENT)
        )
    }

    /// The protected resource's URL, `…/api/v1/ping`.
    #[must_use]
    pub fn resource_url(&self) -> String {
        format!("{}{PING_PATH}", self.base_url)
    }

    /// The control endpoint's base URL, `…/mock/`, when enabled
    /// ([`MockServerBuilder::control`](crate::MockServerBuilder::control)).
    #[must_use]
    pub fn control_url(&self) -> Option<String> {
        self.shared
            .config
            .control
            .then(|| format!("{}{}", self.base_url, crate::control::CONTROL_PATH))
    }

    /// The throwaway CA certificate in PEM, when serving HTTPS.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The throwaway CA certificate in DER, when serving HTTPS.
    #[must_use]
    pub fn ca_certificate_der(&self) -> Option<Vec<u8>> {
        self.ca_der.clone()
    }

    /// Queues a fault for the next token request that has none queued before it.
    pub fn enqueue(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Queues the same fault for the next `n` token requests.
    pub fn enqueue_n(&self, n: usize, fault: Fault) {
        let mut state = self.shared.lock();
        state.faults.extend(std::iter::repeat_n(fault, n));
    }

    /// How many faults are still queued.
    #[must_use]
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// How many token requests (`POST /oauth2/token/…`) have been answered or dropped.
    /// Exact however many there were (unlike [`requests`](Self::requests)).
    #[must_use]
    pub fn token_request_count(&self) -> usize {
        self.shared.lock().request_count()
    }

    /// The token requests so far, oldest first: all of them, or only the newest once
    /// there were more than [`MockServerBuilder::max_records`](crate::MockServerBuilder::max_records) (default
    /// [`DEFAULT_MAX_RECORDS`](crate::DEFAULT_MAX_RECORDS)): older ones are dropped, so index from the end (or
    /// compare [`token_request_count`](Self::token_request_count)) when a mock has served
    /// that many.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().records().cloned().collect()
    }

    /// The most token requests answered at once so far: each counts from when its body
    /// has been read until its reply is ready (a [`Fault::Delay`] included), the ones
    /// refused over [`max_concurrent_token_requests`](crate::MockServerBuilder::max_concurrent_token_requests)
    /// too. A client's concurrency as the endpoint sees it.
    #[must_use]
    pub fn peak_concurrent_token_requests(&self) -> usize {
        self.shared.lock().token_requests.peak
    }

    /// The most connections open at once so far (each counts from when it is accepted
    /// until it closes; at most [`max_connections`](crate::MockServerBuilder::max_connections)).
    #[must_use]
    pub fn peak_connections(&self) -> usize {
        self.shared.lock().connections.peak
    }

    /// How many token requests got a 429 because
    /// [`max_concurrent_token_requests`](crate::MockServerBuilder::max_concurrent_token_requests)
    /// were being answered.
    #[must_use]
    pub fn token_requests_over_limit(&self) -> usize {
        self.shared.lock().over_limit
    }

    /// Forgets the recorded requests and starts the counts again: the request count and
    /// [`token_requests_over_limit`](Self::token_requests_over_limit) from zero, the peaks
    /// from what is in progress now.
    pub fn clear_requests(&self) {
        self.shared.lock().clear_records();
    }

    /// Invalidates every token issued so far.
    pub fn revoke_all_tokens(&self) {
        self.shared.lock().tokens.revoke_all();
    }

    /// Invalidates one token; whether it was live.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.shared.lock().tokens.revoke(token)
    }

    /// Scripts the protected resource's answer to its next request that has none queued
    /// before it: `status` (say 401 or 403) with an optional `WWW-Authenticate`
    /// challenge (say `Bearer error="insufficient_scope"`), whatever token it carries.
    pub fn enqueue_resource_answer(&self, status: u16, www_authenticate: Option<&str>) {
        let answer = (status, www_authenticate.map(str::to_owned));
        self.shared.lock().resource_answers.push_back(answer);
    }

    /// How many requests the protected resource has answered.
    #[must_use]
    pub fn resource_request_count(&self) -> usize {
        self.shared.lock().resource_requests
    }

    /// Moves the mock's clock forward, so tokens expire without anyone sleeping.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().tokens.advance_clock(by);
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("tenants", &self.shared.config.tenants)
            .field("host_kind", &self.shared.config.host_kind)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
