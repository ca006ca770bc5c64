//! The blocking flavour's bound on a pool's token requests in flight: a first come,
//! first served queue of parked threads.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::Thread;
use std::time::Instant;

/// At most `max` token requests in flight; the rest wait in line, each until its own
/// deadline. A freed slot goes straight to the thread first in line.
// `pub`: the sealed `FlavorImpl` names it, and its items must be public; this module is
// private, so users cannot name it.
#[allow(unreachable_pub)]
pub struct FetchSlots {
    max: usize,
    state: Mutex<State>,
}

struct State {
    in_flight: usize,
    line: VecDeque<Arc<Waiter>>,
}

/// A thread in line, and whether a slot has been handed to it.
struct Waiter {
    thread: Thread,
    granted: AtomicBool,
}

/// A slot taken: freed when dropped (after the request has been reported, or when its
/// thread unwinds).
pub(crate) struct Slot {
    slots: Arc<FetchSlots>,
}

impl FetchSlots {
    /// `max` slots (at least 1).
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            state: Mutex::new(State {
                in_flight: 0,
                line: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot: at once if one is free and nobody is in line, else when the threads
    /// ahead have had theirs and one frees. `None` once `deadline` has passed without
    /// one, on the clock `now` reads (`None` deadline: wait as long as it takes).
    pub(crate) fn acquire(
        self: &Arc<Self>,
        now: impl Fn() -> Instant,
        deadline: Option<Instant>,
    ) -> Option<Slot> {
        let waiter = {
            let mut state = self.lock();
            if state.in_flight < self.max && state.line.is_empty() {
                state.in_flight += 1;
                return Some(self.slot());
            }
            let waiter = Arc::new(Waiter {
                thread: std::thread::current(),
                granted: AtomicBool::new(false),
            });
            state.line.push_back(Arc::clone(&waiter));
            waiter
        };
        loop {
            if waiter.granted.load(Ordering::Acquire) {
                return Some(self.slot());
            }
            let now = now();
            match deadline {
                Some(deadline) if now >= deadline => {
                    let mut state = self.lock();
                    // Handed a slot between the check and the lock: take it.
                    if waiter.granted.load(Ordering::Acquire) {
                        return Some(self.slot());
                    }
                    state.line.retain(|w| !Arc::ptr_eq(w, &waiter));
                    return None;
                }
                Some(deadline) => std::thread::park_timeout(deadline.saturating_duration_since(now)),
                None => std::thread::park(),
            }
        }
    }

    fn slot(self: &Arc<Self>) -> Slot {
        Slot {
            slots: Arc::clone(self),
        }
    }

    /// Hands a freed slot to the first thread in line, or frees it.
    fn release(&self) {
        let mut state = self.lock();
        match state.line.pop_front() {
            Some(next) => {
                next.granted.store(true, Ordering::Release);
                next.thread.unpark();
            }
            None => state.in_flight = state.in_flight.saturating_sub(1),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.release();
    }
}

impl fmt::Debug for FetchSlots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("FetchSlots")
            .field("max", &self.max)
            .field("in_flight", &state.in_flight)
            .field("waiting", &state.line.len())
            .finish()
    }
}
