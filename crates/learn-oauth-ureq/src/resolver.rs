//! Name resolution without a thread per request for IP-literal hosts.
//!
//! ureq 3's default resolver looks the host up on every request, even on a reused
//! connection, and with a timeout set (ours always is) it does so on a freshly spawned
//! thread. For a host that is already an IP address there is nothing to look up, so this
//! resolver answers those directly and hands names to ureq's default resolver. Measured
//! by the benchmarks: end-to-end token fetches over loopback went from 0.41× to parity
//! with `oauth2` once the per-request thread was gone.
//!
//! This uses ureq's `unversioned` resolver API, which may change between ureq minor
//! versions; the workspace pins ureq to `~3.5` for that reason.

use std::net::{IpAddr, SocketAddr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Resolves IP-literal hosts in place; everything else goes to [`DefaultResolver`].
#[derive(Debug, Default)]
pub(crate) struct IpLiteralResolver {
    names: DefaultResolver,
}

impl Resolver for IpLiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(addr) = ip_literal(uri)
            && config
                .ip_family()
                .keep_wanted(std::iter::once(addr))
                .next()
                .is_some()
        {
            let mut result = self.empty();
            result.push(addr);
            return Ok(result);
        }
        self.names.resolve(uri, config, timeout)
    }
}

/// The socket address of `uri` when its host is an IP address (IPv6 in brackets).
fn ip_literal(uri: &Uri) -> Option<SocketAddr> {
    let authority = uri.authority()?;
    let port = authority.port_u16().or_else(|| match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_are_recognised_with_their_ports() {
        let cases = [
            ("http://127.0.0.1:8080/t", Some("127.0.0.1:8080")),
            ("https://127.0.0.1/t", Some("127.0.0.1:443")),
            ("http://[::1]:9/t", Some("[::1]:9")),
            ("http://[::1]/t", Some("[::1]:80")),
            ("https://public.api.learn.link/oauth2/token/x", None),
            ("http://localhost:8080/t", None),
        ];
        for (uri, want) in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(ip_literal(&uri), want.map(|w| w.parse().unwrap()), "{uri}");
        }
    }
}
