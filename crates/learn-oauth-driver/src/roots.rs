//! Root certificates as given (PEM bundles, DER certificates) turned into the DER list a
//! TLS library trusts, with an error that names the entry at fault.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use super::options::{RootCertificate, TransportOptions};

/// Why the root certificates of a [`TransportOptions`] cannot be trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootCertificateError {
    /// A PEM bundle given to [`TransportOptions::add_root_certificates_pem`] does not
    /// parse.
    #[error("root certificate #{index} is not valid pem")]
    InvalidPem {
        /// Zero-based position among the added roots.
        index: usize,
        /// What the PEM parser said.
        #[source]
        source: PemError,
    },
    /// A root certificate entry holds no certificate (an empty PEM bundle).
    #[error("root certificate #{index} holds no certificate")]
    NoCertificate {
        /// Zero-based position among the added roots.
        index: usize,
    },
    /// The TLS library refused a root certificate (not a parsable X.509 certificate).
    #[error("root certificate #{index} was refused")]
    InvalidCertificate {
        /// Zero-based position among the added roots.
        index: usize,
        /// What the transport's TLS library said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// Built-in roots were turned off and no root was added: nothing could be trusted.
    #[error("no root certificates: built-in roots are off and none were added")]
    NoRootCertificates,
}

/// Why a PEM bundle does not parse (the source of
/// [`RootCertificateError::InvalidPem`]). Opaque, so the PEM parser this crate uses is not
/// part of its API; its `Display` is the parser's message.
#[derive(Debug)]
pub struct PemError(rustls_pki_types::pem::Error);

impl std::fmt::Display for PemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for PemError {}

impl TransportOptions {
    /// Hands every added root certificate, DER-encoded, to `trust` in the order given:
    /// one for a DER entry, every `CERTIFICATE` section of a PEM bundle. Stops at the
    /// first entry that does not parse or that `trust` refuses.
    ///
    /// # Errors
    ///
    /// A PEM bundle that does not parse or holds no certificate, a certificate `trust`
    /// refuses, or nothing to trust at all (built-in roots off and no root added).
    ///
    /// ```
    /// # use learn_oauth_driver::{RootCertificateError, TransportOptions};
    /// let options = TransportOptions::new()
    ///     .with_built_in_roots(false)
    ///     .add_root_certificate_der(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
    /// let mut trusted = Vec::new();
    /// options.for_each_root_der(|der| {
    ///     trusted.push(der);
    ///     Ok::<_, std::convert::Infallible>(())
    /// })?;
    /// assert_eq!(trusted, [vec![0x30, 0x03, 0x02, 0x01, 0x01]]);
    ///
    /// let empty = TransportOptions::new().add_root_certificates_pem("");
    /// let error = empty.for_each_root_der(|_| Ok::<_, std::convert::Infallible>(()));
    /// assert!(matches!(error, Err(RootCertificateError::NoCertificate { index: 0 })));
    /// # Ok::<(), RootCertificateError>(())
    /// ```
    pub fn for_each_root_der<E>(
        &self,
        mut trust: impl FnMut(Vec<u8>) -> Result<(), E>,
    ) -> Result<(), RootCertificateError>
    where
        E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    {
        let mut trusted = 0_usize;
        for (index, root) in self.root_certificates().iter().enumerate() {
            for der in certificates(index, root)? {
                trust(der).map_err(|source| RootCertificateError::InvalidCertificate {
                    index,
                    source: source.into(),
                })?;
                trusted += 1;
            }
        }
        if trusted == 0 && !self.built_in_roots() {
            return Err(RootCertificateError::NoRootCertificates);
        }
        Ok(())
    }
}

/// The certificates in root number `index`: one for DER, every section for PEM.
fn certificates(index: usize, root: &RootCertificate) -> Result<Vec<Vec<u8>>, RootCertificateError> {
    let pem = match root {
        RootCertificate::Der(der) => return Ok(vec![der.clone()]),
        RootCertificate::Pem(pem) => pem,
    };
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
        .map(|cert| cert.map(|cert| cert.as_ref().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|source| RootCertificateError::InvalidPem {
            index,
            source: PemError(source),
        })?;
    if certs.is_empty() {
        return Err(RootCertificateError::NoCertificate { index });
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_bundle_that_is_not_pem_names_its_entry_and_keeps_the_parser_message_as_source() {
        let options = TransportOptions::new()
            .add_root_certificate_der(vec![0x30, 0x03, 0x02, 0x01, 0x01])
            .add_root_certificates_pem("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
        let error = options
            .for_each_root_der(|_| Ok::<_, Infallible>(()))
            .expect_err("not pem");
        assert!(
            matches!(error, RootCertificateError::InvalidPem { index: 1, .. }),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "root certificate #1 is not valid pem");
        let source = error.source().expect("the parser's error");
        assert!(source.is::<PemError>());
        assert!(!source.to_string().is_empty());
    }
}
