pub use learn_oauth_proto::{DriverStep, FetchId, ResponseOutcome, Snapshot, TokenPoll};

/// The token state machine, for a loop of your own.
///
/// Here is a whole blocking driver on a fake clock, with a token endpoint that fails
/// once:
///
/// ```
/// # #![allow(clippy::disallowed_methods)]
/// use std::time::{Duration, Instant};
/// use learn_oauth::config::Scopes;
/// use learn_oauth::error::{TransportError, TransportErrorKind};
/// use learn_oauth::lifecycle::{DriverStep, TokenLifecycle};
/// use learn_oauth::{AccessToken, Error, RefreshPolicy};
///
/// /// One caller's request for a token; `send` does the HTTP exchange and parsing.
/// fn token(
///     lifecycle: &mut TokenLifecycle,
///     clock: &mut Instant,
///     send: &mut impl FnMut(Instant) -> Result<AccessToken, Error>,
/// ) -> Result<AccessToken, Error> {
///     let since = *clock; // this call's start: its wait ends `max_wait` after it
///     loop {
///         match lifecycle.poll_driver(*clock, since) {
///             DriverStep::Ready { token, refresh } => {
///                 if let Some(fetch) = refresh {
///                     // Real drivers run this in the background.
///                     let result = send(*clock);
///                     lifecycle.handle_response(*clock, fetch, result);
///                 }
///                 return Ok(token);
///             }
///             DriverStep::Failed(error) => return Err(error),
///             DriverStep::Fetch(fetch) => {
///                 let result = send(*clock);
///                 *clock += Duration::from_millis(50); // the request takes a while
///                 lifecycle.handle_response(*clock, fetch, result);
///             }
///             DriverStep::AwaitFetch(_) => unreachable!("single-threaded: nothing else in flight"),
///             DriverStep::Sleep(until) => *clock = until, // a real driver sleeps
///         }
///     }
/// }
///
/// let mut clock = Instant::now();
/// let mut lifecycle = TokenLifecycle::new(RefreshPolicy::default(), 7);
/// let mut requests = 0;
/// let mut send = |now: Instant| {
///     requests += 1;
///     if requests == 1 {
///         return Err(Error::from(TransportError::new(TransportErrorKind::Connect)));
///     }
///     Ok(AccessToken::new(format!("t{requests}"), Scopes::new(), now, Duration::from_secs(3600))
///         .expect("valid"))
/// };
///
/// let first = token(&mut lifecycle, &mut clock, &mut send)?;      // fails, backs off, retries
/// let again = token(&mut lifecycle, &mut clock, &mut send)?;      // served from the machine
/// assert!(again.same_as(&first));
/// clock = lifecycle.poll_timeout().expect("the refresh point");   // an hour later, nearly
/// lifecycle.handle_timeout(clock);
/// let still = token(&mut lifecycle, &mut clock, &mut send)?;      // old token, refresh started
/// assert!(still.same_as(&first));
/// let fresh = token(&mut lifecycle, &mut clock, &mut send)?;
/// assert!(!fresh.same_as(&first));
/// assert_eq!(requests, 3);
/// # Ok::<(), Error>(())
/// ```
pub use learn_oauth_proto::TokenLifecycle;
