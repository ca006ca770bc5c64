//! What the transport adapters share that is not I/O: the settings of the HTTP client
//! they build, the root certificates it trusts, and the machinery of a token provider —
//! one [`TokenLifecycle`](crate::TokenLifecycle) shared by many callers.
//!
//! A provider built on these pieces has one loop per caller, and only the waiting is its
//! own (a Tokio `Notify`, a `Condvar`), as is the clock:
//!
//! ```text
//! token():  fresh_token(now)?  ──yes──> hand it out (lock-free)
//!               │ no
//!               v
//!           poll_driver(now) ─ Ready ──> hand it out (start the refresh, if any)
//!               ^     │      ─ Failed ─> return the error
//!               │     │      ─ Fetch ──> start the request with a FetchReport
//!               │     │      ─ Sleep ──> sleep until the deadline or a report
//!               │     └───── ─ Await ──> wait for a report, at most until the deadline
//!               └──────────── ask again
//!
//! request:  transport.send(config.token_request()) ─> FetchReport::send(result)
//!           (or the report is dropped: reported as a failed request)
//!           ─> handle_response(now, ..) publishes the snapshot ─> wake_waiters()
//! ```
//!
//! The core still reads no clock and starts nothing: the time comes from the driver
//! ([`DriverHooks::now`]), as do the threads and tasks requests run on.

mod options;
mod report;
mod roots;
mod settings;
mod shared;

pub use options::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, RootCertificate, TransportOptions};
pub use report::{DriverHooks, FetchReport};
pub use roots::{PemError, RootCertificateError};
pub use settings::ProviderSettings;
pub use shared::SharedLifecycle;
