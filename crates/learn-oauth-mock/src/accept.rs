//! The accept loop: at most `max_connections` served at once, each on its own task,
//! plain or behind TLS, until shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::connection::serve;
use crate::state::Shared;

/// Accepts connections on `listener` and serves each until `shutdown` fires.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    max_connections: usize,
    mut shutdown: oneshot::Receiver<()>,
) {
    // One permit per connection being served: at the cap, the loop stops accepting and
    // new connections wait in the kernel's backlog.
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => return,
            slot = Arc::clone(&slots).acquire_owned() => slot,
        };
        let Ok(slot) = slot else { return };
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _peer)) = accepted else {
            // Out of file descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _open = shared.open_connection();
            let shared = Arc::clone(&shared);
            match tls {
                None => serve(stream, shared).await,
                Some(acceptor) => {
                    let handshake = shared.config.limits.read_timeout;
                    if let Ok(Ok(stream)) = tokio::time::timeout(handshake, acceptor.accept(stream)).await {
                        serve(stream, shared).await;
                    }
                }
            }
        });
    }
}
