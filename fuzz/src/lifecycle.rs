//! `lifecycle`: arbitrary event sequences — callers asking, driver polls, answers of every
//! kind (tokens of any lifetime and age, retryable errors with and without
//! `Retry-After`, transport failures, refusals), stale answers, time jumps, rewound
//! clocks, invalidations — under an arbitrary refresh policy, driven through the core's
//! own invariant checker (`learn_oauth_proto::lifecycle_invariants::Checker`), which
//! asserts after every step: no token handed out past its usable time, at most one
//! request in flight, `poll_timeout` never behind the clock, `Pending` always has a way
//! forward, snapshots agree with the machine, `Debug` shows no token.
//!
//! After the sequence, a liveness check: with a server that now answers every request
//! with a one-hour token, a caller gets a token within a few rounds of the driving loop.

use std::time::Duration;

use arbitrary::Arbitrary;
use learn_oauth_proto::RefreshPolicy;
use learn_oauth_proto::lifecycle_invariants::{Checker, Event, Outcome};

/// One fuzz input.
#[derive(Arbitrary, Debug)]
pub struct LifecycleInput {
    /// The refresh policy (default when `None`).
    pub policy: Option<PolicyInput>,
    /// The jitter seed.
    pub seed: u64,
    /// The events, in order (the rest of the input).
    pub steps: Vec<Step>,
}

/// The policy's numbers, each chosen among small, edge and absurd values.
#[derive(Arbitrary, Debug)]
pub struct PolicyInput {
    pub safety_margin: Span,
    pub refresh_ahead: Span,
    pub refresh_jitter: Fraction,
    pub initial_backoff: Span,
    pub max_backoff: Span,
    pub backoff_jitter: Fraction,
    pub max_attempts: u8,
    pub max_wait: Span,
    pub max_retry_after: Span,
    pub failure_hold_off: Span,
    pub request_timeout: Span,
}

/// A duration.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Span {
    Zero,
    Millis(u16),
    Secs(u16),
    Minutes(u16),
    Hours(u16),
    /// `Duration::MAX / (n + 1)`: far beyond any `Instant`.
    Huge(u8),
    Max,
}

impl Span {
    pub fn duration(self) -> Duration {
        match self {
            Span::Zero => Duration::ZERO,
            Span::Millis(n) => Duration::from_millis(n.into()),
            Span::Secs(n) => Duration::from_secs(n.into()),
            Span::Minutes(n) => Duration::from_secs(60 * u64::from(n)),
            Span::Hours(n) => Duration::from_secs(3600 * u64::from(n)),
            Span::Huge(n) => Duration::MAX / (u32::from(n) + 1),
            Span::Max => Duration::MAX,
        }
    }
}

/// A jitter fraction: in range, out of range, or not a number.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Fraction {
    /// `n / 255`.
    Unit(u8),
    /// `(n - 128) / 32`: negative or above one.
    Wild(u8),
    NaN,
    Infinity,
}

impl Fraction {
    pub fn value(self) -> f64 {
        match self {
            Fraction::Unit(n) => f64::from(n) / 255.0,
            Fraction::Wild(n) => (f64::from(n) - 128.0) / 32.0,
            Fraction::NaN => f64::NAN,
            Fraction::Infinity => f64::INFINITY,
        }
    }
}

/// One event (mirrors the checker's [`Event`]).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Step {
    Ask,
    Drive,
    PollFetch,
    Respond(Answer),
    RespondStale(Answer),
    Advance(Span),
    JumpToTimeout,
    Rewind(Span),
    Invalidate,
}

/// How a request ends (mirrors the checker's [`Outcome`]).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Answer {
    Token { lifetime: Span, age: Span },
    Retryable { retry_after: Option<Span> },
    Transport,
    NonRetryable,
}

impl Answer {
    fn outcome(self) -> Outcome {
        match self {
            Answer::Token { lifetime, age } => Outcome::Token {
                lifetime: lifetime.duration(),
                age: age.duration(),
            },
            Answer::Retryable { retry_after } => Outcome::Retryable {
                retry_after: retry_after.map(Span::duration),
            },
            Answer::Transport => Outcome::Transport,
            Answer::NonRetryable => Outcome::NonRetryable,
        }
    }
}

impl Step {
    pub fn event(self) -> Event {
        match self {
            Step::Ask => Event::Ask,
            Step::Drive => Event::Drive,
            Step::PollFetch => Event::PollFetch,
            Step::Respond(a) => Event::Respond(a.outcome()),
            Step::RespondStale(a) => Event::RespondStale(a.outcome()),
            Step::Advance(s) => Event::Advance(s.duration()),
            Step::JumpToTimeout => Event::JumpToTimeout,
            Step::Rewind(s) => Event::Rewind(s.duration()),
            Step::Invalidate => Event::Invalidate,
        }
    }
}

impl PolicyInput {
    pub fn policy(&self) -> RefreshPolicy {
        let mut policy = RefreshPolicy::default();
        policy.safety_margin = self.safety_margin.duration();
        policy.refresh_ahead = self.refresh_ahead.duration();
        policy.refresh_jitter = self.refresh_jitter.value();
        policy.initial_backoff = self.initial_backoff.duration();
        policy.max_backoff = self.max_backoff.duration();
        policy.backoff_jitter = self.backoff_jitter.value();
        policy.max_attempts = self.max_attempts.into();
        policy.max_wait = self.max_wait.duration();
        policy.max_retry_after = self.max_retry_after.duration();
        policy.failure_hold_off = self.failure_hold_off.duration();
        policy.request_timeout = self.request_timeout.duration();
        policy
    }
}

/// The longest sequence run (longer inputs are cut: the checker's cost grows with it).
pub const MAX_STEPS: usize = 512;

/// Runs one input through the checker; panics on a broken invariant.
pub fn check(input: &LifecycleInput) {
    let policy = input
        .policy
        .as_ref()
        .map_or_else(RefreshPolicy::default, PolicyInput::policy);
    let default_policy = input.policy.is_none();
    let mut checker = Checker::new(policy, input.seed, crate::origin());
    for step in input.steps.iter().take(MAX_STEPS) {
        checker.apply(&step.event());
    }
    if default_policy {
        eventually_a_token(&mut checker);
    }
}

/// With the default policy, a server that answers every request with a one-hour token
/// gets a caller a token within a few rounds of the driving loop (ask, start the
/// request, answer it; else sleep until the machine's next deadline).
fn eventually_a_token(checker: &mut Checker) {
    let answer = Event::Respond(Outcome::Token {
        lifetime: Duration::from_secs(3600),
        age: Duration::ZERO,
    });
    let before = checker.handed_out;
    for _ in 0..64 {
        checker.apply(&Event::Ask);
        if checker.handed_out > before {
            return;
        }
        checker.apply(&Event::PollFetch);
        checker.apply(&answer);
        checker.apply(&Event::Ask);
        if checker.handed_out > before {
            return;
        }
        checker.apply(&Event::JumpToTimeout);
    }
    panic!("no token after 64 rounds with a server that answers every request: {checker:?}");
}
