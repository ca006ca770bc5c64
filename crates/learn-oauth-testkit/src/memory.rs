//! A token endpoint in memory: a transport for both flavours that answers from a script,
//! so provider tests run with no socket and on virtual time.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use learn_oauth_driver::{SendAsync, SendBlocking};
use learn_oauth_proto::{RequestBody, TransportError, TransportErrorKind};

use crate::VirtualClock;

/// What the endpoint answers one request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A token living this long (`"access_token":"memory-token-<n>"`, n from 1).
    Token(Duration),
    /// This status with a vendor error body.
    Status(u16),
    /// This status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// No answer: a transport failure of this kind.
    Fails(TransportErrorKind),
    /// No answer until the request's timeout has passed, then a timeout.
    Hang,
    /// The transport panics (a bug in someone's transport).
    Panic,
}

/// One scripted answer and how long (virtual time) it takes to arrive.
#[derive(Debug, Clone)]
struct Step {
    reply: Reply,
    delay: Duration,
}

/// A transport that answers from a script of [`Reply`]s, then with tokens living
/// [`MemoryTransport::DEFAULT_LIFETIME`]. Clones share the script and the counts.
///
/// Delays are virtual: the async flavour sleeps on Tokio's clock (run the test with time
/// paused, and it jumps), the blocking one moves its [`VirtualClock`].
#[derive(Debug, Clone)]
pub struct MemoryTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    script: Mutex<VecDeque<Step>>,
    lifetime: Duration,
    requests: AtomicUsize,
    tokens: AtomicUsize,
    clock: VirtualClock,
    /// How many [`Hold`]s are alive: blocking sends wait while any is.
    held: Mutex<usize>,
    released: Condvar,
}

/// Keeps blocking sends from answering until it is dropped; see
/// [`MemoryTransport::hold_blocking`].
#[derive(Debug)]
#[must_use = "sends are held only while the Hold is alive"]
pub struct Hold {
    inner: Arc<Inner>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        *self.inner.held.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        self.inner.released.notify_all();
    }
}

impl MemoryTransport {
    /// How long the tokens live once the script is done: an hour.
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

    /// An endpoint issuing hour-long tokens; blocking delays move `clock`.
    #[must_use]
    pub fn new(clock: &VirtualClock) -> Self {
        Self::with_lifetime(clock, Self::DEFAULT_LIFETIME)
    }

    /// An endpoint whose unscripted tokens live `lifetime`.
    #[must_use]
    pub fn with_lifetime(clock: &VirtualClock, lifetime: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                script: Mutex::default(),
                lifetime,
                requests: AtomicUsize::new(0),
                tokens: AtomicUsize::new(0),
                clock: clock.clone(),
                held: Mutex::new(0),
                released: Condvar::new(),
            }),
        }
    }

    /// The next unscripted request gets `reply` at once.
    pub fn enqueue(&self, reply: Reply) {
        self.enqueue_after(Duration::ZERO, reply);
    }

    /// The next `n` unscripted requests get `reply` at once.
    pub fn enqueue_n(&self, n: usize, reply: &Reply) {
        for _ in 0..n {
            self.enqueue(reply.clone());
        }
    }

    /// The next unscripted request gets `reply` after `delay` of virtual time.
    pub fn enqueue_after(&self, delay: Duration, reply: Reply) {
        self.script().push_back(Step { reply, delay });
    }

    /// Until the returned [`Hold`] is dropped, a blocking send (counted as sent) waits
    /// before it answers: a background refresh stays in flight however fast the thread
    /// running it is, for as long as a test needs it to (async sends are not held: with
    /// Tokio's clock paused, their delays already wait for the test).
    pub fn hold_blocking(&self) -> Hold {
        *self.inner.held.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        Hold {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Waits while a [`Hold`] is alive; panics after 10 s of real time (a test holding a
    /// send it waits for itself would hang otherwise).
    fn wait_while_held(&self) {
        let give_up = std::time::Instant::now() + Duration::from_secs(10);
        let mut held = self.inner.held.lock().unwrap_or_else(PoisonError::into_inner);
        while *held > 0 {
            let left = give_up.saturating_duration_since(std::time::Instant::now());
            assert!(
                !left.is_zero(),
                "a send was held for 10 s: is the test waiting on it?"
            );
            held = self
                .inner
                .released
                .wait_timeout(held, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// How many requests were sent.
    #[must_use]
    pub fn requests(&self) -> usize {
        self.inner.requests.load(Ordering::SeqCst)
    }

    fn script(&self) -> std::sync::MutexGuard<'_, VecDeque<Step>> {
        self.inner.script.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the request and takes the next step.
    fn next(&self, request: &http::Request<RequestBody>) -> Step {
        assert_eq!(request.method(), http::Method::POST, "a token request");
        self.inner.requests.fetch_add(1, Ordering::SeqCst);
        self.script().pop_front().unwrap_or(Step {
            reply: Reply::Token(self.inner.lifetime),
            delay: Duration::ZERO,
        })
    }

    /// The answer to `reply`, or the transport error; `Hang` times out.
    fn answer(&self, reply: Reply) -> Result<http::Response<Vec<u8>>, TransportError> {
        let (status, headers, body): (u16, Vec<(&str, String)>, String) = match reply {
            Reply::Token(lifetime) => {
                let n = self.inner.tokens.fetch_add(1, Ordering::SeqCst) + 1;
                let body = format!(
                    r#"{{"access_token":"memory-token-{n}","token_type":"Bearer","expires_in":{}}}"#,
                    lifetime.as_secs()
                );
                (200, Vec::new(), body)
            }
            Reply::Status(status) => (status, Vec::new(), vendor_error(status)),
            Reply::RetryAfter(status, seconds) => (
                status,
                vec![("retry-after", seconds.to_string())],
                vendor_error(status),
            ),
            Reply::Fails(kind) => return Err(TransportError::new(kind)),
            Reply::Hang => return Err(TransportError::new(TransportErrorKind::Timeout)),
            Reply::Panic => panic!("the transport has a bug"),
        };
        let mut response = http::Response::builder()
            .status(status)
            .header("content-type", "application/json");
        for (name, value) in headers {
            response = response.header(name, value);
        }
        Ok(response.body(body.into_bytes()).expect("a valid response"))
    }
}

fn vendor_error(status: u16) -> String {
    format!(r#"{{"status":{status},"error":"scripted","message":"a scripted failure"}}"#)
}

impl MemoryTransport {
    /// Takes the next step for `request`: how long it waits (virtual time, at most
    /// `timeout`), and what comes after the wait.
    fn begin(&self, request: &http::Request<RequestBody>, timeout: Duration) -> (Duration, Step) {
        let step = self.next(request);
        let waited = if step.reply == Reply::Hang {
            timeout
        } else {
            step.delay.min(timeout)
        };
        (waited, step)
    }

    /// The answer after waiting `waited`: a timeout if that was cut short.
    fn end(&self, waited: Duration, step: Step) -> Result<http::Response<Vec<u8>>, TransportError> {
        if waited < step.delay {
            return Err(TransportError::new(TransportErrorKind::Timeout));
        }
        self.answer(step.reply)
    }
}

impl SendBlocking for MemoryTransport {
    fn send(
        &self,
        request: http::Request<RequestBody>,
        _body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let (waited, step) = self.begin(&request, timeout);
        self.wait_while_held();
        self.inner.clock.advance(waited);
        self.end(waited, step)
    }
}

impl SendAsync for MemoryTransport {
    async fn send(
        &self,
        request: http::Request<RequestBody>,
        _body_limit: usize,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let (waited, step) = self.begin(&request, timeout);
        if !waited.is_zero() {
            tokio::time::sleep(waited).await;
        }
        self.end(waited, step)
    }
}
