//! The fleet's cool-down as errors: the one a peer's marker stands for, and the one a
//! failure asks the fleet to observe.

use std::time::Duration;

use http::StatusCode;

use crate::error::{BodyKind, Error, ErrorDetail, ServerError, UnstructuredBody};

/// A peer's cool-down, as the error the lifecycle backs off on: the 429 with
/// `Retry-After` the peer got.
pub(super) fn cool_down_error(ttl: Duration) -> Error {
    let detail = ErrorDetail::Unstructured(UnstructuredBody::new(BodyKind::Empty));
    Error::from(ServerError::new(StatusCode::TOO_MANY_REQUESTS, detail).with_retry_after(ttl))
}

/// The cool-down the fleet should observe after `error`: a 429 or 503 with
/// `Retry-After`.
pub(super) fn fleet_cool_down(error: &Error) -> Option<Duration> {
    let server = error.server_error()?;
    let slow_down = matches!(
        server.status(),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    );
    server.retry_after().filter(|d| slow_down && !d.is_zero())
}
