//! The language server: `factls lsp` over stdio with tower-lsp. This is the
//! only module that names `tower_lsp` or `lsp_types`.
//!
//! - `server.rs`: the thin tower-lsp backend (parse, snapshot, `ide::`, convert);
//! - `state.rs`: snapshots, open documents, background indexing, diagnostics;
//! - `convert.rs`: positions and URIs, the one conversion boundary;
//! - `capabilities.rs`: what `initialize` announces;
//! - `large.rs`: stdout, and the messages too large for tower-lsp's value
//!   tree (references, diagnostics pushed and pulled), written straight
//!   from their types.
//!
//! tower-lsp 0.20 does not end the process after `exit` while stdin stays
//! open (ebkalderon/tower-lsp#399), so the service is wrapped: once `exit`
//! is handled the process exits, with 0 after `shutdown` and 1 without.

mod capabilities;
pub mod convert;
mod large;
mod server;
mod state;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp::jsonrpc::{Request, Response};
use tower_lsp::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit` or the end of stdin.
pub fn run() -> i32 {
    crate::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("factls: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    runtime.block_on(async {
        let stdout = large::output();
        let output = stdout.clone();
        let (service, socket) = LspService::new(move |client| server::Backend::new(client, output));
        let service =
            ExitOnExit { inner: large::LargeAnswers::new(service, stdout.clone()), shutdown: shutdown.clone() };
        let stdin = ExitOnEof { inner: tokio::io::stdin(), shutdown: shutdown.clone() };
        Server::new(stdin, stdout, socket).serve(service).await;
    });
    // stdin closed: the client is gone.
    std::process::exit(if shutdown.load(Ordering::SeqCst) { 0 } else { 1 })
}

/// Ends the process when stdin closes: the client is gone, and tower-lsp
/// would otherwise wait for handlers that await answers from it.
struct ExitOnEof<R> {
    inner: R,
    shutdown: Arc<AtomicBool>,
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for ExitOnEof<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &result
            && buf.filled().len() == before
            && buf.remaining() > 0
        {
            std::process::exit(if self.shutdown.load(Ordering::SeqCst) { 0 } else { 1 });
        }
        result
    }
}

/// Ends the process once an `exit` notification has been handled.
struct ExitOnExit<S> {
    inner: S,
    shutdown: Arc<AtomicBool>,
}

impl<S> Service<Request> for ExitOnExit<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method().to_string();
        // Eglot, lsp4ij and others send `"params": null` with `shutdown` and
        // `exit`, which tower-lsp refuses; the spec allows it (void params).
        let request = if matches!(method.as_str(), "shutdown" | "exit") && request.params().is_some_and(|p| p.is_null())
        {
            let (name, id, _) = request.into_parts();
            let builder = Request::build(name);
            match id {
                Some(id) => builder.id(id).finish(),
                None => builder.finish(),
            }
        } else {
            request
        };
        let shutdown = self.shutdown.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await;
            match method.as_str() {
                "shutdown" => shutdown.store(true, Ordering::SeqCst),
                "exit" => std::process::exit(if shutdown.load(Ordering::SeqCst) { 0 } else { 1 }),
                _ => {}
            }
            response
        })
    }
}
