//! One client connection: read requests, route them, carry out the reply (broken or not).

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::timeout;

use crate::control::{self, CONTROL_PATH};
use crate::http1::{Connection, ReadError, Request};
use crate::reply::{Reply, Response};
use crate::resource::{PING_PATH, ping};
use crate::state::Shared;
use crate::token_endpoint;

/// The token endpoint's path prefix; the tenant id follows.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token/";

/// How much a rejected client may still send before we close on it.
const LINGER_BYTES: usize = 1024 * 1024;
/// How long we wait for a rejected client to stop sending.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// Serves requests on `io` until the client leaves, a reply closes, or a limit trips.
pub(crate) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(io: S, shared: Arc<Shared>) {
    let mut conn = Connection::new(io);
    let limits = shared.config.limits;
    loop {
        let request = match conn.next_request(limits).await {
            Ok(request) => request,
            Err(ReadError::Gone) => return,
            Err(ReadError::Reject(response)) => {
                let _ = timeout(limits.read_timeout, conn.write_all(&response.to_bytes())).await;
                conn.shutdown().await;
                conn.linger(LINGER_BYTES, limits.read_timeout.min(LINGER_TIME))
                    .await;
                return;
            }
        };
        let reply = route(&shared, &request).await;
        let keep_going = timeout(
            limits.read_timeout,
            carry_out(&mut conn, reply, request.keep_alive),
        )
        .await
        .unwrap_or(false);
        if !keep_going {
            return;
        }
    }
}

async fn route(shared: &Shared, request: &Request) -> Reply {
    let path = request.path();
    if let Some(tenant) = path
        .strip_prefix(TOKEN_PATH)
        .filter(|t| !t.is_empty() && !t.contains('/'))
    {
        if request.method != "POST" {
            return Reply::Send(Response::envelope(405, "method not allowed".into()).header("Allow", "POST"));
        }
        let tenant = percent_decode_str(tenant).decode_utf8_lossy().into_owned();
        return token_endpoint::handle(shared, request, tenant).await;
    }
    if path == PING_PATH {
        return Reply::Send(ping(shared, request));
    }
    if shared.config.control && path.starts_with(CONTROL_PATH) {
        return Reply::Send(control::handle(shared, request));
    }
    Reply::Send(Response::envelope(404, "not found".into()))
}

/// Sends the reply; whether the connection stays open for another request.
async fn carry_out<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Connection<S>,
    reply: Reply,
    keep_alive: bool,
) -> bool {
    match reply {
        Reply::Send(mut response) => {
            response.close |= !keep_alive;
            let sent = conn.write_all(&response.to_bytes()).await.is_ok();
            if response.close {
                conn.shutdown().await;
            }
            sent && !response.close
        }
        Reply::SendThenClose(bytes) => {
            let _ = conn.write_all(&bytes).await;
            conn.shutdown().await;
            false
        }
        Reply::Huge { head, size } => {
            let sent = conn.write_all(&head).await.is_ok() && stream_huge_body(conn, size).await;
            if !keep_alive {
                conn.shutdown().await;
            }
            sent && keep_alive
        }
        Reply::Drop => false,
    }
}

/// Streams a `size`-byte body in 64 KiB pieces: a token response whose `access_token` is
/// padded to fill it, or (below 64 bytes) just padding.
async fn stream_huge_body<S: AsyncRead + AsyncWrite + Unpin>(conn: &mut Connection<S>, size: u64) -> bool {
    const PREFIX: &[u8] = br#"{"access_token":""#;
    const SUFFIX: &[u8] = br#"","token_type":"Bearer","expires_in":3600}"#;
    const PIECE: usize = 64 * 1024;
    let framing = (PREFIX.len() + SUFFIX.len()) as u64;
    let (prefix, suffix) = if size >= 64 {
        (PREFIX, SUFFIX)
    } else {
        (&b""[..], &b""[..])
    };
    let mut padding = size - if size >= 64 { framing } else { 0 };
    let filler = vec![b'A'; PIECE];
    if conn.write_all(prefix).await.is_err() {
        return false;
    }
    while padding > 0 {
        let n = usize::try_from(padding).map_or(PIECE, |p| p.min(PIECE));
        if conn.write_all(&filler[..n]).await.is_err() {
            return false;
        }
        padding -= n as u64;
    }
    conn.write_all(suffix).await.is_ok()
}
