//! How recently a pool entry was used: the flag a warm hit sets and the time the idle
//! and LRU sweeps read. A provider keeps one beside its snapshot generation, in the cache
//! line a pool's warm hit touches anyway.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// How recently a slot was used, for idle and LRU eviction.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// Asked for since the last sweep: set by `token()`, cleared by the sweeps that move
    /// it into `last_used`.
    used: AtomicBool,
    /// When a sweep last saw it used (or when it was made): whole seconds since the
    /// pool's epoch.
    last_used: AtomicU64,
}

impl Usage {
    /// Marks it used (a read, and a write only if unset: a warm hit stays read-only
    /// once the flag is up).
    #[inline]
    pub(crate) fn touch(&self) {
        if !self.used.load(Relaxed) {
            self.used.store(true, Relaxed);
        }
    }

    /// When a sweep last saw it used, in seconds since the pool's epoch.
    pub(crate) fn last_used(&self) -> u64 {
        self.last_used.load(Relaxed)
    }

    /// Records `seconds` as the last use.
    pub(crate) fn set_last_used(&self, seconds: u64) {
        self.last_used.store(seconds, Relaxed);
    }

    /// Moves the used flag into the last use (`now`, seconds): what a sweep does.
    pub(crate) fn sweep(&self, now: u64) {
        if self.used.swap(false, Relaxed) {
            self.last_used.store(now, Relaxed);
        }
    }

    /// Copies `other`'s state into this one (a resolved entry hands its use over to
    /// its provider).
    pub(crate) fn take_over(&self, other: &Usage) {
        self.last_used.store(other.last_used.load(Relaxed), Relaxed);
        self.used.store(other.used.load(Relaxed), Relaxed);
    }
}
