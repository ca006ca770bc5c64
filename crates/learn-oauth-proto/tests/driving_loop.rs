//! A whole blocking driver around the lifecycle on a virtual clock, as a user's own loop
//! drives it: a token endpoint that fails once, a retry after the backoff, the token
//! served from the machine, then served while its refresh runs, then the new one.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use learn_oauth_proto::{
    AccessToken, DriverStep, Error, RefreshPolicy, Scopes, TokenLifecycle, TransportError, TransportErrorKind,
};

/// One caller's request for a token; `send` does the HTTP exchange and parsing.
fn token(
    lifecycle: &mut TokenLifecycle,
    clock: &mut Instant,
    send: &mut impl FnMut(Instant) -> Result<AccessToken, Error>,
) -> Result<AccessToken, Error> {
    let since = *clock;
    loop {
        match lifecycle.poll_driver(*clock, since) {
            DriverStep::Ready { token, refresh } => {
                if let Some(fetch) = refresh {
                    let result = send(*clock);
                    lifecycle.handle_response(*clock, fetch, result);
                }
                return Ok(token);
            }
            DriverStep::Failed(error) => return Err(error),
            DriverStep::Fetch(fetch) => {
                let result = send(*clock);
                *clock += Duration::from_millis(50);
                lifecycle.handle_response(*clock, fetch, result);
            }
            DriverStep::AwaitFetch(_) => panic!("single-threaded: nothing else in flight"),
            DriverStep::Sleep(until) => *clock = until,
        }
    }
}

#[test]
fn a_blocking_driver_retries_a_failure_and_refreshes_ahead() -> Result<(), Error> {
    let mut clock = Instant::now();
    let mut lifecycle = TokenLifecycle::new(RefreshPolicy::default(), 7);
    let mut requests = 0;
    let mut send = |now: Instant| {
        requests += 1;
        if requests == 1 {
            return Err(Error::from(TransportError::new(TransportErrorKind::Connect)));
        }
        Ok(AccessToken::new(
            format!("t{requests}"),
            Scopes::new(),
            now,
            Duration::from_secs(3600),
        )
        .expect("a valid token"))
    };

    let first = token(&mut lifecycle, &mut clock, &mut send)?;
    let again = token(&mut lifecycle, &mut clock, &mut send)?;
    assert!(again.same_as(&first), "served from the machine");
    clock = lifecycle.poll_timeout().expect("the refresh point");
    lifecycle.handle_timeout(clock);
    let still = token(&mut lifecycle, &mut clock, &mut send)?;
    assert!(still.same_as(&first), "the old token while the refresh runs");
    let fresh = token(&mut lifecycle, &mut clock, &mut send)?;
    assert!(!fresh.same_as(&first));
    assert_eq!(requests, 3);
    Ok(())
}
