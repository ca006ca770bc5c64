//! Faults written as text, for the `learn-oauth-mock` binary's flags and the control
//! endpoint: `delay=500`, `status=503*3`, `retry-after=429:2`, `drop`, `html`,
//! `truncate`, each optionally repeated with `*N`.

use std::fmt;
use std::time::Duration;

use crate::fault::Fault;

/// The largest `*N` accepted: faults are kept in memory until used.
pub const MAX_FAULT_REPEAT: usize = 10_000;

/// A fault spec that does not parse; the message says which part and what is expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSpecError {
    spec: String,
    problem: &'static str,
}

impl fmt::Display for FaultSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {:?}: {}", self.spec, self.problem)
    }
}

impl std::error::Error for FaultSpecError {}

/// The grammar, for help texts.
pub const FAULT_SPEC_HELP: &str = concat!(
    "  delay=MS                     wait MS milliseconds, then answer normally\n",
    "  status=CODE                  answer CODE (4xx/5xx) with the vendor's JSON envelope\n",
    "  retry-after=[CODE:]SECONDS   answer CODE (default 429) with Retry-After: SECONDS\n",
    "  drop                         close the connection without answering\n",
    "  html                         a 502 text/html page, as a proxy sends\n",
    "  truncate                     a 200 whose body stops half-way\n",
    "  …*N                          the same fault for the next N token requests",
);

impl Fault {
    /// Parses one fault spec (see [`FAULT_SPEC_HELP`]) into the faults it queues: `N`
    /// copies for a `*N` suffix, else one.
    ///
    /// ```
    /// use learn_oauth_mock::Fault;
    ///
    /// assert_eq!(Fault::parse_spec("status=503*2")?, vec![Fault::status(503); 2]);
    /// assert_eq!(Fault::parse_spec("retry-after=7")?, vec![Fault::retry_after(429, 7)]);
    /// assert!(Fault::parse_spec("status=abc").is_err());
    /// # Ok::<(), learn_oauth_mock::FaultSpecError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FaultSpecError`] naming the spec and the problem.
    pub fn parse_spec(spec: &str) -> Result<Vec<Fault>, FaultSpecError> {
        let text = spec.trim();
        let error = |problem| FaultSpecError {
            spec: text.chars().take(80).collect(),
            problem,
        };
        let (fault, repeat) = match text.rsplit_once('*') {
            Some((fault, n)) => {
                let n: usize = n.trim().parse().map_err(|_| error("*N needs a whole number"))?;
                if n == 0 || n > MAX_FAULT_REPEAT {
                    return Err(error("*N must be from 1 to 10000"));
                }
                (fault.trim(), n)
            }
            None => (text, 1),
        };
        let (kind, value) = match fault.split_once('=') {
            Some((kind, value)) => (kind.trim(), Some(value.trim())),
            None => (fault, None),
        };
        let status = |text: &str| -> Result<u16, FaultSpecError> {
            text.parse()
                .ok()
                .filter(|s| (400..=599).contains(s))
                .ok_or_else(|| error("CODE must be an HTTP status from 400 to 599"))
        };
        let fault = match (kind.to_ascii_lowercase().as_str(), value) {
            ("delay", Some(ms)) => {
                let ms = ms
                    .parse()
                    .map_err(|_| error("delay=MS needs whole milliseconds"))?;
                Fault::Delay(Duration::from_millis(ms))
            }
            ("status", Some(code)) => Fault::status(status(code)?),
            ("retry-after", Some(value)) => {
                let (code, seconds) = match value.split_once(':') {
                    Some((code, seconds)) => (status(code.trim())?, seconds.trim()),
                    None => (429, value),
                };
                let seconds = seconds
                    .parse()
                    .map_err(|_| error("retry-after needs whole SECONDS"))?;
                Fault::retry_after(code, seconds)
            }
            ("drop", None) => Fault::DropConnection,
            ("html", None) => Fault::ProxyHtml,
            ("truncate", None) => Fault::TruncatedBody,
            ("delay" | "status" | "retry-after", None) => return Err(error("needs a value: KIND=VALUE")),
            ("drop" | "html" | "truncate", Some(_)) => return Err(error("takes no value")),
            _ => {
                return Err(error(
                    "unknown kind: expected delay, status, retry-after, drop, html or truncate",
                ));
            }
        };
        Ok(vec![fault; repeat])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses() {
        let one = |spec| Fault::parse_spec(spec).unwrap().remove(0);
        assert_eq!(one("delay=250"), Fault::Delay(Duration::from_millis(250)));
        assert_eq!(one("status=401"), Fault::status(401));
        assert_eq!(one("retry-after=503:9"), Fault::retry_after(503, 9));
        assert_eq!(one(" drop "), Fault::DropConnection);
        assert_eq!(one("HTML"), Fault::ProxyHtml);
        assert_eq!(one("truncate"), Fault::TruncatedBody);
        assert_eq!(Fault::parse_spec("drop*3").unwrap().len(), 3);
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, problem) in [
            ("status=200", "400 to 599"),
            ("status", "needs a value"),
            ("drop=1", "takes no value"),
            ("delay=soon", "milliseconds"),
            ("html*0", "from 1 to"),
            ("html*99999", "from 1 to"),
            ("explode", "unknown kind"),
        ] {
            let e = Fault::parse_spec(spec).unwrap_err().to_string();
            assert!(e.contains(problem), "{spec}: {e}");
        }
    }
}
