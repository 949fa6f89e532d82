//! Large answers, written as JSON straight from their types.
//!
//! tower-lsp turns every result into a `serde_json::Value` tree, then
//! into a string, then drops the tree: for the 2,500 locations of a name
//! mentioned across 50,000 documents that was two thirds of a
//! `textDocument/references` (docs/PERFORMANCE.md). So this module owns
//! stdout:
//!
//! - [`output`]: one thread writes every message to stdout, in the order
//!   they were handed over: what tower-lsp writes (its codec hands over
//!   whole frames, one buffer at a time) and the frames [`LargeAnswers`]
//!   makes;
//! - [`LargeAnswers`]: a service in front of tower-lsp's that answers
//!   `textDocument/references` itself, through the same backend method,
//!   once the server is initialized and until it shuts down (before and
//!   after, and for parameters it cannot read, tower-lsp answers, with
//!   its errors); a `$/cancelRequest` for one of its requests still in
//!   flight ends it with tower-lsp's answer to a cancelled request.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};

use serde::Serialize;
use serde_json::value::RawValue;
use tower::Service;
use tower_lsp::LspService;
use tower_lsp::jsonrpc::{self, Id, Request, Response};
use tower_lsp::lsp_types::{Location, Range, ReferenceParams, Url};

use super::server::Backend;
use super::state::lock;

/// The way to stdout: bytes handed over here are written in order by one
/// thread. As tower-lsp's output it takes whole buffers (which its codec
/// fills with whole frames), so frames from elsewhere never land inside
/// one of its messages.
#[derive(Clone)]
pub struct Output {
    to_writer: mpsc::Sender<Vec<u8>>,
}

impl Output {
    /// Hands over one whole frame (or several).
    fn send(&self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.to_writer.send(bytes).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// Starts the thread that owns stdout.
pub fn output() -> Output {
    let (to_writer, queue) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        for bytes in queue {
            if stdout.write_all(&bytes).and_then(|()| stdout.flush()).is_err() {
                break; // the client is gone; senders see a closed channel
            }
        }
    });
    Output { to_writer }
}

impl tokio::io::AsyncWrite for Output {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.send(buf.to_vec()).map(|()| buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Locations file by file (a references answer): written as the list of
/// `Location`s it stands for, each file's URI escaped once for all of its
/// ranges.
#[derive(Debug, Default)]
pub struct Locations {
    /// Each file's URI, and the end of its ranges in `ranges`.
    files: Vec<(Url, usize)>,
    ranges: Vec<Range>,
}

impl Locations {
    pub fn with_capacity(ranges: usize) -> Locations {
        Locations { files: Vec::new(), ranges: Vec::with_capacity(ranges) }
    }

    /// The ranges pushed from now on are in `uri`.
    pub fn file(&mut self, uri: Url) {
        self.files.push((uri, self.ranges.len()));
    }

    /// A range in the last file.
    pub fn push(&mut self, range: Range) {
        if let Some((_, end)) = self.files.last_mut() {
            self.ranges.push(range);
            *end = self.ranges.len();
        }
    }

    /// Each file's URI and its ranges, in order.
    fn by_file(&self) -> impl Iterator<Item = (&Url, &[Range])> {
        let mut start = 0;
        self.files.iter().map(move |(uri, end)| {
            let ranges = &self.ranges[start..*end];
            start = *end;
            (uri, ranges)
        })
    }

    pub fn to_vec(&self) -> Vec<Location> {
        let mut out = Vec::with_capacity(self.ranges.len());
        for (uri, ranges) in self.by_file() {
            out.extend(ranges.iter().map(|range| Location { uri: uri.clone(), range: *range }));
        }
        out
    }
}

impl Serialize for Locations {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        #[derive(Serialize)]
        struct One<'a> {
            uri: &'a RawValue,
            range: &'a Range,
        }
        let mut seq = serializer.serialize_seq(Some(self.ranges.len()))?;
        for (uri, ranges) in self.by_file() {
            let escaped = serde_json::to_string(uri.as_str()).map_err(S::Error::custom)?;
            let uri = RawValue::from_string(escaped).map_err(S::Error::custom)?;
            for range in ranges {
                seq.serialize_element(&One { uri: &uri, range })?;
            }
        }
        seq.end()
    }
}

/// A JSON-RPC response frame for `id`: the result, or the error.
fn frame(id: Id, result: jsonrpc::Result<impl Serialize>) -> Vec<u8> {
    #[derive(Serialize)]
    struct Answer<R> {
        jsonrpc: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        result: Option<R>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<jsonrpc::Error>,
        id: Id,
    }
    let (result, error) = match result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    let body = serde_json::to_vec(&Answer { jsonrpc: "2.0", result, error, id }).unwrap_or_else(|e| {
        tracing::error!("cannot write an answer: {e}");
        Vec::new()
    });
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
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
    fn take(&self, request: &Request) -> Option<(Id, ReferenceParams)> {
        if request.method() != "textDocument/references" || !self.ready.load(Ordering::SeqCst) {
            return None;
        }
        let params = serde_json::from_value(request.params()?.clone()).ok()?;
        Some((request.id()?.clone(), params))
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
        if let Some((id, params)) = self.take(&request) {
            let backend = self.inner.inner().clone();
            let output = self.output.clone();
            let cancelled = Arc::new(tokio::sync::Notify::new());
            let in_flight = self.in_flight.clone();
            lock(&in_flight).insert(id.clone(), cancelled.clone());
            return Box::pin(async move {
                let started = std::time::Instant::now();
                let answer = tokio::select! {
                    answer = backend.reference_locations(params) => answer,
                    () = cancelled.notified() => Err(jsonrpc::Error::request_cancelled()),
                };
                lock(&in_flight).remove(&id);
                let found = started.elapsed();
                let bytes = frame(id, answer);
                let size = bytes.len();
                // The writer is gone only when stdout is.
                let _ = output.send(bytes);
                tracing::debug!(?found, written = ?started.elapsed(), size, "references answered");
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
    use super::*;

    #[test]
    fn locations_are_written_as_the_list_of_locations_they_stand_for() {
        let at =
            |l, a, b| Range::new(tower_lsp::lsp_types::Position::new(l, a), tower_lsp::lsp_types::Position::new(l, b));
        let uri = |s: &str| Url::parse(s).expect("uri");
        let mut found = Locations::with_capacity(4);
        found.push(at(9, 9, 9)); // no file yet: dropped
        found.file(uri("file:///c/a%20b.txt"));
        found.push(at(0, 1, 4));
        found.push(at(2, 0, 3));
        found.file(uri("file:///c/empty.txt"));
        found.file(uri("file:///c/%22q%22.txt"));
        found.push(at(1, 5, 6));
        let typed = found.to_vec();
        let files: Vec<&str> = typed.iter().map(|l| l.uri.as_str()).collect();
        assert_eq!(files, ["file:///c/a%20b.txt", "file:///c/a%20b.txt", "file:///c/%22q%22.txt"]);
        assert_eq!(typed[2].range, at(1, 5, 6));
        let written = serde_json::to_string(&found).expect("json");
        assert_eq!(written, serde_json::to_string(&typed).expect("json"));
        assert!(written.starts_with(r#"[{"uri":"file:///c/a%20b.txt","range":{"start":{"line":0,"character":1}"#));
        assert_eq!(serde_json::to_string(&Locations::default()).expect("json"), "[]");
    }

    #[test]
    fn answers_are_framed() {
        let ok = frame(Id::Number(3), Ok(vec![1, 2]));
        assert_eq!(
            String::from_utf8_lossy(&ok),
            "Content-Length: 39\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":[1,2],\"id\":3}"
        );
        let err = frame(Id::String("a".into()), Err::<(), _>(jsonrpc::Error::internal_error()));
        assert_eq!(
            String::from_utf8_lossy(&err),
            "Content-Length: 77\r\n\r\n{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\"},\"id\":\"a\"}"
        );
    }
}
