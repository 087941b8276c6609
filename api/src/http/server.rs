//! The listener: every TCP connection served over HTTP/1.1 by hyper with the transport's
//! protections, before a request reaches the router.
//!
//! - A client gets [`crate::limits::Transport::header_read_timeout`] to send a request's headers (also the
//!   longest an idle kept-alive connection stays open); one that sends them slowly is
//!   disconnected, so slow clients cannot hold connections open while others wait.
//! - A client address holds at most [`crate::limits::Transport::max_connections_per_client`] connections at
//!   once; a connection beyond them is closed at once, unanswered.
//! - On shutdown no new connection is accepted, and those open finish their requests in flight.

use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves [`crate::http::app`] of `state` on `listener` until `shutdown` completes, then waits
/// for the connections still open to finish their requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let transport = state.transport.clone();
    let router = crate::http::app(state);
    let counts = ClientConnections::new(transport.max_connections_per_client);
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(transport.header_read_timeout());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %err, "Could not accept a connection.");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = counts.open(client.ip()) else {
            tracing::warn!(
                max_connections_per_client = transport.max_connections_per_client,
                "Closed a connection: its client holds as many open as it may."
            );
            continue;
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(client));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that disconnects, or is disconnected for its slowness, is no error of ours.
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "A connection ended with an error.");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The connections open per client address, capped.
#[derive(Clone)]
struct ClientConnections {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open connection of a client, counted until it drops.
struct Slot {
    client: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl ClientConnections {
    fn new(max: usize) -> Self {
        ClientConnections {
            max,
            open: Arc::default(),
        }
    }

    /// A slot for one more connection of `client`, or `None` when it holds the most it may.
    fn open(&self, client: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client).or_default();
        if self.max != 0 && *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Slot {
            client,
            open: self.open.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_its_cap_of_connections() {
        let counts = ClientConnections::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = counts.open(a).expect("first");
        let _second = counts.open(a).expect("second");
        assert!(counts.open(a).is_none(), "a third is refused");
        assert!(counts.open(b).is_some(), "another client is not affected");
        drop(first);
        assert!(
            counts.open(a).is_some(),
            "a closed connection frees its slot"
        );
    }

    #[test]
    fn no_cap_when_zero() {
        let counts = ClientConnections::new(0);
        let a: IpAddr = [10, 0, 0, 1].into();
        let slots: Vec<_> = (0..100).filter_map(|_| counts.open(a)).collect();
        assert_eq!(slots.len(), 100);
    }
}
