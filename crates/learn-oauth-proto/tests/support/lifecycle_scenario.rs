//! A scenario builder for the token lifecycle: a machine on a virtual clock, tokens and
//! errors as the parser would produce them, and assertions that read like the spec.
#![allow(dead_code, clippy::disallowed_methods, unreachable_pub)]

use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, ClientConfig, Error, FetchId, RefreshPolicy, Scopes, TokenLifecycle, TokenPoll,
    TransportError, TransportErrorKind,
};

/// The default policy without jitter, so every instant is predictable.
pub fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.refresh_jitter = 0.0;
    policy.backoff_jitter = 0.0;
    policy
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// A lifecycle on a virtual clock.
pub struct Scenario {
    pub machine: TokenLifecycle,
    pub start: Instant,
    pub now: Instant,
    tokens: u64,
}

impl Scenario {
    /// A cold machine with [`policy()`].
    pub fn new() -> Self {
        Self::with_policy(policy())
    }

    pub fn with_policy(policy: RefreshPolicy) -> Self {
        Self::seeded(policy, 1)
    }

    pub fn seeded(policy: RefreshPolicy, seed: u64) -> Self {
        let start = Instant::now();
        Self {
            machine: TokenLifecycle::new(policy, seed),
            start,
            now: start,
            tokens: 0,
        }
    }

    /// A machine that has served one token of `lifetime`, received at `start`.
    pub fn warm(lifetime: Duration) -> (Self, AccessToken) {
        let mut s = Self::new();
        let token = s.cold_start(lifetime);
        (s, token)
    }

    /// Demand, one request, its token of `lifetime`: the token.
    pub fn cold_start(&mut self, lifetime: Duration) -> AccessToken {
        self.expect_pending();
        let fetch = self.expect_fetch();
        let token = self.respond_token(fetch, lifetime);
        assert!(self.expect_ready().same_as(&token));
        token
    }

    /// Time since the scenario began.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// The instant `d` after the start.
    pub fn at(&self, d: Duration) -> Instant {
        self.start + d
    }

    /// Moves the clock by `d` and lets the machine process its deadlines.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.machine.handle_timeout(self.now);
    }

    /// Moves the clock to `start + d`.
    pub fn advance_to(&mut self, d: Duration) {
        let t = self.at(d);
        assert!(t >= self.now, "the scenario clock only moves forward");
        self.now = t;
        self.machine.handle_timeout(self.now);
    }

    /// Jumps to the machine's next deadline and processes it; returns the time since
    /// the start.
    pub fn jump(&mut self) -> Duration {
        let next = self.machine.poll_timeout().expect("a deadline");
        assert!(next > self.now, "deadline not in the future");
        self.now = next;
        self.machine.handle_timeout(self.now);
        if let Some(after) = self.machine.poll_timeout() {
            assert!(after > self.now);
        }
        self.elapsed()
    }

    /// The next deadline, as time since the start.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.machine.poll_timeout().map(|t| t - self.start)
    }

    pub fn ask(&mut self) -> TokenPoll {
        self.machine.poll_token(self.now, self.now)
    }

    pub fn expect_ready(&mut self) -> AccessToken {
        match self.ask() {
            TokenPoll::Ready(token) => token,
            other => panic!("expected a token at {:?}, got {other:?}", self.elapsed()),
        }
    }

    pub fn expect_pending(&mut self) {
        match self.ask() {
            TokenPoll::Pending => {}
            other => panic!("expected pending at {:?}, got {other:?}", self.elapsed()),
        }
    }

    pub fn expect_failed(&mut self) -> Error {
        match self.ask() {
            TokenPoll::Failed(error) => error,
            other => panic!("expected failed at {:?}, got {other:?}", self.elapsed()),
        }
    }

    pub fn fetch(&mut self) -> Option<FetchId> {
        self.machine.poll_fetch(self.now)
    }

    pub fn expect_fetch(&mut self) -> FetchId {
        let fetch = self
            .fetch()
            .unwrap_or_else(|| panic!("expected a request at {:?}", self.elapsed()));
        assert_eq!(self.fetch(), None, "a second request right after the first");
        fetch
    }

    pub fn expect_no_fetch(&mut self) {
        assert_eq!(self.fetch(), None, "unexpected request at {:?}", self.elapsed());
    }

    /// A token of `lifetime` received now.
    pub fn token(&mut self, lifetime: Duration) -> AccessToken {
        self.tokens += 1;
        let value = format!("scenario-token-{}", self.tokens);
        AccessToken::new(value, Scopes::new(), self.now, lifetime).expect("valid token")
    }

    pub fn respond_token(&mut self, fetch: FetchId, lifetime: Duration) -> AccessToken {
        let token = self.token(lifetime);
        self.machine.handle_response(self.now, fetch, Ok(token.clone()));
        token
    }

    pub fn respond_error(&mut self, fetch: FetchId, error: Error) {
        self.machine.handle_response(self.now, fetch, Err(error));
    }
}

/// Parses an error answer the way a driver would get it.
pub fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Error {
    let mut response = http::Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    let response = response.body(body.as_bytes().to_vec()).expect("response");
    let config = ClientConfig::builder()
        .tenant_id("eu-west-2_AbcdEfghI")
        .client_secret("fixture-client-secret")
        .build()
        .expect("a valid configuration");
    config
        .parse_response(&response, Instant::now())
        .expect_err("an error answer")
}

/// 503 with an empty body: retryable.
pub fn unavailable() -> Error {
    answer(503, &[], "")
}

/// 429 with `Retry-After: seconds`: retryable, with a delay.
pub fn too_many_requests(seconds: u64) -> Error {
    answer(429, &[("retry-after", &seconds.to_string())], "")
}

/// 401 with the vendor envelope: not retryable.
pub fn unauthorized() -> Error {
    answer(
        401,
        &[("content-type", "application/json")],
        r#"{"status":401,"error":"Unauthorized","message":"bad credentials"}"#,
    )
}

/// A refused connection: retryable.
pub fn connection_refused() -> Error {
    Error::from(TransportError::new(TransportErrorKind::Connect))
}
