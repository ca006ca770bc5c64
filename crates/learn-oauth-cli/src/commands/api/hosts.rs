//! Which hosts `api` sends the token to: the API host (the token URL's scheme, host and
//! port) and the hosts named with `--allow-host`.

use http::Uri;

/// Whether `uri` has the scheme, host and port of `base` (`scheme://host[:port]`), the
/// default port standing for a missing one.
pub(super) fn same_origin(uri: &Uri, base: &str) -> bool {
    let Ok(base) = base.parse::<Uri>() else {
        return false;
    };
    let port = |u: &Uri| {
        u.port_u16().or(match u.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        })
    };
    uri.scheme() == base.scheme()
        && uri.host().zip(base.host()).is_some_and(|(a, b)| same_host(a, b))
        && port(uri) == port(&base)
}

/// Whether `--allow-host` names the host of `uri` (any port).
pub(super) fn is_allowed(uri: &Uri, allowed: &[String]) -> bool {
    uri.host()
        .is_some_and(|host| allowed.iter().any(|a| same_host(host, a)))
}

/// Host names compared as DNS does: without case, brackets or a final dot.
fn same_host(a: &str, b: &str) -> bool {
    let bare = |h: &str| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase()
    };
    !a.is_empty() && bare(a) == bare(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_hosts_origin_is_the_api_host() {
        let base = "https://public.api.learn.link";
        let uri = |u: &str| u.parse::<Uri>().unwrap();
        assert!(same_origin(&uri("https://public.api.learn.link/x"), base));
        assert!(same_origin(&uri("https://PUBLIC.api.learn.link:443/x"), base));
        assert!(same_origin(&uri("https://public.api.learn.link./x"), base));
        assert!(!same_origin(&uri("https://public.api.learn.link:8443/x"), base));
        assert!(!same_origin(
            &uri("https://public.api.learn.link.evil.example/x"),
            base
        ));
        assert!(!same_origin(&uri("https://user.api.learn.link/x"), base));
        assert!(!same_origin(&uri("http://public.api.learn.link/x"), base));
        let mock = "http://127.0.0.1:8080";
        assert!(same_origin(&uri("http://127.0.0.1:8080/api"), mock));
        assert!(!same_origin(&uri("http://127.0.0.1:8081/api"), mock));
        let allowed = ["Other.Example".to_owned()];
        assert!(is_allowed(&uri("https://other.example:8443/y"), &allowed));
        assert!(!is_allowed(&uri("https://another.example/y"), &allowed));
        assert!(!is_allowed(&uri("https://other.example/y"), &[]));
    }
}
