//! A TCP load balancer in front of the servers of a cluster, as a cluster is
//! deployed: clients know one address, and a connection goes to the next
//! backend in turn, or to the one after it when that one refuses (a dead
//! server). A connection already handed to a backend is not moved: if the
//! backend dies under it, the client sees it break, as it would behind
//! HAProxy or nginx's `stream` module.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A running balancer; it stops taking connections when dropped.
pub struct Balancer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Balancer {
    /// Listens on a free local port and spreads connections over `backends`
    /// round-robin, skipping the ones that refuse.
    pub fn start(backends: Vec<SocketAddr>) -> Balancer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the balancer");
        let addr = listener.local_addr().expect("the balancer's address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let next = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let backends = backends.clone();
                let next = next.clone();
                std::thread::spawn(move || {
                    let first = next.fetch_add(1, Ordering::Relaxed);
                    let upstream = (0..backends.len()).find_map(|i| {
                        let backend = backends[(first + i) % backends.len()];
                        TcpStream::connect_timeout(&backend, Duration::from_secs(2)).ok()
                    });
                    if let Some(upstream) = upstream {
                        relay(client, upstream);
                    }
                });
            }
        });
        Balancer { addr, stop }
    }

    /// `http://localhost:<port>`, as users pass it to `CodeChecker cmd`.
    pub fn cli_url(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Copies bytes both ways until either side closes.
fn relay(client: TcpStream, upstream: TcpStream) {
    let (Ok(client_read), Ok(upstream_write)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || pump(client_read, upstream_write));
    pump(upstream, client);
    let _ = up.join();
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _: io::Result<()> = from.shutdown(Shutdown::Read);
}
