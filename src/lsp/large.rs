//! Large answers and notifications, written as JSON straight from their
//! types.
//!
//! tower-lsp turns every result and every notification into a
//! `serde_json::Value` tree, then into a string, then drops the tree: for
//! the 2,500 locations of a name mentioned across 50,000 documents that
//! was two thirds of a `textDocument/references`, and for the 310
//! diagnostics of a 50 KB document 0.60 ms of each edit's, against 0.08
//! ms written from the types (docs/PERFORMANCE.md). So this module owns
//! stdout:
//!
//! - [`output`]: one thread writes every message to stdout, in the order
//!   they were handed over: what tower-lsp writes (its codec hands over
//!   whole frames, one buffer at a time), the frames [`LargeAnswers`]
//!   makes, as [`Pieces`] (a long answer's parts are never copied into
//!   one buffer), and the notifications [`Output::notify`] sends (the
//!   server's diagnostics). Once [`QUEUE_LIMIT`] bytes wait for that
//!   thread, whoever hands over more waits (tower-lsp's codec stops
//!   writing, and with it the server stops reading requests), so a client
//!   that stops reading stops the server's output, not its memory. This
//!   is a pipe's own rule (a writer waits for its reader), with 4 MiB of
//!   slack: a client that writes requests without reading the answers
//!   (every editor reads as it writes) waits for the server once they
//!   pass it, where the server used to hold them all;
//! - [`LargeAnswers`]: a service in front of tower-lsp's that answers the
//!   requests whose answers grow with a document or the corpus itself
//!   (references, pulled diagnostics, document and workspace symbols,
//!   semantic tokens, completion, rename: [`Large`]), through the same
//!   backend methods, once the server is initialized and until it shuts
//!   down (before and after, and for parameters it cannot read, tower-lsp
//!   answers, with its errors); a `$/cancelRequest` for one of its
//!   requests still in flight ends it with tower-lsp's answer to a
//!   cancelled request.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tower::Service;
use tower_lsp::jsonrpc::{self, Id, Request, Response};
use tower_lsp::lsp_types::request::{
    Completion, DocumentDiagnosticRequest, DocumentSymbolRequest, References, Rename, Request as _,
    SemanticTokensFullRequest, SemanticTokensRangeRequest, WorkspaceSymbolRequest,
};
use tower_lsp::lsp_types::{
    CompletionParams, DocumentDiagnosticParams, DocumentSymbolParams, Location, Range, ReferenceParams, RenameParams,
    SemanticTokensParams, SemanticTokensRangeParams, Url, WorkspaceSymbolParams,
};
use tower_lsp::{LanguageServer, LspService};

use super::server::Backend;
use super::state::lock;
use crate::json;

/// The way to stdout: bytes handed over here are written in order by one
/// thread. As tower-lsp's output it takes whole buffers (which its codec
/// fills with whole frames), so frames from elsewhere never land inside
/// one of its messages.
#[derive(Clone)]
pub struct Output {
    to_writer: mpsc::Sender<Pieces>,
    queue: Arc<Mutex<Queue>>,
}

/// Bytes handed over and not yet written from which senders wait. One
/// frame may take the queue past it (a references answer of 2.6 MB at the
/// benchmark's sotu 10,000 goes out whole); a burst of small messages to
/// a client that reads waits at most for the writer to catch up.
const QUEUE_LIMIT: usize = 4 << 20;

/// What waits for the writer thread.
#[derive(Default)]
struct Queue {
    /// Bytes handed over and not yet written.
    bytes: usize,
    /// The senders waiting for the bytes to fall below [`QUEUE_LIMIT`].
    waiting: Vec<Waker>,
    /// The writer is gone (stdout closed): nobody waits any more.
    closed: bool,
}

impl Output {
    /// Ready when a frame may be handed over: fewer than [`QUEUE_LIMIT`]
    /// bytes wait (one frame may take them past it), or the writer is
    /// gone (and [`Output::send`] says so).
    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut queue = lock(&self.queue);
        if queue.closed || queue.bytes < QUEUE_LIMIT {
            return Poll::Ready(());
        }
        if queue.waiting.is_empty() {
            tracing::debug!(bytes = queue.bytes, "the client is not reading: the output waits");
        }
        if !queue.waiting.iter().any(|w| w.will_wake(cx.waker())) {
            queue.waiting.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Hands over one whole frame (or several), room or not.
    fn send(&self, frame: Pieces) -> std::io::Result<()> {
        lock(&self.queue).bytes += frame.len();
        self.to_writer.send(frame).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }

    /// Hands over one whole frame once there is room for it.
    async fn send_when_room(&self, frame: Pieces) -> std::io::Result<()> {
        std::future::poll_fn(|cx| self.poll_room(cx)).await;
        self.send(frame)
    }

    /// Sends the notification `method` with `params`, once there is room,
    /// after every frame handed over before it. Only the server's own
    /// notifications of one kind go this way (all its diagnostics): their
    /// order among themselves is kept, not with what tower-lsp sends.
    pub async fn notify(&self, method: &str, params: &impl Serialize) {
        match notification(method, params) {
            // The writer is gone only when stdout is.
            Ok(frame) => drop(self.send_when_room(frame).await),
            Err(e) => tracing::error!("cannot write a {method} notification: {e}"),
        }
    }
}

impl Queue {
    /// The writer wrote `written` bytes of `queue`, or is gone (`closed`):
    /// wakes the waiting senders once it is below [`QUEUE_LIMIT`].
    fn written(queue: &Mutex<Queue>, written: usize, closed: bool) {
        let wake = {
            let mut queue = lock(queue);
            queue.bytes = queue.bytes.saturating_sub(written);
            queue.closed |= closed;
            if queue.closed || queue.bytes < QUEUE_LIMIT { std::mem::take(&mut queue.waiting) } else { Vec::new() }
        };
        wake.into_iter().for_each(Waker::wake);
    }
}

/// Bytes in pieces, to be written one after the other: the megabytes of a
/// long answer, made in parts on all cores, are never copied into one
/// buffer (two such copies were a tenth of a 25,000-location answer).
#[derive(Debug, Default)]
pub struct Pieces(Vec<Vec<u8>>);

impl Pieces {
    fn push(&mut self, piece: Vec<u8>) {
        if !piece.is_empty() {
            self.0.push(piece);
        }
    }

    /// The number of bytes.
    fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    /// The bytes in one buffer.
    #[cfg(test)]
    fn joined(&self) -> Vec<u8> {
        self.0.concat()
    }
}

/// Starts the thread that owns stdout (locked for as long as it runs:
/// nothing else writes there).
pub fn output() -> Output {
    output_to(|| std::io::stdout().lock())
}

/// [`output`] to the sink `open` makes on the writer thread (tests give
/// one that writes when they let it).
fn output_to<W: Write>(open: impl FnOnce() -> W + Send + 'static) -> Output {
    let (to_writer, frames) = mpsc::channel::<Pieces>();
    let queue: Arc<Mutex<Queue>> = Arc::default();
    let waiting = queue.clone();
    std::thread::spawn(move || {
        let mut sink = open();
        for frame in frames {
            let size = frame.len();
            let written = frame.0.iter().try_for_each(|piece| sink.write_all(piece));
            if written.and_then(|()| sink.flush()).is_err() {
                break; // the client is gone; senders see a closed channel
            }
            Queue::written(&waiting, size, false);
        }
        Queue::written(&waiting, 0, true);
    });
    Output { to_writer, queue }
}

impl tokio::io::AsyncWrite for Output {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        std::task::ready!(self.poll_room(cx));
        Poll::Ready(self.send(Pieces(vec![buf.to_vec()])).map(|()| buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Locations file by file (a references answer): written as the JSON list
/// of the `Location`s it stands for, each file's URI escaped once for all
/// of its ranges, a large list in parts on all cores.
#[derive(Debug, Default)]
pub struct Locations {
    /// Each file's URI (shared: a document of the mention index keeps
    /// its own, see `Corpus::indexed_uri`), and the end of its ranges in
    /// `ranges`.
    files: Vec<(Arc<str>, usize)>,
    ranges: Vec<Range>,
}

/// From this many locations on, a list is written in parts at once.
const WRITE_IN_PARTS: usize = 512;

impl Locations {
    pub fn with_capacity(ranges: usize) -> Locations {
        Locations { files: Vec::new(), ranges: Vec::with_capacity(ranges) }
    }

    /// The ranges pushed from now on are in `uri` (a URI's text).
    pub fn file(&mut self, uri: Arc<str>) {
        self.files.push((uri, self.ranges.len()));
    }

    /// A range in the last file.
    pub fn push(&mut self, range: Range) {
        if let Some((_, end)) = self.files.last_mut() {
            self.ranges.push(range);
            *end = self.ranges.len();
        }
    }

    /// The parts one after the other.
    pub fn concat(parts: Vec<Locations>) -> Locations {
        let mut out = Locations::with_capacity(parts.iter().map(|p| p.ranges.len()).sum());
        for part in parts {
            let base = out.ranges.len();
            out.files.extend(part.files.into_iter().map(|(uri, end)| (uri, base + end)));
            out.ranges.extend(part.ranges);
        }
        out
    }

    /// Each file's URI and its ranges, in order.
    fn by_file(&self) -> impl Iterator<Item = (&str, &[Range])> {
        let mut start = 0;
        self.files.iter().map(move |(uri, end)| {
            let ranges = &self.ranges[start..*end];
            start = *end;
            (&**uri, ranges)
        })
    }

    pub fn to_vec(&self) -> Vec<Location> {
        let mut out = Vec::with_capacity(self.ranges.len());
        for (uri, ranges) in self.by_file() {
            // Made from a `Url`, so it parses.
            let Ok(uri) = Url::parse(uri) else { continue };
            out.extend(ranges.iter().map(|range| Location { uri: uri.clone(), range: *range }));
        }
        out
    }

    /// The JSON list of the `Location`s.
    pub fn to_json(&self) -> Pieces {
        use rayon::prelude::*;
        let files: Vec<(&str, &[Range])> = self.by_file().collect();
        let parts: Vec<Vec<u8>> = if self.ranges.len() < WRITE_IN_PARTS {
            vec![write_locations(&files)]
        } else {
            let chunk = files.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
            files.par_chunks(chunk).map(write_locations).collect()
        };
        let mut out = Pieces::default();
        out.push(b"[".to_vec());
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            if out.0.len() > 1 {
                out.push(b",".to_vec());
            }
            out.push(part);
        }
        out.push(b"]".to_vec());
        out
    }
}

/// The locations of `files`, comma-separated, without the brackets: the
/// bytes `serde_json` writes for them (a test compares the two), written
/// by hand, a few times faster than through `Serialize` for the tens of
/// thousands of ranges of a long answer.
fn write_locations(files: &[(&str, &[Range])]) -> Vec<u8> {
    // About 80 bytes a range besides its URI: made at that size, the
    // buffer of a long answer is not copied as it grows.
    let size: usize = files.iter().map(|(uri, ranges)| ranges.len() * (uri.len() + 90)).sum();
    let mut out = Vec::with_capacity(size);
    let mut number = itoa::Buffer::new();
    let mut position = |out: &mut Vec<u8>, p: &tower_lsp::lsp_types::Position| {
        out.extend_from_slice(b"{\"line\":");
        out.extend_from_slice(number.format(p.line).as_bytes());
        out.extend_from_slice(b",\"character\":");
        out.extend_from_slice(number.format(p.character).as_bytes());
        out.push(b'}');
    };
    // Each file's URI as a JSON string, once for all of its ranges.
    let mut quoted = Vec::new();
    for (uri, ranges) in files {
        quoted.clear();
        json::push_string(&mut quoted, uri);
        for range in *ranges {
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"uri\":");
            out.extend_from_slice(&quoted);
            out.extend_from_slice(b",\"range\":{\"start\":");
            position(&mut out, &range.start);
            out.extend_from_slice(b",\"end\":");
            position(&mut out, &range.end);
            out.extend_from_slice(b"}}");
        }
    }
    out
}

/// A JSON-RPC response frame for `id`: the result (as JSON), or the error.
fn frame(id: Id, result: jsonrpc::Result<Pieces>) -> Pieces {
    #[derive(Serialize)]
    struct Failed {
        jsonrpc: &'static str,
        error: jsonrpc::Error,
        id: Id,
    }
    let body = match result {
        Ok(json) => serde_json::to_vec(&id).map(|id| {
            let mut body = Pieces(vec![br#"{"jsonrpc":"2.0","result":"#.to_vec()]);
            body.0.extend(json.0);
            body.0.extend([br#","id":"#.to_vec(), id, b"}".to_vec()]);
            body
        }),
        Err(error) => serde_json::to_vec(&Failed { jsonrpc: "2.0", error, id }).map(|body| Pieces(vec![body])),
    };
    framed(body.unwrap_or_else(|e| {
        tracing::error!("cannot write an answer: {e}");
        Pieces::default()
    }))
}

/// A JSON-RPC notification frame: `method` with `params`, serialised from
/// their types.
fn notification(method: &str, params: &impl Serialize) -> serde_json::Result<Pieces> {
    #[derive(Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params })?;
    Ok(framed(Pieces(vec![body])))
}

/// `body` behind its header.
fn framed(body: Pieces) -> Pieces {
    let mut frame = Pieces(vec![format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes()]);
    frame.0.extend(body.0);
    frame
}

/// A result as JSON, serialised from its type.
fn serialized(result: &impl Serialize) -> jsonrpc::Result<Pieces> {
    serde_json::to_vec(result).map(|json| Pieces(vec![json])).map_err(|e| {
        tracing::error!("cannot write an answer: {e}");
        jsonrpc::Error::internal_error()
    })
}

/// A request [`LargeAnswers`] answers itself, with its parameters: those
/// whose answers grow with a document or the corpus.
enum Large {
    References(ReferenceParams),
    Diagnostic(DocumentDiagnosticParams),
    DocumentSymbol(DocumentSymbolParams),
    WorkspaceSymbol(WorkspaceSymbolParams),
    SemanticTokensFull(SemanticTokensParams),
    SemanticTokensRange(SemanticTokensRangeParams),
    Completion(CompletionParams),
    Rename(RenameParams),
}

impl Large {
    /// The request `method` with `params`, when it is one of these.
    fn of(method: &str, params: &Value) -> Option<Large> {
        fn read<P: DeserializeOwned>(params: &Value) -> Option<P> {
            P::deserialize(params).ok()
        }
        Some(match method {
            References::METHOD => Large::References(read(params)?),
            DocumentDiagnosticRequest::METHOD => Large::Diagnostic(read(params)?),
            DocumentSymbolRequest::METHOD => Large::DocumentSymbol(read(params)?),
            WorkspaceSymbolRequest::METHOD => Large::WorkspaceSymbol(read(params)?),
            SemanticTokensFullRequest::METHOD => Large::SemanticTokensFull(read(params)?),
            SemanticTokensRangeRequest::METHOD => Large::SemanticTokensRange(read(params)?),
            Completion::METHOD => Large::Completion(read(params)?),
            Rename::METHOD => Large::Rename(read(params)?),
            _ => return None,
        })
    }

    /// The answer, as JSON, from the backend's method for it.
    async fn answer(self, backend: &Backend) -> jsonrpc::Result<Pieces> {
        match self {
            Large::References(params) => backend.reference_locations(params).await.map(|found| match found {
                Some(found) => found.to_json(),
                None => Pieces(vec![b"null".to_vec()]),
            }),
            Large::Diagnostic(params) => serialized(&backend.diagnostic(params).await?),
            Large::DocumentSymbol(params) => serialized(&backend.document_symbol(params).await?),
            Large::WorkspaceSymbol(params) => serialized(&backend.symbol(params).await?),
            Large::SemanticTokensFull(params) => serialized(&backend.semantic_tokens_full(params).await?),
            Large::SemanticTokensRange(params) => serialized(&backend.semantic_tokens_range(params).await?),
            Large::Completion(params) => serialized(&backend.completion(params).await?),
            Large::Rename(params) => serialized(&backend.rename(params).await?),
        }
    }
}

/// The service tower-lsp's server calls: answers large requests itself,
/// hands the rest to tower-lsp's own service.
pub struct LargeAnswers {
    inner: LspService<Backend>,
    output: Output,
    /// `initialize` answered without error, and no `shutdown` yet.
    ready: Arc<AtomicBool>,
    /// Requests this service is answering, to be told of a cancellation.
    in_flight: Arc<Mutex<HashMap<Id, Arc<tokio::sync::Notify>>>>,
}

impl LargeAnswers {
    pub fn new(inner: LspService<Backend>, output: Output) -> LargeAnswers {
        LargeAnswers { inner, output, ready: Arc::new(AtomicBool::new(false)), in_flight: Arc::default() }
    }

    /// The request's id and parameters, when this service answers it.
    fn take(&self, request: &Request) -> Option<(Id, Large)> {
        if !self.ready.load(Ordering::SeqCst) {
            return None;
        }
        let large = Large::of(request.method(), request.params()?)?;
        Some((request.id()?.clone(), large))
    }
}

impl Service<Request> for LargeAnswers {
    type Response = Option<Response>;
    type Error = <LspService<Backend> as Service<Request>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if let Some((id, large)) = self.take(&request) {
            let backend = self.inner.inner().clone();
            let output = self.output.clone();
            let cancelled = Arc::new(tokio::sync::Notify::new());
            let in_flight = self.in_flight.clone();
            lock(&in_flight).insert(id.clone(), cancelled.clone());
            let method = request.method().to_string();
            return Box::pin(async move {
                let started = std::time::Instant::now();
                let json = tokio::select! {
                    json = large.answer(&backend) => json,
                    () = cancelled.notified() => Err(jsonrpc::Error::request_cancelled()),
                };
                lock(&in_flight).remove(&id);
                let found = started.elapsed();
                let bytes = frame(id, json);
                let size = bytes.len();
                // The writer is gone only when stdout is.
                let _ = output.send_when_room(bytes).await;
                tracing::debug!(method, ?found, written = ?started.elapsed(), size, "answered");
                Ok(None)
            });
        }
        if request.method() == "$/cancelRequest"
            && let Some(id) = request.params().and_then(|p| serde_json::from_value::<Id>(p["id"].clone()).ok())
            && let Some(cancelled) = lock(&self.in_flight).get(&id)
        {
            cancelled.notify_one();
        }
        let method = request.method().to_string();
        let ready = self.ready.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await;
            match method.as_str() {
                "initialize" => {
                    let ok = matches!(&response, Ok(Some(r)) if r.is_ok());
                    ready.store(ok, Ordering::SeqCst);
                }
                "shutdown" => ready.store(false, Ordering::SeqCst),
                _ => {}
            }
            response
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Condvar;
    use std::time::Duration;

    use tokio::io::AsyncWrite;
    use tower_lsp::lsp_types::Position;

    use super::*;

    /// A sink that writes only when the test lets it: a permit a write.
    struct Gated {
        permits: mpsc::Receiver<()>,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Gated {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.permits.recv().map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
            lock(&self.written).extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A waker that records that it was woken.
    #[derive(Default)]
    struct Flag(Mutex<bool>, Condvar);

    impl std::task::Wake for Flag {
        fn wake(self: Arc<Self>) {
            *lock(&self.0) = true;
            self.1.notify_all();
        }
    }

    impl Flag {
        fn woken(&self) -> bool {
            *lock(&self.0)
        }

        /// Waits until woken (the bound is for a hang, not a measurement).
        fn wait(&self) {
            let woken = self.1.wait_timeout_while(lock(&self.0), Duration::from_secs(20), |w| !*w);
            assert!(woken.is_ok_and(|(w, _)| *w), "never woken");
        }
    }

    fn poll<F: Future>(future: Pin<&mut F>, flag: &Arc<Flag>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(&Waker::from(flag.clone())))
    }

    /// An output to a [`Gated`] sink (its permits, what it wrote) whose
    /// queue is full: an empty queue takes a frame of any size at once,
    /// and the writer then waits for its permit.
    fn full_output(flag: &Arc<Flag>) -> (mpsc::Sender<()>, Arc<Mutex<Vec<u8>>>, Output) {
        let (permit, permits) = mpsc::channel();
        let written = Arc::new(Mutex::new(Vec::new()));
        let sink = Gated { permits, written: written.clone() };
        let output = output_to(move || sink);
        {
            let first = std::pin::pin!(output.send_when_room(Pieces(vec![vec![b'a'; QUEUE_LIMIT]])));
            assert!(matches!(poll(first, flag), Poll::Ready(Ok(()))));
        }
        (permit, written, output)
    }

    #[test]
    fn senders_wait_while_the_queue_is_full_and_go_on_once_it_is_written() {
        let flag = Arc::new(Flag::default());
        let (permit, written, output) = full_output(&flag);
        // Full: the next frame waits, and so does tower-lsp's codec.
        let mut second = std::pin::pin!(output.send_when_room(Pieces(vec![b"b".to_vec()])));
        assert!(poll(second.as_mut(), &flag).is_pending());
        let mut codec = output.clone();
        let waker = Waker::from(flag.clone());
        let context = &mut Context::from_waker(&waker);
        assert!(Pin::new(&mut codec).poll_write(context, b"c").is_pending());
        assert!(!flag.woken());
        // Written: the senders are woken and go on, in order.
        permit.send(()).expect("the writer is there");
        flag.wait();
        assert!(matches!(poll(second, &flag), Poll::Ready(Ok(()))));
        assert!(matches!(Pin::new(&mut codec).poll_write(context, b"c"), Poll::Ready(Ok(1))));
        permit.send(()).expect("the writer is there");
        permit.send(()).expect("the writer is there");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while lock(&written).len() < QUEUE_LIMIT + 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let written = lock(&written);
        assert_eq!(written.len(), QUEUE_LIMIT + 2);
        assert!(written[..QUEUE_LIMIT].iter().all(|&b| b == b'a'));
        assert_eq!(&written[QUEUE_LIMIT..], b"bc");
    }

    #[test]
    fn senders_waiting_on_a_closed_output_are_told_it_is_gone() {
        let flag = Arc::new(Flag::default());
        let (permit, _, output) = full_output(&flag);
        let mut second = std::pin::pin!(output.send_when_room(Pieces(vec![b"b".to_vec()])));
        assert!(poll(second.as_mut(), &flag).is_pending());
        // The client goes: the write fails, and the writer is gone.
        drop(permit);
        flag.wait();
        let told = poll(second, &flag);
        assert!(matches!(&told, Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe), "{told:?}");
    }

    #[test]
    fn locations_are_written_as_the_list_of_locations_they_stand_for() {
        let at = |l, a, b| Range::new(Position::new(l, a), Position::new(l, b));
        let uri = |s: &str| Arc::from(Url::parse(s).expect("uri").as_str());
        let mut found = Locations::with_capacity(4);
        found.push(at(9, 9, 9)); // no file yet: dropped
        found.file(uri("file:///c/a%20b.txt"));
        found.push(at(0, 1, 4));
        found.push(at(2, 0, 3));
        found.file(uri("file:///c/empty.txt"));
        found.file(uri("file:///c/%22q%22.txt"));
        found.push(at(1, 5, 6));
        found.push(Range::new(Position::new(u32::MAX, 10), Position::new(70000, 0)));
        let typed = found.to_vec();
        let files: Vec<&str> = typed.iter().map(|l| l.uri.as_str()).collect();
        assert_eq!(
            files,
            ["file:///c/a%20b.txt", "file:///c/a%20b.txt", "file:///c/%22q%22.txt", "file:///c/%22q%22.txt"]
        );
        assert_eq!(typed[2].range, at(1, 5, 6));
        let written = String::from_utf8(found.to_json().joined()).expect("utf-8");
        assert_eq!(written, serde_json::to_string(&typed).expect("json"));
        assert!(written.starts_with(r#"[{"uri":"file:///c/a%20b.txt","range":{"start":{"line":0,"character":1}"#));
        assert_eq!(Locations::default().to_json().joined(), b"[]");
    }

    #[test]
    fn a_large_list_is_written_in_parts_and_joined_in_order() {
        // Parts made apart and put together, with a file split between two
        // of them and an empty one, as `Backend::locations` makes them.
        let part = |from: u32, to: u32| {
            let mut p = Locations::with_capacity(0);
            for i in from..to {
                if i % 3 == 0 || i == from {
                    p.file(Arc::from(format!("file:///c/{}.txt", i / 3)));
                }
                p.push(Range::new(Position::new(i, 0), Position::new(i, 1 + i % 7)));
            }
            p
        };
        let mut middle = Locations::default();
        middle.file(Arc::from("file:///c/999.txt"));
        middle.push(Range::new(Position::new(1, 2), Position::new(1, 3)));
        let all = Locations::concat(vec![part(0, 2500), Locations::default(), middle, part(2500, 5000)]);
        assert_eq!(all.ranges.len(), 5001);
        let typed = all.to_vec();
        assert_eq!(typed[2500].uri.as_str(), "file:///c/999.txt");
        assert_eq!(typed[2501].uri.as_str(), "file:///c/833.txt");
        assert_eq!(typed[2501].range, Range::new(Position::new(2500, 0), Position::new(2500, 1 + 2500 % 7)));
        assert_eq!(all.to_json().joined(), serde_json::to_vec(&typed).expect("json"));
    }

    /// The server's notifications go out as tower-lsp sends them: the same
    /// JSON (strings to escape included), behind their length.
    #[test]
    fn notifications_are_framed_as_tower_lsp_frames_them() {
        use tower_lsp::lsp_types::notification::{Notification, PublishDiagnostics};
        use tower_lsp::lsp_types::{
            Diagnostic, DiagnosticSeverity, DiagnosticTag, NumberOrString, PublishDiagnosticsParams,
        };
        let range = Range::new(Position::new(2, 4), Position::new(2, 17));
        let params = PublishDiagnosticsParams {
            uri: Url::parse("file:///corpus/a%20b.txt").expect("a URI"),
            diagnostics: vec![
                Diagnostic {
                    range,
                    severity: Some(DiagnosticSeverity::WARNING),
                    code: Some(NumberOrString::String("money-figure".into())),
                    source: Some("factls".into()),
                    message: "money figure `$5 million` has no source: \"cite\" one\n".into(),
                    ..Default::default()
                },
                Diagnostic {
                    range,
                    tags: Some(vec![DiagnosticTag::UNNECESSARY]),
                    message: "source `[^ap]` is never cited".into(),
                    ..Default::default()
                },
            ],
            version: Some(7),
        };
        let ours = notification(PublishDiagnostics::METHOD, &params).expect("serialised").joined();
        let ours = String::from_utf8(ours).expect("UTF-8");
        let (header, body) = ours.split_once("\r\n\r\n").expect("a header");
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let theirs =
            Request::build(PublishDiagnostics::METHOD).params(serde_json::to_value(&params).expect("a value")).finish();
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body, serde_json::to_value(&theirs).expect("a value"));
        assert_eq!(
            body["params"]["diagnostics"][0]["message"],
            "money figure `$5 million` has no source: \"cite\" one\n"
        );
    }

    /// Once the server is initialized, the requests whose answers grow
    /// with a document or the corpus are answered here (the service
    /// returns no response for tower-lsp to write) and written to the
    /// output; before, tower-lsp answers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_requests_are_answered_here_once_initialized() {
        let (permit, permits) = mpsc::channel();
        for _ in 0..64 {
            permit.send(()).expect("the sink waits");
        }
        let written = Arc::new(Mutex::new(Vec::new()));
        let sink = Gated { permits, written: written.clone() };
        let output = output_to(move || sink);
        let backend_output = output.clone();
        let (service, _socket) = LspService::new(move |client| Backend::new(client, backend_output));
        let mut service = LargeAnswers::new(service, output);
        async fn call(service: &mut LargeAnswers, request: Request) -> Option<Response> {
            std::future::poll_fn(|cx| service.poll_ready(cx)).await.expect("ready");
            service.call(request).await.expect("a service result")
        }
        let request = |id: i64, method: &str, params: serde_json::Value| {
            Request::build(method.to_string()).id(id).params(params).finish()
        };
        let document = serde_json::json!({"uri": "file:///nowhere/a.txt"});
        let at = serde_json::json!({"line": 0, "character": 1});
        let pull = serde_json::json!({"textDocument": document});
        let early = call(&mut service, request(1, "textDocument/diagnostic", pull.clone())).await;
        assert!(early.is_some_and(|r| !r.is_ok()), "tower-lsp answers before initialize");
        let init = request(2, "initialize", serde_json::json!({"capabilities": {}}));
        assert!(call(&mut service, init).await.is_some_and(|r| r.is_ok()));
        let requests = [
            ("textDocument/diagnostic", pull.clone()),
            (
                "textDocument/references",
                serde_json::json!({"textDocument": document, "position": at, "context": {"includeDeclaration": true}}),
            ),
            ("textDocument/documentSymbol", pull.clone()),
            ("workspace/symbol", serde_json::json!({"query": "a"})),
            ("textDocument/semanticTokens/full", pull.clone()),
            (
                "textDocument/semanticTokens/range",
                serde_json::json!({"textDocument": document, "range": {"start": at, "end": at}}),
            ),
            ("textDocument/completion", serde_json::json!({"textDocument": document, "position": at})),
            ("textDocument/rename", serde_json::json!({"textDocument": document, "position": at, "newName": "b"})),
        ];
        for (id, (method, params)) in (3..).zip(requests) {
            assert!(call(&mut service, request(id, method, params)).await.is_none(), "tower-lsp answered {method}");
        }
        // Answers with a result each (the bound is for a hang).
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let frames = loop {
            let bytes = String::from_utf8(lock(&written).clone()).expect("UTF-8");
            if bytes.matches("Content-Length").count() >= 8 || std::time::Instant::now() > deadline {
                break bytes;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let bodies: Vec<serde_json::Value> = frames
            .split("Content-Length: ")
            .skip(1)
            .map(|frame| {
                let (length, body) = frame.split_once("\r\n\r\n").expect("a header");
                assert_eq!(length.parse::<usize>().ok(), Some(body.len()));
                serde_json::from_str(body).expect("JSON")
            })
            .collect();
        let ids: Vec<i64> = bodies.iter().filter_map(|b| b["id"].as_i64()).collect();
        assert_eq!(ids, (3..11).collect::<Vec<_>>());
        assert_eq!(bodies[0], serde_json::json!({"jsonrpc": "2.0", "result": {"kind": "full", "items": []}, "id": 3}));
        assert!(bodies.iter().all(|b| b.get("result").is_some()), "{bodies:?}");
    }

    #[test]
    fn answers_are_framed() {
        let ok = frame(Id::Number(3), Ok(Pieces(vec![b"[1,".to_vec(), Vec::new(), b"2]".to_vec()]))).joined();
        assert_eq!(
            String::from_utf8_lossy(&ok),
            "Content-Length: 39\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":[1,2],\"id\":3}"
        );
        let err = frame(Id::String("a".into()), Err(jsonrpc::Error::internal_error())).joined();
        assert_eq!(
            String::from_utf8_lossy(&err),
            "Content-Length: 77\r\n\r\n{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\"},\"id\":\"a\"}"
        );
    }
}
