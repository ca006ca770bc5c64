//! Root certificates for `rediss://` (feature `tls`).

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::error::RedisConfigError;

/// CA certificates in PEM, checked to hold at least one certificate that parses.
#[derive(Clone)]
pub(crate) struct RootCertificates(Vec<u8>);

impl RootCertificates {
    /// `pem` if it holds one or more certificates and nothing that fails to parse.
    pub(crate) fn parse(pem: &[u8]) -> Result<Self, RedisConfigError> {
        let mut count = 0_usize;
        for certificate in CertificateDer::pem_slice_iter(pem) {
            if certificate.is_err() {
                return Err(RedisConfigError::certificates(
                    "the root certificates are not valid pem",
                    None,
                ));
            }
            count += 1;
        }
        if count == 0 {
            return Err(RedisConfigError::certificates(
                "no certificate in the root certificates' pem",
                None,
            ));
        }
        Ok(Self(pem.to_vec()))
    }

    /// A client for `info` (a `rediss://` node) that trusts these certificates only.
    pub(crate) fn client(&self, info: redis::ConnectionInfo) -> Result<redis::Client, RedisConfigError> {
        if !matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. }) {
            return Err(RedisConfigError::certificates(
                "root certificates for a url without tls (redis:// rather than rediss://)",
                None,
            ));
        }
        let certificates = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(self.0.clone()),
        };
        redis::Client::build_with_tls(info, certificates).map_err(|error| {
            RedisConfigError::certificates("a root certificate is not a usable trust anchor", Some(error))
        })
    }
}
