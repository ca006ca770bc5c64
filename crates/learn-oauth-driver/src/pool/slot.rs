//! What the pool's table holds for a key: a resolved provider with a copy of its
//! snapshot for the warm path, or an entry a resolver fills.

use std::sync::Arc;
use std::time::Instant;

use learn_oauth_proto::{AccessToken, Snapshot};

use super::error::PoolError;
use crate::provider::Provider;
use crate::runtime::Flavor;
use crate::runtime::imp::FlavorImpl;
use crate::usage::Usage;

/// What the table holds for a key: the provider itself once resolved (so a warm hit goes
/// from the table straight to the provider), or the entry a resolver fills.
pub(crate) enum Slot<F: Flavor> {
    /// Inserted, or resolved and promoted.
    Ready(Ready<F>),
    /// Being resolved, resolved but not yet promoted, or its resolver failed.
    Pending(Arc<Entry<F>>),
}

impl<F: Flavor> Clone for Slot<F> {
    fn clone(&self) -> Self {
        match self {
            Self::Ready(ready) => Self::Ready(ready.clone()),
            Self::Pending(entry) => Self::Pending(Arc::clone(entry)),
        }
    }
}

/// A resolved key: its provider, with a copy of the provider's published snapshot for
/// the warm path, inline in the table (the token handle, its freshness, its staleness:
/// no pointer to follow to a snapshot, one cache line fewer for a hit). While the
/// provider's generation is the one the copy was taken at, the copy is the provider's
/// current snapshot, so a warm hit reads it from the table (one atomic load of the
/// generation) instead of loading the provider's own `ArcSwap` a second time. When the
/// generation has moved on (a token arrived, a refresh started, a token was invalidated,
/// through the pool or through a handle), the hit goes the slow way, through the
/// provider, and the slow path puts a new copy in the table.
pub(crate) struct Ready<F: Flavor> {
    pub(crate) provider: Provider<F>,
    generation: u64,
    copy: Option<SnapshotCopy>,
}

/// What the warm path reads of a snapshot: [`Snapshot`]'s three fields.
#[derive(Clone)]
struct SnapshotCopy {
    token: AccessToken,
    fresh_until: Instant,
    stale: bool,
}

impl<F: Flavor> Clone for Ready<F> {
    fn clone(&self) -> Self {
        Self {
            provider: self.provider.clone(),
            generation: self.generation,
            copy: self.copy.clone(),
        }
    }
}

impl<F: Flavor> Ready<F> {
    /// `provider` with a copy of its current snapshot.
    pub(crate) fn new(provider: Provider<F>) -> Self {
        let (generation, snapshot) = provider.snapshot_copy();
        Self {
            provider,
            generation,
            copy: snapshot.as_deref().map(|s: &Snapshot| SnapshotCopy {
                token: s.token().clone(),
                fresh_until: s.fresh_until(),
                stale: s.is_stale(),
            }),
        }
    }

    /// Whether the copy would answer the warm path at `now` (current or not).
    pub(crate) fn copy_fresh_at(&self, now: Instant) -> bool {
        self.copy.as_ref().is_some_and(|copy| now < copy.fresh_until)
    }

    /// The warm path from the copy: its token if the copy is current and fresh at `now`
    /// (the test of [`Snapshot::token_if_fresh`]; a stale serve is counted as the
    /// provider counts it).
    #[inline]
    pub(crate) fn fresh_token(&self, now: Instant) -> Option<AccessToken> {
        let copy = self.copy.as_ref()?;
        if self.provider.generation() != self.generation || now >= copy.fresh_until {
            return None;
        }
        if copy.stale {
            self.provider.count_stale_serve();
        }
        Some(copy.token.clone())
    }

    /// Whether the copy is out of date: `provider` has published since it was taken.
    pub(crate) fn outdated(&self, provider: &Provider<F>) -> bool {
        self.provider.is(provider) && self.generation != provider.generation()
    }
}

impl<F: Flavor> Slot<F> {
    /// The provider, once there is one.
    #[inline]
    pub(crate) fn provider(&self) -> Option<&Provider<F>> {
        match self {
            Self::Ready(ready) => Some(&ready.provider),
            Self::Pending(entry) => match F::once_get(&entry.slot) {
                Some(Ok(provider)) => Some(provider),
                _ => None,
            },
        }
    }

    #[inline]
    pub(crate) fn usage(&self) -> &Usage {
        match self {
            Self::Ready(ready) => ready.provider.usage(),
            Self::Pending(entry) => &entry.usage,
        }
    }

    /// Marks the slot used (a read, and a write only if unset).
    #[inline]
    pub(crate) fn touch(&self) {
        self.usage().touch();
    }

    /// Whether the slot may be dropped now: nothing but the map holds it or its provider.
    pub(crate) fn evictable(&self) -> bool {
        match self {
            Self::Ready(ready) => !ready.provider.is_shared(),
            Self::Pending(entry) => {
                Arc::strong_count(entry) == 1
                    && match F::once_get(&entry.slot) {
                        Some(Ok(provider)) => !provider.is_shared(),
                        Some(Err(_)) => true,
                        None => false, // being resolved
                    }
            }
        }
    }
}

/// A key the resolver fills: its provider once resolved (or why it could not be).
pub(crate) struct Entry<F: Flavor> {
    pub(crate) slot: <F as FlavorImpl>::Once<Result<Provider<F>, PoolError>>,
    pub(crate) created: Instant,
    pub(crate) usage: Usage,
}
