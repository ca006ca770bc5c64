//! The provider's behaviour, once for each flavour, against the in-memory endpoint on
//! virtual time: no socket, no sleep, no race with the real clock. The blocking flavour
//! runs on a [`VirtualClock`] that sleeping moves; the async one on Tokio's paused clock
//! in a current-thread runtime, which jumps to the next timer whenever every task waits.

use std::future::Future as _;
use std::time::Duration;

use learn_oauth_driver::{Async, Blocking, Provider, Stats};
use learn_oauth_proto::{AccessToken, Error, RefreshPolicy, TransportErrorKind};
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::expect::transport_kind;
use learn_oauth_testkit::fixtures::{self, JITTER_SEED, policy};
use learn_oauth_testkit::memory::{MemoryTransport, Reply};
use learn_oauth_testkit::storm;

/// A provider of one flavour over a [`MemoryTransport`], and the virtual time it runs on.
trait Harness: Sized {
    /// Whether a caller's wait for a request's report is measured on the virtual clock.
    /// The blocking flavour waits for a report on a condition variable, in real time,
    /// while the thread running the request moves the virtual clock by the endpoint's
    /// delay: its calls' virtual durations include that delay.
    const WAITS_FOR_REPORTS_ON_VIRTUAL_TIME: bool;
    /// A provider with `policy` over an endpoint issuing tokens living `lifetime`.
    fn with_lifetime(policy: RefreshPolicy, lifetime: Duration) -> Self;
    fn endpoint(&self) -> &MemoryTransport;
    fn token(&self) -> Result<AccessToken, Error>;
    fn invalidate(&self, token: &AccessToken) -> bool;
    /// `n` callers asking at once; every answer.
    fn storm(&self, n: usize) -> Vec<Result<AccessToken, Error>>;
    /// Virtual time since the harness was made.
    fn elapsed(&self) -> Duration;
    fn advance(&self, by: Duration);
    /// Lets a background refresh run to its end; the token it brought.
    fn refreshed(&self, old: &AccessToken) -> AccessToken;
    fn debug(&self) -> String;
    fn stats(&self) -> Stats;
    /// Lets background requests run until `done` holds for the provider's stats.
    fn settle(&self, done: &dyn Fn(&Stats) -> bool);

    fn new(policy: RefreshPolicy) -> Self {
        Self::with_lifetime(policy, MemoryTransport::DEFAULT_LIFETIME)
    }
}

struct BlockingHarness {
    clock: VirtualClock,
    endpoint: MemoryTransport,
    provider: Provider<Blocking<MemoryTransport>>,
}

impl Harness for BlockingHarness {
    const WAITS_FOR_REPORTS_ON_VIRTUAL_TIME: bool = false;
    fn with_lifetime(policy: RefreshPolicy, lifetime: Duration) -> Self {
        let clock = VirtualClock::new();
        let endpoint = MemoryTransport::with_lifetime(&clock, lifetime);
        let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
            .transport(endpoint.clone())
            .policy(policy)
            .clock(clock.clone())
            .jitter_seed(JITTER_SEED)
            .build()
            .expect("a provider");
        Self {
            clock,
            endpoint,
            provider,
        }
    }
    fn endpoint(&self) -> &MemoryTransport {
        &self.endpoint
    }
    fn token(&self) -> Result<AccessToken, Error> {
        self.provider.token()
    }
    fn invalidate(&self, token: &AccessToken) -> bool {
        self.provider.invalidate(token)
    }
    fn storm(&self, n: usize) -> Vec<Result<AccessToken, Error>> {
        storm::threads(n, || self.provider.token())
    }
    fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }
    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
    fn refreshed(&self, old: &AccessToken) -> AccessToken {
        // The refresh runs on a thread of its own; wait for its result to be handed out
        // (a condition, not a sleep: bounded in real time only against a hang).
        let give_up = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let token = self.provider.token().expect("a token");
            if !token.same_as(old) {
                return token;
            }
            assert!(std::time::Instant::now() < give_up, "no refresh happened");
            std::thread::yield_now();
        }
    }
    fn debug(&self) -> String {
        format!("{:?}", self.provider)
    }
    fn stats(&self) -> Stats {
        self.provider.stats()
    }
    fn settle(&self, done: &dyn Fn(&Stats) -> bool) {
        // A condition, not a sleep: bounded in real time only against a hang.
        let give_up = std::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.provider.stats()) {
            assert!(
                std::time::Instant::now() < give_up,
                "never settled: {:?}",
                self.provider.stats()
            );
            std::thread::yield_now();
        }
    }
}

struct AsyncHarness {
    runtime: tokio::runtime::Runtime,
    start: tokio::time::Instant,
    endpoint: MemoryTransport,
    provider: Provider<Async<MemoryTransport>>,
}

impl Harness for AsyncHarness {
    const WAITS_FOR_REPORTS_ON_VIRTUAL_TIME: bool = true;
    fn with_lifetime(policy: RefreshPolicy, lifetime: Duration) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a runtime");
        let _entered = runtime.enter();
        let start = tokio::time::Instant::now();
        // The async endpoint sleeps on Tokio's clock; this clock is unused.
        let endpoint = MemoryTransport::with_lifetime(&VirtualClock::new(), lifetime);
        let provider = Provider::<Async<MemoryTransport>>::builder(fixtures::memory_config())
            .transport(endpoint.clone())
            .policy(policy)
            .jitter_seed(JITTER_SEED)
            .build()
            .expect("a provider");
        drop(_entered);
        Self {
            runtime,
            start,
            endpoint,
            provider,
        }
    }
    fn endpoint(&self) -> &MemoryTransport {
        &self.endpoint
    }
    fn token(&self) -> Result<AccessToken, Error> {
        self.runtime.block_on(self.provider.token())
    }
    fn invalidate(&self, token: &AccessToken) -> bool {
        let _entered = self.runtime.enter();
        self.provider.invalidate(token)
    }
    fn storm(&self, n: usize) -> Vec<Result<AccessToken, Error>> {
        self.runtime.block_on(storm::tasks(n, || {
            let provider = self.provider.clone();
            async move { provider.token().await }
        }))
    }
    fn elapsed(&self) -> Duration {
        let _entered = self.runtime.enter();
        self.start.elapsed()
    }
    fn advance(&self, by: Duration) {
        self.runtime.block_on(tokio::time::advance(by));
    }
    fn refreshed(&self, old: &AccessToken) -> AccessToken {
        self.runtime.block_on(async {
            loop {
                let token = self.provider.token().await.expect("a token");
                if !token.same_as(old) {
                    return token;
                }
                // Every task waits: the paused clock moves to the refresh's next timer.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    }
    fn debug(&self) -> String {
        format!("{:?}", self.provider)
    }
    fn stats(&self) -> Stats {
        let _entered = self.runtime.enter();
        self.provider.stats()
    }
    fn settle(&self, done: &dyn Fn(&Stats) -> bool) {
        self.runtime.block_on(async {
            while !done(&self.provider.stats()) {
                tokio::task::yield_now().await;
            }
        });
    }
}

/// Each test body, once per flavour.
macro_rules! for_both_flavours {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $(#[test] fn $name() { super::$name::<super::BlockingHarness>(); })*
        }
        mod asynchronous {
            $(#[test] fn $name() { super::$name::<super::AsyncHarness>(); })*
        }
    };
}

for_both_flavours!(
    a_warm_provider_hands_out_the_same_token_without_a_request,
    a_cold_start_storm_sends_one_request,
    a_slow_answer_is_shared_by_every_caller,
    near_expiry_callers_keep_the_old_token_while_one_refresh_runs,
    server_errors_are_retried_with_backoff_then_succeed,
    a_429_retry_after_is_honoured,
    unauthorized_is_returned_at_once_and_not_retried,
    after_bad_credentials_callers_get_the_error_without_a_request_until_the_hold_off_ends,
    a_hanging_endpoint_ends_in_a_timeout_error_not_a_hang,
    a_round_gives_up_after_max_attempts_with_the_last_error,
    an_outage_serves_the_usable_token_until_it_ends_then_the_error,
    an_invalidated_token_is_replaced_by_one_new_request,
    a_panicking_transport_fails_one_request_and_the_next_one_works,
    the_provider_debug_shows_no_secret_or_token,
    a_resource_that_refuses_every_token_gets_one_token_request_per_cool_down,
    one_call_waits_at_most_max_wait_while_the_last_attempt_runs_on,
    stats_count_fetches_refreshes_failures_stale_serves_and_invalidations,
);

fn stats_count_fetches_refreshes_failures_stale_serves_and_invalidations<H: Harness>() {
    let lifetime = Duration::from_secs(300);
    let h = H::with_lifetime(policy(), lifetime);
    let token = h.token().unwrap();
    let stats = h.stats();
    assert_eq!(
        (stats.fetches, stats.tokens_received, stats.refreshes_ahead),
        (1, 1, 0)
    );
    assert_eq!(stats.token_remaining, Some(lifetime));
    assert_eq!(stats.failures.total(), 0);

    // Past the refresh point (240 s) the endpoint fails: one refresh, which fails.
    h.endpoint().enqueue_n(1000, &Reply::Status(503));
    h.advance(Duration::from_secs(250));
    assert!(h.token().unwrap().same_as(&token));
    h.settle(&|s| s.failures.server_retryable == 1);
    // Until its retry is due, every call is served the token stale, lock-free.
    let before = h.stats().stale_served;
    for _ in 0..3 {
        assert!(h.token().unwrap().same_as(&token));
    }
    let stats = h.stats();
    assert_eq!(stats.stale_served, before + 3, "{stats:?}");
    assert_eq!(
        (stats.fetches, stats.refreshes_ahead, stats.tokens_received),
        (2, 1, 1)
    );
    assert_eq!((stats.retries_scheduled, stats.consecutive_failures), (1, 1));
    assert_eq!(stats.token_remaining, Some(lifetime - Duration::from_secs(250)));

    assert!(h.invalidate(&token));
    assert!(!h.invalidate(&token));
    assert_eq!(h.stats().invalidations, 1);
    assert_eq!(h.stats().token_remaining, None, "no token held");
}

fn a_warm_provider_hands_out_the_same_token_without_a_request<H: Harness>() {
    let h = H::new(policy());
    let first = h.token().unwrap();
    let second = h.token().unwrap();
    assert!(first.same_as(&second));
    assert_eq!(first.expose_secret(), "memory-token-1");
    assert_eq!(h.endpoint().requests(), 1);
}

fn a_cold_start_storm_sends_one_request<H: Harness>() {
    let h = H::new(policy());
    h.endpoint()
        .enqueue_after(Duration::from_millis(50), Reply::Token(Duration::from_secs(3600)));
    let answers = h.storm(64);
    let tokens: Vec<AccessToken> = answers.into_iter().map(Result::unwrap).collect();
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(h.endpoint().requests(), 1);
}

fn a_slow_answer_is_shared_by_every_caller<H: Harness>() {
    // Slower than the round's backoff but well inside the request timeout: callers wait for
    // the request in flight instead of timing it out.
    let h = H::new(policy());
    h.endpoint()
        .enqueue_after(Duration::from_secs(20), Reply::Token(Duration::from_secs(3600)));
    let answers = h.storm(8);
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(h.endpoint().requests(), 1);
    assert!(h.elapsed() >= Duration::from_secs(20), "{:?}", h.elapsed());
}

fn near_expiry_callers_keep_the_old_token_while_one_refresh_runs<H: Harness>() {
    let h = H::with_lifetime(policy(), Duration::from_secs(300));
    let old = h.token().unwrap();
    h.endpoint()
        .enqueue_after(Duration::from_millis(200), Reply::Token(Duration::from_secs(300)));
    // The blocking refresh runs on a thread of its own, and its delay is virtual: held, so
    // it cannot answer while the callers below run, however the threads are scheduled.
    let hold = h.endpoint().hold_blocking();
    h.advance(Duration::from_secs(300 - 30));
    for _ in 0..100 {
        let token = h.token().unwrap();
        assert!(token.same_as(&old), "the old token is served during the refresh");
    }
    drop(hold);
    let new = h.refreshed(&old);
    assert_eq!(h.endpoint().requests(), 2, "exactly one refresh");
    assert!(h.token().unwrap().same_as(&new));
}

fn server_errors_are_retried_with_backoff_then_succeed<H: Harness>() {
    let h = H::new(policy());
    h.endpoint().enqueue_n(2, &Reply::Status(500));
    h.token().unwrap();
    assert_eq!(h.endpoint().requests(), 3);
    // Backoff from 1 s, doubling, no jitter: 1 s then 2 s.
    assert!(h.elapsed() >= Duration::from_secs(3), "waited {:?}", h.elapsed());
    assert!(h.elapsed() < Duration::from_secs(4), "waited {:?}", h.elapsed());
}

fn a_429_retry_after_is_honoured<H: Harness>() {
    let h = H::new(policy());
    h.endpoint().enqueue(Reply::RetryAfter(429, 7));
    h.token().unwrap();
    assert_eq!(h.endpoint().requests(), 2);
    assert!(h.elapsed() >= Duration::from_secs(7), "waited {:?}", h.elapsed());
    assert!(h.elapsed() < Duration::from_secs(8), "waited {:?}", h.elapsed());
}

fn unauthorized_is_returned_at_once_and_not_retried<H: Harness>() {
    let h = H::new(policy());
    h.endpoint().enqueue(Reply::Status(401));
    let error = h.token().unwrap_err();
    assert!(
        error.server_error().is_some_and(|e| e.is_unauthorized()),
        "{error:?}"
    );
    assert_eq!(h.endpoint().requests(), 1);
    assert_eq!(h.elapsed(), Duration::ZERO);
}

fn after_bad_credentials_callers_get_the_error_without_a_request_until_the_hold_off_ends<H: Harness>() {
    let h = H::new(policy());
    h.endpoint().enqueue(Reply::Status(401));
    h.token().unwrap_err();
    h.advance(policy().failure_hold_off / 2);
    let again = h.token().unwrap_err();
    assert_eq!(again.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(h.endpoint().requests(), 1, "held off");
    h.advance(policy().failure_hold_off);
    h.token().unwrap();
    assert_eq!(h.endpoint().requests(), 2);
}

fn a_hanging_endpoint_ends_in_a_timeout_error_not_a_hang<H: Harness>() {
    let mut policy = policy();
    policy.max_attempts = 2;
    policy.request_timeout = Duration::from_secs(5);
    let h = H::new(policy);
    h.endpoint().enqueue_n(2, &Reply::Hang);
    let error = h.token().unwrap_err();
    assert_eq!(transport_kind(&error), TransportErrorKind::Timeout, "{error:?}");
    assert_eq!(h.endpoint().requests(), 2);
    // Two timeouts and one backoff of virtual time; no more.
    assert!(h.elapsed() >= Duration::from_secs(11), "{:?}", h.elapsed());
    assert!(h.elapsed() < Duration::from_secs(12), "{:?}", h.elapsed());
}

fn a_round_gives_up_after_max_attempts_with_the_last_error<H: Harness>() {
    let mut policy = policy();
    policy.max_attempts = 3;
    let h = H::new(policy);
    h.endpoint().enqueue(Reply::Status(503));
    h.endpoint().enqueue(Reply::Fails(TransportErrorKind::Connect));
    h.endpoint().enqueue(Reply::Status(502));
    let error = h.token().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(h.endpoint().requests(), 3);
}

fn an_outage_serves_the_usable_token_until_it_ends_then_the_error<H: Harness>() {
    let h = H::with_lifetime(policy(), Duration::from_secs(300));
    let token = h.token().unwrap();
    h.endpoint().enqueue_n(1000, &Reply::Status(503));
    // Inside the refresh window, before the safety margin: the old token, every time.
    h.advance(Duration::from_secs(250));
    for _ in 0..5 {
        assert!(h.token().unwrap().same_as(&token));
        h.advance(Duration::from_secs(5));
    }
    // Past its usable time: the outage shows.
    h.advance(Duration::from_secs(300 - 275));
    let error = h.token().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
}

fn an_invalidated_token_is_replaced_by_one_new_request<H: Harness>() {
    let h = H::new(policy());
    let first = h.token().unwrap();
    assert!(h.invalidate(&first));
    assert!(!h.invalidate(&first), "the same token is dropped once");
    let second = h.token().unwrap();
    assert!(!second.same_as(&first));
    assert!(!h.invalidate(&first), "an old token does not drop the new one");
    assert!(h.token().unwrap().same_as(&second));
    assert_eq!(h.endpoint().requests(), 2);
}

fn a_panicking_transport_fails_one_request_and_the_next_one_works<H: Harness>() {
    let h = H::new(policy());
    h.endpoint().enqueue(Reply::Panic);
    // The blocking flavour sends on the caller's thread, so the panic is the caller's;
    // the async one runs it in a task, so the caller sees a retry. Either way the
    // request is reported and the provider goes on.
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.token()));
    let token = match first {
        Ok(answer) => answer.expect("retried after the failed request"),
        Err(_) => h.token().expect("the next caller gets a token"),
    };
    assert_eq!(token.expose_secret(), "memory-token-1");
    assert_eq!(h.endpoint().requests(), 2);
}

fn the_provider_debug_shows_no_secret_or_token<H: Harness>() {
    let h = H::new(policy());
    let token = h.token().unwrap();
    let debug = h.debug();
    assert!(!debug.contains(fixtures::SECRET), "{debug}");
    assert!(!debug.contains(token.expose_secret()), "{debug}");
    assert!(debug.contains(fixtures::TENANT), "{debug}");
}

fn a_resource_that_refuses_every_token_gets_one_token_request_per_cool_down<H: Harness>() {
    // Callers doing token() -> 401 -> invalidate against a resource
    // that rejects every token made thousands of token requests a second.
    let h = H::new(policy());
    while h.elapsed() < Duration::from_secs(60) {
        let token = h.token().unwrap();
        h.invalidate(&token);
        h.advance(Duration::from_millis(10));
    }
    let cooldown = policy().invalidate_cooldown.as_secs();
    let requests = h.endpoint().requests();
    assert!(
        requests as u64 <= 1 + 60 / cooldown,
        "{requests} requests in a minute"
    );
    assert!(
        requests as u64 >= 60 / cooldown,
        "{requests} requests in a minute"
    );
}

fn one_call_waits_at_most_max_wait_while_the_last_attempt_runs_on<H: Harness>() {
    // With max_wait 3 s and a server answering 503 after 2.5 s, a call took 5.15 s: the
    // second attempt started at 2.75 s and the call waited for it. Now the call ends at
    // 3 s with the last failure, and the attempt runs on with its whole request timeout.
    let mut policy = policy();
    policy.max_wait = Duration::from_secs(3);
    policy.initial_backoff = Duration::from_millis(250);
    let h = H::new(policy);
    for _ in 0..2 {
        h.endpoint()
            .enqueue_after(Duration::from_millis(2500), Reply::Status(503));
    }
    let error = h.token().unwrap_err();
    if H::WAITS_FOR_REPORTS_ON_VIRTUAL_TIME {
        assert_eq!(h.elapsed(), Duration::from_secs(3), "{error:?}");
    }
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(503),
        "the last failure: {error:?}"
    );
    assert_eq!(h.endpoint().requests(), 2);
}

/// Async only: a provider used from a new runtime per call (a sync wrapper doing
/// `Runtime::new()?.block_on(provider.token())`) loses every background refresh with its
/// runtime. Those abandoned refreshes used to count as failures, so the
/// backoff grew and, at expiry, a caller slept it out. Now an abandoned request costs
/// nothing: the caller at expiry fetches at once.
#[test]
fn refreshes_abandoned_with_their_runtime_cost_no_backoff() {
    let clock = VirtualClock::new();
    let endpoint = MemoryTransport::with_lifetime(&clock, Duration::from_secs(300));
    let provider = Provider::<Async<MemoryTransport>>::builder(fixtures::memory_config())
        .transport(endpoint.clone())
        .policy(policy())
        .clock(clock.clone())
        .jitter_seed(JITTER_SEED)
        .build()
        .expect("a provider");
    let call = || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(provider.token())
        // The runtime drops here, and with it any refresh it was running.
    };
    let first = call().unwrap();
    // From the refresh point (240 s) to the end of the usable time (290 s): one call a
    // second, each starting a refresh that its runtime drops.
    clock.advance(Duration::from_secs(240));
    while clock.elapsed() < Duration::from_secs(290) {
        assert!(
            call().unwrap().same_as(&first),
            "the old token while refreshes fail"
        );
        clock.advance(Duration::from_secs(1));
    }
    let before = clock.elapsed();
    let fresh = call().unwrap();
    assert!(!fresh.same_as(&first));
    assert_eq!(clock.elapsed(), before, "no backoff to sleep out");
}

/// Async only: a caller that gives up does not take the request with it.
#[test]
fn a_cancelled_async_caller_does_not_strand_the_request() {
    let h = AsyncHarness::new(policy());
    h.endpoint().enqueue_after(
        Duration::from_millis(100),
        Reply::Token(Duration::from_secs(3600)),
    );
    let cancelled = h
        .runtime
        .block_on(async { tokio::time::timeout(Duration::from_millis(10), h.provider.token()).await });
    assert!(cancelled.is_err(), "the first caller gave up");
    h.token().unwrap();
    assert_eq!(h.endpoint().requests(), 1, "the spawned request was reused");
}

/// Async only: the warm path finishes on its first poll, without waking anything.
#[test]
fn a_warm_async_token_is_ready_on_the_first_poll() {
    let h = AsyncHarness::new(policy());
    let token = h.token().unwrap();
    let mut future = std::pin::pin!(h.provider.token());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Ok(again)) => assert!(again.same_as(&token)),
        other => panic!("expected a ready token, got {other:?}"),
    }
}

/// Blocking only: a provider needs a transport when its type has none by default.
#[test]
fn a_transport_without_a_default_must_be_given() {
    let error = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
        .build()
        .unwrap_err();
    assert!(
        matches!(error, learn_oauth_driver::BuildError::NoDefaultTransport),
        "{error:?}"
    );
}
