//! A [`TokenSource`] and [`BlockingTokenSource`] for your own unit tests: no server, no clock, scripted answers.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use learn_oauth_proto::{AccessToken, Error, Scopes};

use crate::source::{BlockingTokenSource, TokenSource};

/// A scripted [`TokenSource`] and [`BlockingTokenSource`], like Go's `oauth2.StaticTokenSource` with a script and
/// counters: hand it to the code under test (or to the middleware or layer in front of
/// it) and check what it asked for. Cheap to clone; clones share the script and the
/// counters.
///
/// Each `token()` call takes the next scripted answer; when the script runs out, it keeps
/// answering the fallback token. An `invalidate` of the current token moves on to the
/// next token value (`<fallback>-2`, `-3`, …) so a retry gets a different token, as a
/// real provider's would.
#[derive(Clone)]
pub struct FakeTokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    fallback: String,
    lifetime: Duration,
    state: Mutex<State>,
    token_calls: AtomicUsize,
    invalidations: AtomicUsize,
}

struct State {
    script: VecDeque<Result<String, Error>>,
    /// The token handed out while no script is left, once made.
    fallback: Option<AccessToken>,
    /// The token handed out last.
    last: Option<AccessToken>,
    /// How many fallback tokens were made.
    generation: usize,
}

impl FakeTokenSource {
    /// Answers every `token()` with a bearer token whose value is `token` (and after each
    /// invalidation, `token-2`, `token-3`, …), valid for an hour.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(Inner {
                fallback: token.into(),
                lifetime: Duration::from_secs(3600),
                state: Mutex::new(State {
                    script: VecDeque::new(),
                    fallback: None,
                    last: None,
                    generation: 0,
                }),
                token_calls: AtomicUsize::new(0),
                invalidations: AtomicUsize::new(0),
            }),
        }
    }

    /// Queues `error` as the answer to the next unanswered `token()` call.
    #[must_use]
    pub fn then_error(self, error: Error) -> Self {
        self.lock().script.push_back(Err(error));
        self
    }

    /// Queues a token with value `token` as the answer to the next unanswered `token()`.
    #[must_use]
    pub fn then_token(self, token: impl Into<String>) -> Self {
        self.lock().script.push_back(Ok(token.into()));
        self
    }

    /// How many times `token()` was called.
    #[must_use]
    pub fn token_calls(&self) -> usize {
        self.inner.token_calls.load(Relaxed)
    }

    /// How many `invalidate` calls dropped the current token.
    #[must_use]
    pub fn invalidations(&self) -> usize {
        self.inner.invalidations.load(Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next(&self) -> Result<AccessToken, Error> {
        self.inner.token_calls.fetch_add(1, Relaxed);
        let mut state = self.lock();
        let make = |value: String| {
            AccessToken::new(value, Scopes::new(), Instant::now(), self.inner.lifetime)
                .expect("an hour-long token is valid")
        };
        let token = match state.script.pop_front() {
            Some(answer) => make(answer?),
            None => match &state.fallback {
                Some(token) => token.clone(),
                None => {
                    state.generation += 1;
                    let value = match state.generation {
                        1 => self.inner.fallback.clone(),
                        n => format!("{}-{n}", self.inner.fallback),
                    };
                    state.fallback.insert(make(value)).clone()
                }
            },
        };
        state.last = Some(token.clone());
        Ok(token)
    }

    /// Drops `token` if it is the last or the fallback token; whether it was.
    fn drop_token(&self, token: &AccessToken) -> bool {
        let mut guard = self.lock();
        let state = &mut *guard;
        let mut dropped = false;
        for slot in [&mut state.last, &mut state.fallback] {
            if slot.as_ref().is_some_and(|t| t.same_as(token)) {
                *slot = None;
                dropped = true;
            }
        }
        if dropped {
            self.inner.invalidations.fetch_add(1, Relaxed);
        }
        dropped
    }
}

impl TokenSource for FakeTokenSource {
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> + Send {
        std::future::ready(self.next())
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        self.drop_token(token)
    }
}

impl BlockingTokenSource for FakeTokenSource {
    fn token(&self) -> Result<AccessToken, Error> {
        self.next()
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        self.drop_token(token)
    }
}

impl fmt::Debug for FakeTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTokenSource")
            .field("token_calls", &self.token_calls())
            .field("invalidations", &self.invalidations())
            .finish_non_exhaustive()
    }
}
