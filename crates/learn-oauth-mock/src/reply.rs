//! Responses: well-formed ones, and the deliberately broken shapes a fault can ask for.

use serde_json::{Value, json};

/// A complete, well-formed HTTP/1.1 response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Close the connection after sending.
    pub(crate) close: bool,
}

impl Response {
    /// A JSON response.
    pub(crate) fn json(status: u16, value: &Value) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
            close: false,
        }
    }

    /// The vendor's error envelope: `{"status": …, "error": <reason>, "message": …}`.
    pub(crate) fn envelope(status: u16, message: Value) -> Self {
        Response::json(
            status,
            &json!({ "status": status, "error": reason(status), "message": message }),
        )
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Marks the connection to be closed after this response.
    pub(crate) fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    /// The status line and headers, with `Content-Length: content_length`.
    pub(crate) fn head_bytes(&self, content_length: u64) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {content_length}\r\n"));
        if self.close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    /// The whole response on the wire.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.head_bytes(self.body.len() as u64);
        out.extend_from_slice(&self.body);
        out
    }
}

/// What the connection should do with its turn to answer.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send a well-formed response.
    Send(Response),
    /// Send exactly these bytes, then close the connection.
    SendThenClose(Vec<u8>),
    /// Send `head`, then stream a body of exactly `size` bytes without holding it in memory.
    Huge {
        /// Status line and headers, `Content-Length` included.
        head: Vec<u8>,
        /// Body length in bytes.
        size: u64,
    },
    /// Close the connection without sending anything.
    Drop,
}

/// The reason phrase for `status`, or `"Unknown"` for codes without one.
pub(crate) fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}
