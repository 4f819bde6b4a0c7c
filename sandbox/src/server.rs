//! The HTTP/1.1 server: accept loop, per-connection tasks, connection resets for fault
//! injection, graceful shutdown, and the background tasks (job runner, state saver).
//!
//! An injected reset makes the service return an error, so hyper drops the connection
//! without writing a response; the socket wrapper sets `SO_LINGER 0` on drop in that case so
//! the peer sees a TCP RST ("connection reset"), not a clean close.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::app::{lock, App};
use crate::config::SandboxConfig;
use crate::router::{self, Outcome};

/// Entry point for embedding the sandbox (tests, tools).
pub struct Sandbox;

/// A running sandbox. Dropping it signals shutdown without waiting; prefer [`SandboxHandle::shutdown`].
pub struct SandboxHandle {
    addr: SocketAddr,
    url: String,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// Base URL, e.g. `http://127.0.0.1:4010` (loopback when bound to an unspecified address).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish (up to the grace period), stops the
    /// webhook dispatcher and saves state.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

impl Sandbox {
    /// Loads fixtures and state, binds, and starts serving.
    ///
    /// # Errors
    /// A message for bad fixtures, an unreadable state file, or a bind failure.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, String> {
        let (tx, rx) = mpsc::channel(10_000);
        let host = config.host.clone();
        let port = config.port;
        let app = Arc::new(App::new(config, tx)?);
        let listener = TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let shown_ip = match addr.ip() {
            ip if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
            ip => ip,
        };
        let url = format!("http://{}", SocketAddr::new(shown_ip, addr.port()));
        *lock(&app.base_url) = url.clone();

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let dispatcher = tokio::spawn(crate::delivery::run(app.clone(), rx, shutdown_rx.clone()));
        let saver = tokio::spawn(save_loop(app.clone(), shutdown_rx.clone()));
        let task = tokio::spawn(accept_loop(app, listener, shutdown_rx, dispatcher, saver));
        Ok(SandboxHandle {
            addr,
            url,
            shutdown_tx,
            task: Some(task),
        })
    }
}

async fn save_loop(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    if app.config.state_file.is_none() {
        return;
    }
    loop {
        tokio::select! {
            () = app.dirty.notified() => {
                // Coalesce bursts of changes into one write.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let a = app.clone();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || a.save()).await {
                    eprintln!("spotdraft-sandbox: saving state failed: {e}");
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}

async fn accept_loop(
    app: Arc<App>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
    dispatcher: JoinHandle<()>,
    saver: JoinHandle<()>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            res = listener.accept() => match res {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_connection(app.clone(), stream, shutdown.clone()));
                }
                Err(e) => {
                    // e.g. EMFILE: back off instead of spinning.
                    eprintln!("spotdraft-sandbox: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let grace = Duration::from_millis(app.config.shutdown_grace_ms);
    let _ = tokio::time::timeout(grace, async { while conns.join_next().await.is_some() {} }).await;
    conns.abort_all();
    let _ = dispatcher.await;
    let _ = saver.await;
    let a = app.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || a.save()).await {
        eprintln!("spotdraft-sandbox: saving state failed: {e}");
    }
}

/// Error a service returns to make hyper drop the connection.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset (sandbox fault injection)")
    }
}

impl std::error::Error for ResetConnection {}

async fn serve_connection(app: Arc<App>, stream: TcpStream, mut shutdown: watch::Receiver<bool>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResetIo {
        inner: stream,
        reset: reset.clone(),
    });
    let svc = service_fn(move |req| {
        let app = app.clone();
        let reset = reset.clone();
        async move {
            match router::handle(&app, req).await {
                Outcome::Respond(r) => Ok(r),
                Outcome::Reset => {
                    reset.store(true, Ordering::SeqCst);
                    Err(ResetConnection)
                }
            }
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .keep_alive(true)
        .serve_connection(io, svc);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// TCP stream that turns its close into a reset when asked to.
struct ResetIo {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResetIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
