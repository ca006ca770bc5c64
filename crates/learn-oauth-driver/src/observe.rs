//! What a provider did, as `tracing` events (feature `tracing`); the counters are in `stats.rs`.
//!
//! Every event is emitted from here, with target `learn_oauth`, so the rules hold in one
//! place: field names follow OpenTelemetry's HTTP client conventions where they fit
//! (`http.response.status_code`, `url.full` without its query, `server.address`), and no
//! event carries the client secret, a token, an `Authorization` header or a server's
//! text (errors are shown through their `Display`, which the core sanitises).
//!
//! | event | level |
//! |---|---|
//! | token request started (cold, retry, refresh ahead) | DEBUG |
//! | token request finished: status, duration, outcome class | DEBUG, WARN on failure |
//! | retry scheduled: delay, reason, `Retry-After` honoured | INFO |
//! | hold-off after a non-retryable failure or a round that gave up | WARN |
//! | stale token served while the endpoint fails | WARN |
//! | request abandoned (task cancelled) | DEBUG |
//! | token invalidated (the resource answered 401) | INFO |
//! | middleware or layer retried a request after a 401 | INFO |
//! | shared store: how a request went (adopted, leased, alone, cooled down) | DEBUG |
//! | shared store: an operation failed, the breaker opened | WARN |
//! | shared store: a stored value was refused (wrong key, tampered, malformed) | WARN |

use std::time::{Duration, Instant};

use learn_oauth_proto::{ClientConfig, Error, ResponseOutcome};

#[cfg(feature = "tracing")]
use crate::stats::FailureClass;

/// A token request has started.
#[inline]
pub(crate) fn fetch_started(config: &ClientConfig, refresh_ahead: bool, attempt: u32) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::DEBUG,
        url.full = %UriWithoutQuery(config.token_uri()),
        server.address = config.token_uri().host().unwrap_or(""),
        learn_oauth.tenant_id = config.tenant_id(),
        learn_oauth.refresh_ahead = refresh_ahead,
        learn_oauth.attempt = attempt,
        "token request started"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (config, refresh_ahead, attempt);
}

/// A token request has finished with `result` after `took`, and the lifecycle decided
/// `outcome`; `stale` says whether the current token is now served stale.
#[inline]
pub(crate) fn fetch_finished(
    config: &ClientConfig,
    result: &Result<(), &Error>,
    took: Duration,
    outcome: ResponseOutcome,
    now: Instant,
    stale: bool,
) {
    #[cfg(feature = "tracing")]
    {
        let millis = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(()) => tracing::event!(
                target: "learn_oauth",
                tracing::Level::DEBUG,
                url.full = %UriWithoutQuery(config.token_uri()),
                server.address = config.token_uri().host().unwrap_or(""),
                learn_oauth.tenant_id = config.tenant_id(),
                learn_oauth.duration_ms = millis,
                learn_oauth.outcome = "ok",
                "token request succeeded"
            ),
            Err(error) => tracing::event!(
                target: "learn_oauth",
                tracing::Level::WARN,
                url.full = %UriWithoutQuery(config.token_uri()),
                server.address = config.token_uri().host().unwrap_or(""),
                learn_oauth.tenant_id = config.tenant_id(),
                http.response.status_code = error.status().map(|s| s.as_u16()),
                learn_oauth.duration_ms = millis,
                learn_oauth.outcome = FailureClass::of(error).as_str(),
                error = %error,
                "token request failed"
            ),
        }
        let reason = result.err().map(|e| FailureClass::of(e).as_str());
        match outcome {
            ResponseOutcome::RetryScheduled {
                at,
                failures,
                retry_after_honoured,
            } => tracing::event!(
                target: "learn_oauth",
                tracing::Level::INFO,
                learn_oauth.tenant_id = config.tenant_id(),
                learn_oauth.retry.delay_ms = at.map(|at| millis_between(now, at)),
                learn_oauth.retry.reason = reason,
                learn_oauth.retry.retry_after_honoured = retry_after_honoured,
                learn_oauth.attempt = failures,
                "token request retry scheduled"
            ),
            ResponseOutcome::HeldOff { until, gave_up } => tracing::event!(
                target: "learn_oauth",
                tracing::Level::WARN,
                learn_oauth.tenant_id = config.tenant_id(),
                learn_oauth.hold_off_ms = until.map(|until| millis_between(now, until)),
                learn_oauth.gave_up = gave_up,
                learn_oauth.retry.reason = reason,
                "token requests held off"
            ),
            _ => {}
        }
        if stale {
            tracing::event!(
                target: "learn_oauth",
                tracing::Level::WARN,
                learn_oauth.tenant_id = config.tenant_id(),
                "refresh failed: serving the current token stale until it can be refreshed"
            );
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (config, result, took, outcome, now, stale);
}

/// A request was abandoned (its task cancelled).
#[inline]
pub(crate) fn abandoned(config: &ClientConfig) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::DEBUG,
        learn_oauth.tenant_id = config.tenant_id(),
        "token request abandoned"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = config;
}

/// `invalidate` dropped the current token.
#[inline]
pub(crate) fn invalidated(config: &ClientConfig) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::INFO,
        learn_oauth.tenant_id = config.tenant_id(),
        "token invalidated: the resource refused it"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = config;
}

/// A middleware or layer is sending a request again with a new token after a 401 from
/// the resource at `uri` (shown without its query).
#[inline]
pub(crate) fn retrying_after_401(uri: &http::Uri) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::INFO,
        url.full = %UriWithoutQuery(uri),
        server.address = uri.host().unwrap_or(""),
        http.response.status_code = 401u16,
        "resource refused the token: retrying once with a new one"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = uri;
}

#[cfg(feature = "tracing")]
fn millis_between(from: Instant, to: Instant) -> u64 {
    u64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(u64::MAX)
}

/// A URI shown as scheme, authority without userinfo, and path: never its query.
#[cfg(feature = "tracing")]
struct UriWithoutQuery<'a>(&'a http::Uri);

#[cfg(feature = "tracing")]
impl std::fmt::Display for UriWithoutQuery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let uri = self.0;
        if let Some(scheme) = uri.scheme_str() {
            write!(f, "{scheme}://")?;
        }
        if let Some(authority) = uri.authority() {
            let host_port = authority.as_str().rsplit('@').next().unwrap_or("");
            f.write_str(host_port)?;
        }
        f.write_str(uri.path())
    }
}

/// A request through the shared store ended with `outcome`.
#[cfg(feature = "store")]
#[inline]
pub(crate) fn store_outcome(config: &ClientConfig, outcome: learn_oauth_proto::store::StoreOutcome) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::DEBUG,
        learn_oauth.tenant_id = config.tenant_id(),
        learn_oauth.store_outcome = ?outcome,
        "shared store request finished"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (config, outcome);
}

/// A store operation failed (`opened`: and this opened the breaker).
#[cfg(feature = "store")]
#[inline]
pub(crate) fn store_failed(config: &ClientConfig, error: &dyn std::fmt::Display, opened: bool) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::WARN,
        learn_oauth.tenant_id = config.tenant_id(),
        error = %error,
        learn_oauth.breaker_opened = opened,
        "shared store operation failed; requesting without it"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (config, error, opened);
}

/// A stored token value was refused, for `reason` (it is a miss). The value is never
/// traced.
#[cfg(feature = "store")]
#[inline]
pub(crate) fn store_value_refused(config: &ClientConfig, reason: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::WARN,
        learn_oauth.tenant_id = config.tenant_id(),
        learn_oauth.reason = reason,
        "shared store value refused"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (config, reason);
}

/// A stored cool-down marker was ignored, for `reason`.
#[cfg(feature = "store")]
#[inline]
pub(crate) fn store_cool_down_ignored(config: &ClientConfig, reason: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::event!(
        target: "learn_oauth",
        tracing::Level::WARN,
        learn_oauth.tenant_id = config.tenant_id(),
        learn_oauth.reason = reason,
        "shared store cool-down ignored"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (config, reason);
}
