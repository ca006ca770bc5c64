//! The connect phase, marked: an I/O failure while ureq connects (TCP, and the TLS
//! handshake, which ureq completes in its connector) is told apart from one on an
//! established connection, so a server that drops the handshake is a connect error, as
//! it is for the async transport.

use std::fmt;
use std::io;

use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport};

/// Wraps a connector chain; an [`io::Error`] from it comes out carrying [`InConnect`].
#[derive(Debug)]
pub(crate) struct ConnectPhase<C>(pub(crate) C);

impl<In: Transport, C: Connector<In>> Connector<In> for ConnectPhase<C> {
    type Out = C::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<C::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(|error| match error {
            // A TLS library's verdict stays what it is (a certificate, a protocol error).
            ureq::Error::Io(io) if !io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
                ureq::Error::Io(io::Error::new(io.kind(), InConnect(io)))
            }
            other => other,
        })
    }
}

/// Marks an I/O error that happened while connecting; its source is the error itself.
#[derive(Debug)]
pub(crate) struct InConnect(io::Error);

impl fmt::Display for InConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connecting failed: {}", self.0)
    }
}

impl std::error::Error for InConnect {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
