//! Prints how soon replicas waiting for the lease holder adopt its token once it
//! publishes, polling (no notification: the store policy's default pauses, 25 ms doubling
//! up to 400 ms) against told (Redis pub/sub), as a Markdown table.
//!
//! Sixteen replicas (threads, each with its own provider, `RedisStore` and subscriber, as
//! processes would have) share a `redis-server` this starts on a free loopback port.
//! Each round, replica 0 takes the lease and requests a token from an in-memory endpoint
//! that answers after `latency` (a token endpoint's response time); the other 15 drop
//! their token (`invalidate`), read, find the lease held and wait. Measured per round:
//! from the start of the holder's publish (its script call) to the last waiter's
//! `token()` returning the adopted token; p50 and p99 over the rounds, and the p50 over
//! every waiter of every round.
//!
//! `cargo run --release -p learn-oauth-testkit --bin wake-latency [ROUNDS]` (default 100).
#![forbid(unsafe_code)]

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_driver::store::{
    BlockingStore, BlockingWatch, Sealing, SealingKey, SharedStore, StoreError, StoreKeyNames, StoreRecord,
    StoreTime,
};
use learn_oauth_driver::{Blocking, Provider};
use learn_oauth_proto::store::StorePolicy;
use learn_oauth_proto::{AccessToken, RefreshPolicy};
use learn_oauth_redis::RedisStore;
use learn_oauth_testkit::VirtualClock;
use learn_oauth_testkit::fixtures;
use learn_oauth_testkit::memory::MemoryTransport;
use learn_oauth_testkit::redis_server::RedisServer;

const REPLICAS: usize = 16;

/// The default store policy but for the operation timeout: 1 s, so a loaded machine
/// does not send a waiter off on its own (a store error) in the middle of a measurement.
fn store_policy() -> StorePolicy {
    let mut policy = StorePolicy::default();
    policy.op_timeout = Duration::from_secs(1);
    policy
}

/// What the replicas' stores saw this round, for the rounds to wait on instead of
/// looking at Redis.
#[derive(Default)]
struct Events {
    seen: Mutex<Seen>,
    changed: Condvar,
}

#[derive(Default, Clone, Copy)]
struct Seen {
    /// One bit per replica whose store has answered a read.
    read_by: u32,
    leases_won: usize,
    /// When the holder's publish started.
    published: Option<Instant>,
}

impl Events {
    fn note(&self, change: impl FnOnce(&mut Seen)) {
        change(&mut self.seen.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }

    /// Waits until `done` (at most 10 s); what was seen then.
    fn until(&self, what: &str, done: impl Fn(&Seen) -> bool) -> Seen {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let (seen, waited) = self
            .changed
            .wait_timeout_while(seen, Duration::from_secs(10), |seen| !done(seen))
            .unwrap_or_else(PoisonError::into_inner);
        assert!(!waited.timed_out(), "{what}");
        *seen
    }
}

/// A [`RedisStore`] that reports reads, leases and publishes to [`Events`], and tells of
/// publishes only if `told` (otherwise it is a store without notifications: waiters
/// poll).
struct Measured {
    redis: RedisStore,
    told: bool,
    id: usize,
    events: Arc<Events>,
}

impl fmt::Debug for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Measured")
            .field("told", &self.told)
            .finish_non_exhaustive()
    }
}

impl BlockingStore for Measured {
    fn read(&self, keys: &StoreKeyNames, timeout: Duration) -> Result<StoreRecord, StoreError> {
        let read = self.redis.read(keys, timeout);
        self.events.note(|seen| seen.read_by |= 1 << self.id);
        read
    }

    fn try_lease(
        &self,
        keys: &StoreKeyNames,
        owner: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let won = self.redis.try_lease(keys, owner, ttl, timeout);
        if matches!(won, Ok(true)) {
            self.events.note(|seen| seen.leases_won += 1);
        }
        won
    }

    fn publish(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        expire_at: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.events.note(|seen| seen.published = Some(Instant::now()));
        self.redis.publish(keys, value, expire_at, owner, timeout)
    }

    fn cool_down(
        &self,
        keys: &StoreKeyNames,
        value: &[u8],
        until: StoreTime,
        owner: &str,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        self.redis.cool_down(keys, value, until, owner, timeout)
    }

    fn release(&self, keys: &StoreKeyNames, owner: &str, timeout: Duration) -> Result<(), StoreError> {
        self.redis.release(keys, owner, timeout)
    }

    fn watch(&self, keys: &StoreKeyNames) -> Option<Box<dyn BlockingWatch>> {
        if self.told { self.redis.watch(keys) } else { None }
    }
}

struct Replica {
    provider: Provider<Blocking<MemoryTransport>>,
    endpoint: MemoryTransport,
    current: Option<AccessToken>,
}

impl Replica {
    fn new(redis: &RedisServer, told: bool, id: usize, events: &Arc<Events>) -> Self {
        let endpoint = MemoryTransport::new(&VirtualClock::new());
        let store = Measured {
            redis: RedisStore::open(redis.config()),
            told,
            id,
            events: Arc::clone(events),
        };
        let key = SealingKey::new(1, &[7; 32]).expect("32 bytes");
        // Every round drops every token: no hold-off after an invalidation.
        let mut policy = RefreshPolicy::default();
        policy.invalidate_cooldown = Duration::ZERO;
        let provider = Provider::<Blocking<MemoryTransport>>::builder(fixtures::memory_config())
            .policy(policy)
            .transport(endpoint.clone())
            .shared_store(SharedStore::blocking(store, Sealing::new(key)).policy(store_policy()))
            .build()
            .expect("a provider");
        Self {
            provider,
            endpoint,
            current: None,
        }
    }

    /// Drops the current token and gets another: when it came back, and whether it was
    /// adopted from the store.
    fn renew(&mut self) -> (Instant, bool) {
        if let Some(token) = self.current.take() {
            self.provider.invalidate(&token);
        }
        let before = self.provider.stats().store;
        let token = self.provider.token().expect("a token");
        let at = Instant::now();
        self.current = Some(token);
        (at, self.provider.stats().store.adopted > before.adopted)
    }
}

/// What a run measured.
struct Measures {
    /// Per round in which every waiter adopted: the last one's delay after the publish.
    last: Vec<Duration>,
    /// Every adopting waiter's delay.
    every: Vec<Duration>,
    /// Waiters that did not adopt (a store operation failed: they requested alone).
    alone: usize,
}

/// `rounds` rounds of one holder and 15 waiters.
fn run(redis: &RedisServer, told: bool, latency: Duration, rounds: usize) -> Measures {
    let _ = redis.command(&["FLUSHALL"]);
    let events = Arc::new(Events::default());
    let mut replicas: Vec<Replica> = (0..REPLICAS)
        .map(|id| Replica::new(redis, told, id, &events))
        .collect();
    // Every replica has a token, and (told) a subscriber up, before the first round.
    for replica in &mut replicas {
        replica.renew();
    }
    let waiters_bits = ((1u32 << REPLICAS) - 1) & !1;
    let (mut last, mut every, mut alone) = (Vec::new(), Vec::new(), 0);
    for _ in 0..rounds {
        events.note(|seen| *seen = Seen::default());
        let (holder, waiters) = replicas.split_first_mut().expect("replicas");
        let hold = holder.endpoint.hold_blocking();
        std::thread::scope(|scope| {
            let holding = scope.spawn(|| holder.renew());
            events.until("the holder takes the lease", |seen| seen.leases_won == 1);
            let waiting: Vec<_> = waiters
                .iter_mut()
                .map(|w| scope.spawn(move || w.renew()))
                .collect();
            events.until("every waiter reads", |seen| {
                seen.read_by & waiters_bits == waiters_bits
            });
            // The token endpoint's response time (the workload, not a synchronisation).
            std::thread::sleep(latency);
            drop(hold);
            let (_, adopted) = holding.join().expect("the holder");
            assert!(!adopted, "the holder requested its token");
            let published = events
                .until("the holder publishes", |seen| seen.published.is_some())
                .published
                .unwrap_or_else(Instant::now);
            let mut delays = Vec::new();
            for waiter in waiting {
                let (at, adopted) = waiter.join().expect("a waiter");
                if adopted {
                    delays.push(at.saturating_duration_since(published));
                } else {
                    alone += 1;
                }
            }
            if delays.len() == REPLICAS - 1 {
                last.extend(delays.iter().copied().max());
            }
            every.extend(delays);
        });
    }
    Measures { last, every, alone }
}

/// The `p`th percentile (nearest rank) of `values`, in ms.
fn percentile(values: &mut [Duration], p: usize) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable();
    let rank = (values.len() * p).div_ceil(100).max(1);
    values[rank - 1].as_secs_f64() * 1000.0
}

fn main() {
    let rounds = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let redis = RedisServer::start();
    println!(
        "| waiters | token endpoint | rounds | last waiter p50 | last waiter p99 | every waiter p50 | did not adopt |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for latency in [20, 150, 500].map(Duration::from_millis) {
        for (told, name) in [
            (false, "poll (25 ms doubling to 400 ms)"),
            (true, "told (pub/sub)"),
        ] {
            let mut m = run(&redis, told, latency, rounds);
            println!(
                "| {name} | {} ms | {rounds} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
                latency.as_millis(),
                percentile(&mut m.last, 50),
                percentile(&mut m.last, 99),
                percentile(&mut m.every, 50),
                m.alone,
            );
        }
    }
    println!(
        "\n{REPLICAS} replicas (threads, one provider, Redis store and subscriber each); per round, \
         from the start of the holder's publish to the last of the {} waiters' `token()` returning \
         (rounds where every waiter adopted); \"did not adopt\": waiters sent off alone by a failed store \
         operation (op_timeout 1 s).",
        REPLICAS - 1
    );
}
