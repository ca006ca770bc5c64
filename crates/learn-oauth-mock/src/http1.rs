//! A small, strict HTTP/1.1 server-side codec over any async byte stream.
//!
//! Why not hyper: the mock's job includes sending *broken* responses — a body shorter
//! than its `Content-Length`, a connection closed before any status line, arbitrary raw
//! bytes. hyper (rightly) refuses to produce those, so the mock would have to take the
//! socket back from hyper for every such fault. Requests here are tiny and few, so a
//! hand-written codec is both simpler and gives byte-exact control of the output.
//!
//! What it does: request line and headers up to a size limit; bodies framed by
//! `Content-Length` or `Transfer-Encoding: chunked`, up to a size limit; `Expect:
//! 100-continue`; keep-alive for HTTP/1.1 unless `Connection: close`. Every read runs
//! against a deadline, so an idle or slow client cannot hold a task forever. Anything
//! malformed is answered with a 4xx/5xx envelope and the connection is closed.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout_at};

use crate::reply::Response;

/// Size and time limits for reading one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Largest request line plus headers, in bytes.
    pub(crate) max_head: usize,
    /// Largest request body, in bytes.
    pub(crate) max_body: usize,
    /// How long a whole request (or the wait for one) may take.
    pub(crate) read_timeout: Duration,
}

const MAX_HEADERS: usize = 100;
const MAX_CHUNK_LINE: usize = 1024;

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    /// The method, e.g. `POST`.
    pub(crate) method: String,
    /// The request target as sent, e.g. `/oauth2/token/x?y`.
    pub(crate) target: String,
    /// Header names (lowercased) and raw values (surrounding whitespace trimmed).
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    /// The decoded body.
    pub(crate) body: Vec<u8>,
    /// Whether the connection may be reused after the response.
    pub(crate) keep_alive: bool,
}

impl Request {
    /// The first value of header `name` (lowercase).
    pub(crate) fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The target without its query string.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// Why no request came out of the stream.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed, went idle, or the socket failed: close silently.
    Gone,
    /// The request was malformed or too large: send this, then close.
    Reject(Response),
}

/// A server-side HTTP/1.1 connection: the stream and the bytes read ahead of it.
pub(crate) struct Connection<S> {
    io: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// Wraps a freshly accepted stream.
    pub(crate) fn new(io: S) -> Self {
        Connection {
            io,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// Reads the next request, honouring `limits`.
    pub(crate) async fn next_request(&mut self, limits: Limits) -> Result<Request, ReadError> {
        let deadline = Instant::now() + limits.read_timeout;
        let head_end = loop {
            // Tolerate empty lines before a request line (RFC 9112 §2.2).
            let skip = self
                .buf
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
            self.buf.drain(..skip);
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                break end;
            }
            if self.buf.len() > limits.max_head {
                return Err(reject(431, "request header section too large"));
            }
            let started = !self.buf.is_empty();
            match self.fill(deadline).await {
                Ok(()) => {}
                Err(FillError::Timeout) if started => return Err(reject(408, "request timed out")),
                Err(_) => return Err(ReadError::Gone),
            }
        };
        if head_end > limits.max_head {
            return Err(reject(431, "request header section too large"));
        }
        let head: Vec<u8> = self.buf.drain(..head_end + 4).collect();
        let mut request = parse_head(&head[..head_end]).map_err(|m| reject(400, m))?;
        let framing = body_framing(&request, limits)?;
        if framing != Framing::Empty
            && request
                .header("expect")
                .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"))
        {
            self.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .map_err(|_| ReadError::Gone)?;
        }
        request.body = match framing {
            Framing::Empty => Vec::new(),
            Framing::Length(n) => self.take_exact(n, deadline).await?,
            Framing::Chunked => self.read_chunked(limits, deadline).await?,
        };
        Ok(request)
    }

    /// Writes all of `bytes` and flushes.
    pub(crate) async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.io.write_all(bytes).await?;
        self.io.flush().await
    }

    /// Closes the write side cleanly (TLS: sends close_notify).
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.io.shutdown().await;
    }

    /// A "lingering close" after rejecting a request: reads and discards what the client
    /// is still sending (bounded in bytes and time), so that closing a socket with unread
    /// data does not reset the connection before the client has read our answer.
    pub(crate) async fn linger(&mut self, max_bytes: usize, within: Duration) {
        let deadline = Instant::now() + within;
        let mut discarded = 0;
        let mut chunk = [0u8; 8 * 1024];
        while discarded < max_bytes {
            match timeout_at(deadline, self.io.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => discarded += n,
                _ => return,
            }
        }
    }

    async fn fill(&mut self, deadline: Instant) -> Result<(), FillError> {
        let mut chunk = [0u8; 8 * 1024];
        match timeout_at(deadline, self.io.read(&mut chunk)).await {
            Err(_) => Err(FillError::Timeout),
            Ok(Ok(0)) | Ok(Err(_)) => Err(FillError::Closed),
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    async fn take_exact(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() < n {
            self.fill_mid_request(deadline).await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn take_line(&mut self, max: usize, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n") {
                let line = self.buf[..end].to_vec();
                self.buf.drain(..end + 2);
                return Ok(line);
            }
            if self.buf.len() > max {
                return Err(reject(400, "chunked framing line too long"));
            }
            self.fill_mid_request(deadline).await?;
        }
    }

    async fn fill_mid_request(&mut self, deadline: Instant) -> Result<(), ReadError> {
        match self.fill(deadline).await {
            Ok(()) => Ok(()),
            Err(FillError::Timeout) => Err(reject(408, "request timed out")),
            Err(FillError::Closed) => Err(ReadError::Gone),
        }
    }

    async fn read_chunked(&mut self, limits: Limits, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.take_line(MAX_CHUNK_LINE, deadline).await?;
            let size = std::str::from_utf8(&line)
                .ok()
                .map(|l| l.split(';').next().unwrap_or_default().trim())
                .filter(|s| !s.is_empty() && s.len() <= 16)
                .and_then(|s| usize::from_str_radix(s, 16).ok())
                .ok_or_else(|| reject(400, "malformed chunk size"))?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > limits.max_body {
                return Err(reject(413, "request body too large"));
            }
            body.extend(self.take_exact(size, deadline).await?);
            if !self.take_line(2, deadline).await?.is_empty() {
                return Err(reject(400, "malformed chunk terminator"));
            }
        }
        // Trailer section: skip fields up to the empty line, within the head limit.
        let mut trailer_bytes = 0usize;
        loop {
            let line = self.take_line(limits.max_head, deadline).await?;
            if line.is_empty() {
                return Ok(body);
            }
            trailer_bytes += line.len() + 2;
            if trailer_bytes > limits.max_head {
                return Err(reject(431, "trailer section too large"));
            }
        }
    }
}

enum FillError {
    Timeout,
    Closed,
}

#[derive(Debug, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
}

fn reject(status: u16, message: &str) -> ReadError {
    ReadError::Reject(Response::envelope(status, message.into()).closing())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_head(head: &[u8]) -> Result<Request, &'static str> {
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let request_line = std::str::from_utf8(request_line).map_err(|_| "malformed request line")?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("malformed request line");
    };
    if method.is_empty() || !method.bytes().all(is_token_char) {
        return Err("malformed method");
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("malformed request target");
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err("unsupported HTTP version"),
    };
    let mut headers = Vec::new();
    for line in lines {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err("obsolete header line folding");
        }
        let colon = line
            .iter()
            .position(|b| *b == b':')
            .ok_or("malformed header line")?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| is_token_char(*b)) {
            return Err("malformed header name");
        }
        if value.iter().any(|b| *b == b'\r' || *b == b'\n' || *b == 0) {
            return Err("malformed header value");
        }
        if headers.len() == MAX_HEADERS {
            return Err("too many header fields");
        }
        let value = value.trim_ascii().to_vec();
        headers.push((String::from_utf8_lossy(name).to_ascii_lowercase(), value));
    }
    let connection_has = |token: &str| {
        headers.iter().filter(|(n, _)| n == "connection").any(|(_, v)| {
            v.split(|b| *b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        })
    };
    // HTTP/1.0 keep-alive needs an echoed `Connection: keep-alive`; close instead.
    let keep_alive = http11 && !connection_has("close");
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
        keep_alive,
    })
}

fn body_framing(request: &Request, limits: Limits) -> Result<Framing, ReadError> {
    let te: Vec<&[u8]> = request
        .headers
        .iter()
        .filter(|(n, _)| n == "transfer-encoding")
        .map(|(_, v)| v.as_slice())
        .collect();
    let cl: Vec<&[u8]> = request
        .headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v.as_slice())
        .collect();
    if !te.is_empty() {
        if !cl.is_empty() {
            return Err(reject(400, "both transfer-encoding and content-length"));
        }
        if te.len() == 1 && te[0].eq_ignore_ascii_case(b"chunked") {
            return Ok(Framing::Chunked);
        }
        return Err(reject(501, "unsupported transfer-encoding"));
    }
    let Some(first) = cl.first() else {
        return Ok(Framing::Empty);
    };
    if cl.iter().any(|v| v != first) {
        return Err(reject(400, "conflicting content-length"));
    }
    if first.is_empty() || first.len() > 19 || !first.iter().all(u8::is_ascii_digit) {
        return Err(reject(400, "malformed content-length"));
    }
    let n: u64 = std::str::from_utf8(first)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| reject(400, "malformed content-length"))?;
    match usize::try_from(n) {
        Ok(0) => Ok(Framing::Empty),
        Ok(n) if n <= limits.max_body => Ok(Framing::Length(n)),
        _ => Err(reject(413, "request body too large")),
    }
}
