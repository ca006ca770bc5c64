//! A fleet on the virtual clock: many replicas, each a `TokenLifecycle` driving
//! `StoreFetch`es against one in-memory store (atomic operations, entries expiring by the
//! store's clock) and one token server, with random latencies, demand times, server
//! failures, 429s, store outages and lease holders crashing mid-request. After every event:
//!
//! - no replica hands out a token past the server's own expiry for it;
//! - at most one replica believes it holds a live lease, and a lease holder's request
//!   always ends before its lease does;
//! - without faults, the fleet makes at most one request per refresh period (+1 for a
//!   race at a period's edge), where each replica alone would make one per period.
#![allow(clippy::disallowed_methods)] // one real instant as the virtual clock's origin

use std::collections::HashMap;
use std::time::{Duration, Instant};

use learn_oauth_proto::http::StatusCode;
use learn_oauth_proto::store::{StoreFetch, StoreHistory, StorePolicy, StoreStep, StoreTime, StoreView};
use learn_oauth_proto::{
    AccessToken, DriverStep, Error, ErrorDetail, FetchId, RefreshPolicy, Scopes, ServerError, TokenLifecycle,
    TransportError, TransportErrorKind,
};
use proptest::prelude::*;

/// splitmix64: the schedule's randomness, from proptest's seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.next() % (hi - lo + 1))
    }

    fn chance(&mut self, per_thousand: u64) -> bool {
        self.next() % 1000 < per_thousand
    }
}

const LIFETIME: Duration = Duration::from_secs(120);
const RUN: Duration = Duration::from_secs(20 * 60);

#[derive(Default)]
struct Store {
    /// Value, lifetime, expiry, issue time (the store's clock).
    token: Option<(String, Duration, Instant, StoreTime)>,
    lease: Option<(usize, Instant)>,
    cool_until: Option<Instant>,
    down: Vec<(Instant, Instant)>,
}

impl Store {
    fn is_down(&self, at: Instant) -> bool {
        self.down.iter().any(|&(from, to)| from <= at && at < to)
    }

    fn release(&mut self, owner: usize) {
        if self.lease.is_some_and(|(o, _)| o == owner) {
            self.lease = None;
        }
    }
}

enum Op {
    Read,
    Lease(Duration),
    Fetch { result: Result<AccessToken, Error> },
    Publish(AccessToken, StoreTime, StoreTime),
    Cool(StoreTime),
    Release,
}

struct Fetching {
    id: FetchId,
    machine: StoreFetch,
    op: Option<(Instant, Op)>,
    sleep_until: Option<Instant>,
    /// When this replica took the lease, and for how long.
    lease: Option<(Instant, Duration)>,
}

struct Replica {
    lifecycle: TokenLifecycle,
    /// What it has seen of the store's entry (lost when it crashes).
    history: StoreHistory,
    fetch: Option<Fetching>,
    next_demand: Instant,
}

struct Faults {
    server_errors: bool,
    store_outages: bool,
    crashes: bool,
}

struct Sim {
    rng: Rng,
    /// The store's clock counts milliseconds from here.
    origin: Instant,
    now: Instant,
    end: Instant,
    refresh: RefreshPolicy,
    policy: StorePolicy,
    store: Store,
    /// Token value -> the server's own expiry for it.
    issued: HashMap<String, Instant>,
    requests: usize,
    replicas: Vec<Replica>,
    faults: Faults,
    crashes: usize,
}

impl Sim {
    fn new(seed: u64, replicas: usize, faults: Faults) -> Self {
        let start = Instant::now();
        let mut rng = Rng(seed);
        let refresh = RefreshPolicy::default();
        let mut store = Store::default();
        if faults.store_outages {
            for _ in 0..3 {
                let from = start + rng.millis(0, RUN.as_millis() as u64);
                store.down.push((from, from + rng.millis(1_000, 90_000)));
            }
        }
        let replicas = (0..replicas)
            .map(|n| Replica {
                lifecycle: TokenLifecycle::new(refresh.clone(), seed ^ n as u64),
                history: StoreHistory::new(),
                fetch: None,
                next_demand: start + rng.millis(0, 50),
            })
            .collect();
        Self {
            rng,
            origin: start,
            now: start,
            end: start + RUN,
            refresh,
            policy: StorePolicy::default(),
            store,
            issued: HashMap::new(),
            requests: 0,
            replicas,
            faults,
            crashes: 0,
        }
    }

    fn run(&mut self) {
        while self.now < self.end {
            let next = (0..self.replicas.len()).filter_map(|r| self.wake(r)).min();
            let Some(next) = next else { break };
            self.now = self.now.max(next);
            for r in 0..self.replicas.len() {
                if self.wake(r).is_some_and(|at| at <= self.now) {
                    self.step(r);
                }
            }
            self.check_leases();
        }
    }

    fn wake(&self, r: usize) -> Option<Instant> {
        let replica = &self.replicas[r];
        let fetch = replica
            .fetch
            .as_ref()
            .and_then(|f| f.op.as_ref().map(|(at, _)| *at).or(f.sleep_until));
        [Some(replica.next_demand), fetch, replica.lifecycle.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    fn step(&mut self, r: usize) {
        let now = self.now;
        self.replicas[r].lifecycle.handle_timeout(now);
        self.advance_fetch(r);
        if self.replicas[r].next_demand <= now {
            self.demand(r);
            self.replicas[r].next_demand = now + self.rng.millis(20, 3_000);
        }
    }

    fn demand(&mut self, r: usize) {
        let now = self.now;
        match self.replicas[r].lifecycle.poll_driver(now, now) {
            DriverStep::Ready { token, refresh } => {
                let expiry = self.issued[token.expose_secret()];
                assert!(
                    now < expiry,
                    "replica {r} handed out a token {:?} past its expiry",
                    now - expiry
                );
                if let Some(id) = refresh {
                    self.start_fetch(r, id);
                }
            }
            DriverStep::Fetch(id) => self.start_fetch(r, id),
            _ => {}
        }
    }

    fn start_fetch(&mut self, r: usize, id: FetchId) {
        let now = self.now;
        let replica = &mut self.replicas[r];
        let deadline = replica.lifecycle.fetch_deadline(id);
        let current = replica.lifecycle.snapshot().map(|s| s.token().clone());
        let machine = StoreFetch::new(
            self.policy.clone(),
            self.refresh.clone(),
            now,
            deadline,
            current,
            &replica.history,
        );
        replica.fetch = Some(Fetching {
            id,
            machine,
            op: None,
            sleep_until: None,
            lease: None,
        });
        self.advance_fetch(r);
    }

    /// Completes the operation due now, if any, then asks the machine for the next steps.
    fn advance_fetch(&mut self, r: usize) {
        let now = self.now;
        let Some(mut fetch) = self.replicas[r].fetch.take() else {
            return;
        };
        if let Some((at, op)) = fetch.op.take() {
            if at > now {
                fetch.op = Some((at, op));
                self.replicas[r].fetch = Some(fetch);
                return;
            }
            self.complete(r, &mut fetch, op);
        }
        if fetch.sleep_until.is_some_and(|t| t > now) {
            self.replicas[r].fetch = Some(fetch);
            return;
        }
        fetch.sleep_until = None;
        match fetch.machine.poll(now) {
            StoreStep::Done(result) => {
                let replica = &mut self.replicas[r];
                replica.history.merge(fetch.machine.history());
                replica.lifecycle.handle_response(now, fetch.id, result);
                return;
            }
            StoreStep::AwaitPublish { until } => fetch.sleep_until = Some(until),
            StoreStep::Fetch { timeout } => {
                if self.faults.crashes && fetch.machine.holds_lease() && self.rng.chance(50) {
                    // The lease holder dies mid-request: its lease stays until it expires.
                    self.crashes += 1;
                    let seed = self.rng.next();
                    self.replicas[r].lifecycle = TokenLifecycle::new(self.refresh.clone(), seed);
                    self.replicas[r].history = StoreHistory::new();
                    return;
                }
                // Now and then (with faults) the endpoint hangs past the request's deadline.
                let hang = self.faults.server_errors && self.rng.chance(10);
                let latency = if hang {
                    Duration::from_secs(600)
                } else {
                    self.rng.millis(5, 1_500)
                };
                self.requests += 1;
                let (at, result) = if latency > timeout {
                    (
                        now + timeout,
                        Err(Error::from(TransportError::new(TransportErrorKind::Timeout))),
                    )
                } else {
                    (now + latency, self.issue(now, latency))
                };
                fetch.op = Some((at, Op::Fetch { result }));
            }
            StoreStep::Read => fetch.op = Some((now + self.rng.millis(0, 5), Op::Read)),
            StoreStep::TryLease { ttl } => fetch.op = Some((now + self.rng.millis(0, 5), Op::Lease(ttl))),
            StoreStep::Publish {
                token,
                issued,
                expire_at,
            } => {
                fetch.op = Some((now + self.rng.millis(0, 5), Op::Publish(token, issued, expire_at)));
            }
            StoreStep::CoolDown { until } => fetch.op = Some((now + self.rng.millis(0, 5), Op::Cool(until))),
            StoreStep::Release => fetch.op = Some((now + self.rng.millis(0, 5), Op::Release)),
            other => panic!("unknown step {other:?}"),
        }
        self.replicas[r].fetch = Some(fetch);
    }

    /// The server's answer to a request sent at `sent` that takes `latency`.
    fn issue(&mut self, sent: Instant, latency: Duration) -> Result<AccessToken, Error> {
        if self.faults.server_errors && self.rng.chance(100) {
            let detail = learn_oauth_proto::UnstructuredBody::new(learn_oauth_proto::BodyKind::Empty);
            let status = if self.rng.chance(500) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let error = ServerError::new(status, ErrorDetail::Unstructured(detail))
                .with_retry_after(self.rng.millis(1_000, 20_000));
            return Err(Error::from(error));
        }
        let value = format!("tok{}", self.issued.len());
        // Issued halfway through the exchange; the client counts from the answer.
        self.issued.insert(value.clone(), sent + latency / 2 + LIFETIME);
        Ok(AccessToken::new(value, Scopes::new(), sent + latency, LIFETIME).expect("a token"))
    }

    fn complete(&mut self, r: usize, fetch: &mut Fetching, op: Op) {
        let now = self.now;
        if let Op::Fetch { result } = op {
            if let Some((from, ttl)) = fetch.lease {
                assert!(now <= from + ttl, "replica {r}'s request outlived its lease");
            }
            fetch.machine.handle_fetched(now, result);
            return;
        }
        if self.store.is_down(now) {
            fetch.machine.handle_store_error(now);
            return;
        }
        let origin = self.origin;
        let on_store_clock = |at: StoreTime| origin + Duration::from_millis(at.0);
        let store = &mut self.store;
        match op {
            Op::Read => {
                let clock = StoreTime(u64::try_from((now - origin).as_millis()).expect("ms"));
                let mut view = StoreView::new(Some(clock));
                if let Some((v, life, exp, issued)) = store.token.as_ref().filter(|t| t.2 > now) {
                    let token =
                        AccessToken::new(v.clone(), Scopes::new(), *exp - *life, *life).expect("a token");
                    view = view.with_token(token, *issued);
                }
                if let Some(until) = store.cool_until.filter(|&t| t > now) {
                    view = view.with_cool_down(until - now);
                }
                if store.lease.is_some_and(|(_, until)| until > now) {
                    view = view.with_lease_held();
                }
                fetch.machine.handle_read(now, view);
            }
            Op::Lease(ttl) => {
                let free = store.lease.is_none_or(|(_, until)| until <= now);
                if free {
                    store.lease = Some((r, now + ttl));
                    fetch.lease = Some((now, ttl));
                }
                fetch.machine.handle_lease(now, free);
            }
            Op::Publish(token, issued, expire_at) => {
                let value = token.expose_secret().to_owned();
                store.token = Some((value, token.lifetime(), on_store_clock(expire_at), issued));
                store.release(r);
                fetch.machine.handle_written(now);
            }
            Op::Cool(until) => {
                store.cool_until = Some(on_store_clock(until));
                store.release(r);
                fetch.machine.handle_written(now);
            }
            Op::Release => {
                store.release(r);
                fetch.machine.handle_written(now);
            }
            Op::Fetch { .. } => unreachable!(),
        }
        if !fetch.machine.holds_lease() {
            fetch.lease = None;
        }
    }

    fn check_leases(&self) {
        let live = self
            .replicas
            .iter()
            .filter_map(|r| r.fetch.as_ref())
            .filter(|f| f.machine.holds_lease())
            .filter(|f| f.lease.is_some_and(|(from, ttl)| from + ttl > self.now))
            .count();
        assert!(live <= 1, "{live} replicas believe they hold the lease");
    }

    /// The most requests a fault-free fleet may make: one per refresh period, plus one.
    fn request_bound(&self) -> usize {
        let period = LIFETIME - RefreshPolicy::default().refresh_ahead.min(LIFETIME / 2) * 6 / 5;
        (RUN.as_secs() / period.as_secs()) as usize + 2
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_fault_free_fleet_makes_one_request_per_refresh_period(seed in any::<u64>(), replicas in 2usize..10) {
        let faults = Faults { server_errors: false, store_outages: false, crashes: false };
        let mut sim = Sim::new(seed, replicas, faults);
        sim.run();
        let bound = sim.request_bound();
        prop_assert!(sim.requests <= bound, "{} requests for {replicas} replicas, bound {bound}", sim.requests);
        prop_assert!(sim.requests >= 15, "the run covered the periods: {} requests", sim.requests);
    }

    #[test]
    fn with_faults_no_expired_token_and_one_lease_holder(
        seed in any::<u64>(),
        replicas in 2usize..10,
        server_errors in any::<bool>(),
        store_outages in any::<bool>(),
        crashes in any::<bool>(),
    ) {
        let mut sim = Sim::new(seed, replicas, Faults { server_errors, store_outages, crashes });
        sim.run(); // the invariants are asserted inside, after every event
        // Without the store every replica would request once per period on its own.
        prop_assert!(sim.requests <= replicas * (sim.request_bound() + 2) * 4, "{} requests", sim.requests);
    }
}
