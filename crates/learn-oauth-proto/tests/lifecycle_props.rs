//! Property tests for the token lifecycle: random sequences of callers, driver polls,
//! answers of every kind, time jumps and invalidations, checked after every step by the
//! shared invariant checker (`learn_oauth_proto::lifecycle_invariants`, which the fuzz
//! target reuses).
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use learn_oauth_proto::RefreshPolicy;
use learn_oauth_proto::lifecycle_invariants::{Checker, Event, Outcome};
use proptest::prelude::*;

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        4 => (0u64..2_000).prop_map(Duration::from_millis),
        4 => (0u64..4_000).prop_map(Duration::from_secs),
        1 => (0u64..=400 * 24 * 3600).prop_map(Duration::from_secs),
        1 => Just(Duration::ZERO),
        1 => Just(Duration::MAX),
        1 => any::<u64>().prop_map(Duration::from_nanos),
    ]
}

fn lifetime() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (0u64..7_200).prop_map(Duration::from_secs),
        1 => (0u64..5_000).prop_map(Duration::from_millis),
        1 => Just(Duration::ZERO),
        1 => Just(Duration::MAX),
        1 => Just(Duration::from_secs(365 * 24 * 3600)),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        3 => (lifetime(), prop_oneof![3 => Just(Duration::ZERO), 1 => duration()])
            .prop_map(|(lifetime, age)| Outcome::Token { lifetime, age }),
        2 => proptest::option::of(duration()).prop_map(|retry_after| Outcome::Retryable { retry_after }),
        1 => Just(Outcome::Transport),
        1 => Just(Outcome::NonRetryable),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        4 => Just(Event::Ask),
        2 => Just(Event::Drive),
        4 => Just(Event::PollFetch),
        4 => outcome().prop_map(Event::Respond),
        1 => outcome().prop_map(Event::RespondStale),
        3 => duration().prop_map(Event::Advance),
        3 => Just(Event::JumpToTimeout),
        1 => duration().prop_map(Event::Rewind),
        1 => Just(Event::Invalidate),
    ]
}

fn policy() -> impl Strategy<Value = RefreshPolicy> {
    let small = || {
        prop_oneof![
            (0u64..120_000).prop_map(Duration::from_millis),
            Just(Duration::ZERO),
            duration()
        ]
    };
    let fraction = || prop_oneof![0.0..=1.0f64, Just(f64::NAN), -2.0..3.0f64];
    (
        (small(), small(), fraction(), small(), small(), fraction()),
        (0u32..8, small(), small(), small(), small()),
    )
        .prop_map(
            |(
                (safety_margin, refresh_ahead, refresh_jitter, initial_backoff, max_backoff, backoff_jitter),
                (max_attempts, max_wait, max_retry_after, failure_hold_off, request_timeout),
            )| {
                let mut policy = RefreshPolicy::default();
                policy.safety_margin = safety_margin;
                policy.refresh_ahead = refresh_ahead;
                policy.refresh_jitter = refresh_jitter;
                policy.initial_backoff = initial_backoff;
                policy.max_backoff = max_backoff;
                policy.backoff_jitter = backoff_jitter;
                policy.max_attempts = max_attempts;
                policy.max_wait = max_wait;
                policy.max_retry_after = max_retry_after;
                policy.failure_hold_off = failure_hold_off;
                policy.request_timeout = request_timeout;
                policy
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every invariant holds after every step, with the default policy.
    #[test]
    fn invariants_hold_with_the_default_policy(seed: u64, events in proptest::collection::vec(event(), 0..120)) {
        let mut checker = Checker::new(RefreshPolicy::default(), seed, Instant::now());
        for event in &events {
            checker.apply(event);
        }
    }

    /// Every invariant holds after every step, with any policy, however odd.
    #[test]
    fn invariants_hold_with_any_policy(
        policy in policy(),
        seed: u64,
        events in proptest::collection::vec(event(), 0..120),
    ) {
        let mut checker = Checker::new(policy, seed, Instant::now());
        for event in &events {
            checker.apply(event);
        }
    }

    /// The fuzz target's byte decoder yields sequences the checker accepts.
    #[test]
    fn decoded_byte_sequences_hold_the_invariants(seed: u64, bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut checker = Checker::new(RefreshPolicy::default(), seed, Instant::now());
        let mut input = bytes.as_slice();
        while let Some(event) = Event::decode(&mut input) {
            checker.apply(&event);
        }
    }

    /// A caller that keeps asking with the driver answering every request with an error
    /// causes a bounded number of requests: never a hot loop.
    #[test]
    fn a_failing_server_is_not_hammered(seed: u64, retryable: bool, asks in 1usize..400) {
        let mut checker = Checker::new(RefreshPolicy::default(), seed, Instant::now());
        let failure = if retryable { Outcome::Retryable { retry_after: None } } else { Outcome::NonRetryable };
        for _ in 0..asks {
            checker.apply(&Event::Ask);
            checker.apply(&Event::PollFetch);
            checker.apply(&Event::Respond(failure.clone()));
            checker.apply(&Event::Advance(Duration::from_millis(10)));
        }
        // Over `asks * 10 ms`: at most one request per 125 ms (the smallest jittered
        // backoff) for retryable errors, one per 10 s hold-off otherwise, plus one.
        let elapsed_ms = asks as u64 * 10;
        let bound = if retryable { elapsed_ms / 125 + 2 } else { elapsed_ms / 10_000 + 1 };
        prop_assert!(checker.fetches <= bound, "{} requests in {} ms", checker.fetches, elapsed_ms);
    }
}
