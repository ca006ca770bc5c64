//! A caller's wait is bounded: every `token()` call is answered within `max_wait` of its
//! start, even while a resource refuses every token and each new one is invalidated by
//! the first caller to get it. Twelve callers per flavour, on virtual time: the async
//! flavour on Tokio's paused clock, the blocking one on a clock that moves only when
//! every caller sleeps, to the earliest of their deadlines.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::{Async, Blocking, BlockingClock, Clock, Provider};
use learn_oauth_proto::{AccessToken, Error, RefreshPolicy};
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures::{self, JITTER_SEED};
use learn_oauth_testkit::memory::MemoryTransport;

const CALLERS: usize = 12;
const MAX_WAIT: Duration = Duration::from_secs(3);
const RUN: Duration = Duration::from_secs(60);

/// The default policy (a 5 s cool-down after an invalidation) with a 3 s wait.
fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.max_wait = MAX_WAIT;
    policy
}

/// What the callers saw: the longest call, and how many calls got a token or an error.
#[derive(Debug, Default)]
struct Seen {
    longest: Duration,
    tokens: usize,
    errors: usize,
}

impl Seen {
    fn call(&mut self, took: Duration, answer: &Result<AccessToken, Error>) {
        self.longest = self.longest.max(took);
        match answer {
            Ok(_) => self.tokens += 1,
            Err(error) => {
                assert!(error.is_retryable(), "{error:?}");
                self.errors += 1;
            }
        }
    }

    fn check(&self) {
        assert!(
            self.longest <= MAX_WAIT,
            "a call took {:?} (max_wait {MAX_WAIT:?}): {self:?}",
            self.longest
        );
        assert!(
            self.tokens >= 10,
            "tokens kept coming, one per cool-down: {self:?}"
        );
        assert!(self.errors > 0, "some calls waited out a cool-down: {self:?}");
    }
}

#[test]
fn async_calls_under_invalidation_churn_end_within_max_wait() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let seen = runtime.block_on(async {
        let start = tokio::time::Instant::now();
        // The async endpoint answers at once; this clock is unused.
        let endpoint = MemoryTransport::new(&VirtualClock::new());
        let provider = Provider::<Async<MemoryTransport>>::builder(fixtures::memory_config())
            .transport(endpoint)
            .policy(policy())
            .jitter_seed(JITTER_SEED)
            .build()
            .expect("a provider");
        let seen = Arc::new(Mutex::new(Seen::default()));
        let callers: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (provider, seen) = (provider.clone(), Arc::clone(&seen));
                tokio::spawn(async move {
                    while start.elapsed() < RUN {
                        let began = tokio::time::Instant::now();
                        let answer = provider.token().await;
                        let took = began.elapsed();
                        if let Ok(token) = &answer {
                            provider.invalidate(token);
                        }
                        seen.lock().unwrap().call(took, &answer);
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.await.expect("a caller panicked");
        }
        Arc::try_unwrap(seen).unwrap().into_inner().unwrap()
    });
    seen.check();
}

#[test]
fn blocking_calls_under_invalidation_churn_end_within_max_wait() {
    let virtual_clock = VirtualClock::new();
    let clock = SteppedClock::new(virtual_clock.clone(), CALLERS);
    let endpoint = MemoryTransport::new(&virtual_clock);
    let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
        .transport(endpoint)
        .policy(policy())
        .clock(clock.clone())
        .jitter_seed(JITTER_SEED)
        .build()
        .expect("a provider");
    let start = clock.now();
    let seen = Mutex::new(Seen::default());
    std::thread::scope(|scope| {
        for _ in 0..CALLERS {
            scope.spawn(|| {
                while clock.now() - start < RUN {
                    let began = clock.now();
                    let answer = provider.token();
                    let took = clock.now() - began;
                    if let Ok(token) = &answer {
                        provider.invalidate(token);
                    }
                    seen.lock().unwrap().call(took, &answer);
                }
                clock.leave();
            });
        }
    });
    seen.into_inner().unwrap().check();
}

/// A clock for a fixed set of threads: `sleep_until` blocks until the clock reaches the
/// deadline, and the clock moves only when every thread still taking part sleeps, to the
/// earliest deadline among them. So no thread is ever woken late, however the threads
/// are scheduled: virtual time waits for the slowest.
#[derive(Debug, Clone)]
struct SteppedClock {
    time: VirtualClock,
    state: Arc<(Mutex<Sleepers>, Condvar)>,
}

#[derive(Debug)]
struct Sleepers {
    /// Threads taking part that have not left.
    taking_part: usize,
    /// The deadlines of the threads asleep now.
    deadlines: Vec<Instant>,
}

impl SteppedClock {
    fn new(time: VirtualClock, threads: usize) -> Self {
        let sleepers = Sleepers {
            taking_part: threads,
            deadlines: Vec::new(),
        };
        Self {
            time,
            state: Arc::new((Mutex::new(sleepers), Condvar::new())),
        }
    }

    /// The calling thread stops taking part: the others no longer wait for it.
    fn leave(&self) {
        let (lock, changed) = &*self.state;
        let mut sleepers = lock.lock().unwrap_or_else(PoisonError::into_inner);
        sleepers.taking_part -= 1;
        self.step(&sleepers);
        changed.notify_all();
    }

    /// When every thread taking part sleeps, moves to the earliest deadline.
    fn step(&self, sleepers: &Sleepers) {
        if sleepers.deadlines.len() >= sleepers.taking_part
            && let Some(&earliest) = sleepers.deadlines.iter().min()
        {
            self.time.jump_to(earliest);
        }
    }
}

impl Clock for SteppedClock {
    fn now(&self) -> Instant {
        self.time.now()
    }
}

impl BlockingClock for SteppedClock {
    fn sleep_until(&self, deadline: Instant) {
        let (lock, changed) = &*self.state;
        let mut sleepers = lock.lock().unwrap_or_else(PoisonError::into_inner);
        sleepers.deadlines.push(deadline);
        self.step(&sleepers);
        changed.notify_all();
        // Bounded in real time only against a bug that leaves a thread asleep forever.
        let give_up = Instant::now() + Duration::from_secs(30);
        while self.time.now() < deadline {
            let left = give_up.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the stepped clock never reached {deadline:?}");
            sleepers = changed
                .wait_timeout(sleepers, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let mine = sleepers
            .deadlines
            .iter()
            .position(|d| *d == deadline)
            .expect("this sleeper's deadline");
        sleepers.deadlines.swap_remove(mine);
    }
}
