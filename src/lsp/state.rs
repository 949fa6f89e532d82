//! Server state: corpora (one per root) as immutable snapshots swapped on
//! change, and the open documents as the editor has them.
//!
//! Invariants:
//! - `did_change` applies edits under a plain mutex with no `.await` in
//!   between, so edits apply in arrival order;
//! - analysis runs on blocking threads; a snapshot is `Arc<Corpus>`, cheap to
//!   take, never locked while analysing; writers of a root's snapshot are
//!   serialised by its `update` lock;
//! - corpus-wide work (indexing, re-resolution, reloads) runs in its own
//!   rayon pool at a lower priority ([`background`]), an edit's analysis in
//!   rayon's global pool, so the edit never queues behind the corpus;
//! - an open document always wins over its copy on disk;
//! - every published diagnostic carries the version it was computed for,
//!   and a result for an older version than the editor's is never
//!   published; every publish goes through [`State::publish_diagnostics`],
//!   written from its types in the order of the calls;
//! - an edit never waits for the corpus: when it changes the names or the
//!   sources of the corpus, the corpus-wide re-resolution runs later, in the
//!   background, and is swapped in when done.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;
use tower_lsp::Client;
use tower_lsp::lsp_types::{
    self as lsp, NumberOrString, ProgressParams, ProgressParamsValue, Url, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressCreateParams, WorkDoneProgressEnd, WorkDoneProgressReport,
};

use super::convert;
use super::large::Output;
use crate::analysis::SourceText;
use crate::analysis::text::Encoding;
use crate::index::Corpus;
use crate::index::editable::EditableText;
use crate::index::walk::{find_root, read_document};

/// Up to this many documents, a change to the corpus's names or sources is
/// applied to every document within the edit itself.
const INLINE_GLOBAL_DOCS: usize = 200;

/// Takes the config and knowledge-base files as they are now (and new
/// `settings`) into `corpus`: checked at once, and when what documents
/// read of them changed, the corpus reloaded here up to
/// [`INLINE_GLOBAL_DOCS`] documents; `true` when its reload is left due,
/// for the background ([`State::schedule_global`]).
fn take_aux_files(corpus: &mut Corpus, settings: Option<&Value>) -> bool {
    corpus.defer_reload(settings);
    if corpus.reload_due() && corpus.docs.len() <= INLINE_GLOBAL_DOCS {
        corpus.reload(None);
    }
    corpus.reload_due()
}

/// Whether an edit changed what other documents depend on.
enum Global {
    None,
    /// Re-resolved within the edit (a small corpus).
    Done,
    /// To be re-resolved in the background.
    Due,
}

/// What the client said it can do, and what was negotiated.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub encoding: Encoding,
    pub progress: bool,
    pub pull_diagnostics: bool,
    pub watch_dynamic: bool,
    pub create_files: bool,
    pub settings: Option<Value>,
    pub folders: Vec<PathBuf>,
}

/// One corpus root.
pub struct Slot {
    pub root: PathBuf,
    /// Whether the root's files are indexed (a workspace folder or a root
    /// with a marker file) or only its open documents (a lone file's folder).
    pub index_disk: bool,
    snapshot: RwLock<Arc<Corpus>>,
    /// Bumped on every swap of the snapshot.
    generation: AtomicU64,
    update: tokio::sync::Mutex<()>,
    global_pending: AtomicBool,
    pub ready: AtomicBool,
    /// Aux files whose diagnostics were published, to clear them later.
    aux_published: Mutex<Vec<Url>>,
}

impl Slot {
    pub fn snapshot(&self) -> Arc<Corpus> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, corpus: Corpus) {
        let mut guard = match self.snapshot.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(corpus);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

pub struct OpenDoc {
    pub path: PathBuf,
    pub text: EditableText,
    pub version: i32,
    pub slot: Arc<Slot>,
    /// The version whose analysis is in the slot's snapshot.
    pub analyzed: Option<i32>,
    /// The version whose diagnostics were last published.
    pub published: Option<i32>,
    /// The version and diagnostics last sent: a refresh of the same
    /// version that finds the same diagnostics sends nothing.
    pub sent: Option<(i32, Vec<lsp::Diagnostic>)>,
}

pub struct State {
    pub client: Client,
    /// Where the diagnostics go (stdout's writer, shared with tower-lsp).
    output: Output,
    pub session: RwLock<Session>,
    slots: RwLock<Vec<Arc<Slot>>>,
    pub open: Mutex<HashMap<Url, OpenDoc>>,
    /// Held from choosing an open document's version to publish until its
    /// diagnostics are handed to the client: two publishes of one document
    /// racing would otherwise reach the editor newest first.
    publishing: tokio::sync::Mutex<()>,
    progress_tokens: AtomicU64,
}

/// The guard of `m`, also after a thread panicked while holding it.
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The threads of one piece of corpus-wide work (indexing, re-resolution,
/// a reload, a document changed on disk): a rayon pool of its own, so
/// that the parallel loops of an edit's analysis, in rayon's global pool,
/// never queue behind it (rayon takes a job from outside a pool only when
/// its threads have no work of their own left: an edit of a long document
/// waited seconds for an index of 50,000 documents). Made for each piece
/// of work and dropped after it: its threads end, and glibc hands their
/// malloc arenas to the next threads instead of making new ones (a pool
/// kept alive cost the server 5 MB at 10,000 documents). `None` if its
/// threads could not be started: the global pool then does both.
fn background_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("factls-background-{i}"))
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|e| tracing::warn!("no background threads ({e}); corpus work shares the edits' threads"))
        .ok()
}

/// Lowers the calling thread's priority (on Linux, where a nice value is a
/// thread's own): with both cores indexing, an edit's threads still get
/// the better part of them.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `0` is the calling thread.
    unsafe {
        if libc::setpriority(libc::PRIO_PROCESS, 0, 10) != 0 {
            tracing::debug!("background thread keeps its priority");
        }
    }
}

/// [`blocking`], in the background pool.
pub async fn background<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    blocking(move || match background_pool() {
        Some(pool) => pool.install(f),
        None => f(),
    })
    .await
}

/// Runs `f` on a blocking thread; a panic inside becomes `None` (logged).
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(_)) | Err(_) => {
            tracing::error!("analysis panicked; the previous state is kept");
            None
        }
    }
}

impl State {
    pub fn new(client: Client, output: Output) -> State {
        State {
            client,
            output,
            session: RwLock::new(Session::default()),
            slots: RwLock::new(Vec::new()),
            open: Mutex::new(HashMap::new()),
            publishing: tokio::sync::Mutex::new(()),
            progress_tokens: AtomicU64::new(0),
        }
    }

    pub fn session(&self) -> Session {
        match self.session.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.session().encoding
    }

    fn slots(&self) -> Vec<Arc<Slot>> {
        match self.slots.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The slot whose root is the deepest one containing `path`.
    pub fn slot_containing(&self, path: &Path) -> Option<Arc<Slot>> {
        self.slots().into_iter().filter(|s| path.starts_with(&s.root)).max_by_key(|s| s.root.components().count())
    }

    /// The slot for a root, created (and indexed in the background) if new.
    pub fn slot_for_root(self: &Arc<Self>, root: &Path, index_disk: bool) -> Arc<Slot> {
        let mut slots = match self.slots.write() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if let Some(s) = slots.iter().find(|s| s.root == root) {
            return s.clone();
        }
        let settings = self.session().settings;
        let mut corpus = Corpus::empty(root);
        if settings.is_some() {
            corpus.reload(settings.as_ref());
        }
        let slot = Arc::new(Slot {
            root: root.to_path_buf(),
            index_disk,
            snapshot: RwLock::new(Arc::new(corpus)),
            generation: AtomicU64::new(0),
            update: tokio::sync::Mutex::new(()),
            global_pending: AtomicBool::new(false),
            ready: AtomicBool::new(!index_disk),
            aux_published: Mutex::new(Vec::new()),
        });
        slots.push(slot.clone());
        drop(slots);
        let state = self.clone();
        let s = slot.clone();
        tokio::spawn(async move {
            if s.index_disk {
                state.index(&s).await;
            } else {
                state.publish_aux(&s).await;
            }
        });
        slot
    }

    /// The slot for a document: the deepest existing root holding it, else
    /// the root found by marker files, else its workspace folder, else its
    /// own folder (which then serves its open documents only).
    pub fn slot_for_document(self: &Arc<Self>, path: &Path) -> Arc<Slot> {
        let marker_root = find_root(path);
        let has_marker = marker_root.join(crate::analysis::config::CONFIG_FILE).is_file()
            || marker_root.join("entities.toml").is_file();
        if let Some(slot) = self.slot_containing(path)
            && (!has_marker || slot.root.starts_with(&marker_root))
        {
            return slot;
        }
        if has_marker {
            return self.slot_for_root(&marker_root, true);
        }
        let folder =
            self.session().folders.into_iter().filter(|f| path.starts_with(f)).max_by_key(|f| f.components().count());
        match folder {
            Some(f) => self.slot_for_root(&f, true),
            None => self.slot_for_root(path.parent().unwrap_or(Path::new("/")), false),
        }
    }

    async fn begin_progress(&self, title: &str) -> Option<NumberOrString> {
        if !self.session().progress {
            return None;
        }
        let n = self.progress_tokens.fetch_add(1, Ordering::Relaxed);
        let token = NumberOrString::String(format!("factls/index/{n}"));
        let created = self
            .client
            .send_request::<lsp::request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
            .await;
        if created.is_err() {
            return None;
        }
        self.progress(
            &token,
            WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: title.to_string(),
                cancellable: Some(false),
                message: Some("finding documents".into()),
                percentage: Some(0),
            }),
        )
        .await;
        Some(token)
    }

    async fn progress(&self, token: &NumberOrString, value: WorkDoneProgress) {
        self.client
            .send_notification::<lsp::notification::Progress>(ProgressParams {
                token: token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            })
            .await;
    }

    /// Indexes a root's documents in the background, with progress; open
    /// documents are kept as the editor has them.
    pub async fn index(self: &Arc<Self>, slot: &Arc<Slot>) {
        let token = self.begin_progress(&format!("factls: indexing {}", slot.root.display())).await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let root = slot.root.clone();
        let settings = self.session().settings;
        let previous = slot.snapshot();
        let load = background(move || {
            let last = Mutex::new(std::time::Instant::now());
            Corpus::load_with(&root, settings.as_ref(), Some(&previous), |done, total| {
                let mut t = lock(&last);
                if done == total || t.elapsed() >= Duration::from_millis(100) {
                    *t = std::time::Instant::now();
                    let _ = tx.send((done, total));
                }
            })
        });
        let reporter = {
            let state = self.clone();
            let token = token.clone();
            tokio::spawn(async move {
                while let Some((done, total)) = rx.recv().await {
                    if let Some(t) = &token {
                        let percentage = (done * 100).checked_div(total).unwrap_or(100) as u32;
                        state
                            .progress(
                                t,
                                WorkDoneProgress::Report(WorkDoneProgressReport {
                                    cancellable: Some(false),
                                    message: Some(format!("{done}/{total} documents")),
                                    percentage: Some(percentage),
                                }),
                            )
                            .await;
                    }
                }
            })
        };
        let loaded = load.await;
        let _ = reporter.await;
        if let Some(corpus) = loaded {
            let docs = corpus.docs.len();
            for p in corpus.problems.iter() {
                self.client
                    .log_message(lsp::MessageType::WARNING, format!("factls: {}: {}", p.path.display(), p.message))
                    .await;
            }
            self.swap_with_open_documents(slot, corpus).await;
            slot.ready.store(true, Ordering::SeqCst);
            if let Some(t) = &token {
                self.progress(
                    t,
                    WorkDoneProgress::End(WorkDoneProgressEnd { message: Some(format!("{docs} documents indexed")) }),
                )
                .await;
            }
        } else if let Some(t) = &token {
            self.progress(t, WorkDoneProgress::End(WorkDoneProgressEnd { message: Some("indexing failed".into()) }))
                .await;
        }
        self.after_global_change(slot).await;
    }

    /// Installs a freshly built corpus, putting the open documents' texts
    /// back in (they win over disk).
    async fn swap_with_open_documents(self: &Arc<Self>, slot: &Arc<Slot>, corpus: Corpus) {
        let _guard = slot.update.lock().await;
        let open: Vec<(Url, PathBuf, String, i32)> = {
            let open = lock(&self.open);
            open.iter()
                .filter(|(_, d)| Arc::ptr_eq(&d.slot, slot))
                .map(|(u, d)| (u.clone(), d.path.clone(), d.text.text(), d.version))
                .collect()
        };
        let versions: Vec<(Url, i32)> = open.iter().map(|(u, _, _, v)| (u.clone(), *v)).collect();
        let built = background(move || {
            let mut corpus = corpus;
            let mut global = false;
            for (_, path, text, _) in open {
                let doc = corpus.analyze_alone(&path, SourceText::new(text));
                global |= corpus.insert_deferred(doc);
            }
            if global {
                corpus.rebuild_global();
            }
            corpus
        })
        .await;
        if let Some(corpus) = built {
            slot.set(corpus);
            let mut open = lock(&self.open);
            for (uri, v) in versions {
                if let Some(d) = open.get_mut(&uri) {
                    d.analyzed = Some(v);
                }
            }
        }
    }

    /// Makes the slot's snapshot hold the latest text of an open document;
    /// returns the snapshot and the version it holds.
    pub async fn ensure_fresh(self: &Arc<Self>, uri: &Url) -> Option<(Arc<Corpus>, PathBuf, i32)> {
        let slot = {
            let open = lock(&self.open);
            let d = open.get(uri)?;
            if d.analyzed == Some(d.version) {
                return Some((d.slot.snapshot(), d.path.clone(), d.version));
            }
            d.slot.clone()
        };
        let _guard = slot.update.lock().await;
        let (path, text, version) = {
            let open = lock(&self.open);
            let d = open.get(uri)?;
            if d.analyzed == Some(d.version) {
                return Some((d.slot.snapshot(), d.path.clone(), d.version));
            }
            (d.path.clone(), d.text.text(), d.version)
        };
        let base = slot.snapshot();
        tracing::debug!(docs = base.docs.len(), sources = base.sources.by_key.len(), version, "ensure_fresh");
        let p = path.clone();
        let aux = base.is_aux_file(&path);
        let settings = self.session().settings;
        let started = std::time::Instant::now();
        let (corpus, change) = blocking(move || {
            let mut corpus = (*base).clone();
            if aux {
                // The knowledge base or config as the editor has it,
                // checked at once; when what documents read of it changed,
                // a small corpus is reloaded within the edit, a large one
                // in the background.
                corpus.set_override(&p, Some(text));
                let due = if take_aux_files(&mut corpus, settings.as_ref()) { Global::Due } else { Global::None };
                return (corpus, due);
            }
            let doc = corpus.analyze_alone(&p, SourceText::new(text));
            if !corpus.insert_deferred(doc) {
                return (corpus, Global::None);
            }
            // A small corpus is re-resolved at once, so a name introduced by
            // this very edit is known right away; a large one in the
            // background, so the edit does not wait.
            if corpus.docs.len() <= INLINE_GLOBAL_DOCS {
                corpus.rebuild_global();
                (corpus, Global::Done)
            } else {
                (corpus, Global::Due)
            }
        })
        .await?;
        slot.set(corpus);
        tracing::debug!(elapsed = ?started.elapsed(), version, "document analysed");
        if let Some(d) = lock(&self.open).get_mut(uri) {
            d.analyzed = Some(version);
        }
        match change {
            Global::None => {}
            Global::Due => self.schedule_global(&slot),
            // Other open documents may read differently now (a new name, a
            // source defined): their diagnostics go out again.
            Global::Done => {
                let state = self.clone();
                let slot = slot.clone();
                tokio::spawn(async move { state.after_global_change(&slot).await });
            }
        }
        Some((slot.snapshot(), path, version))
    }

    /// Re-resolves the corpus of a slot (the documents the change reaches,
    /// `Corpus::rebuild_global`) in the background, after a change to
    /// names or sources. It starts once no edit has landed for
    /// 150 ms and runs on a snapshot without any lock; an edit landing
    /// meanwhile stops it (its result would be stale) and it starts again
    /// at the next pause. Edits never wait for it, nor share the cores
    /// with it while the user types.
    pub fn schedule_global(self: &Arc<Self>, slot: &Arc<Slot>) {
        if slot.global_pending.swap(true, Ordering::SeqCst) {
            return;
        }
        let state = self.clone();
        let slot = slot.clone();
        tokio::spawn(async move {
            loop {
                // Starts once no edit has landed for 150 ms: while the user
                // types, the cores are the edits'.
                let generation = slot.generation.load(Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                if slot.generation.load(Ordering::SeqCst) != generation {
                    continue;
                }
                let base = slot.snapshot();
                let watched = slot.clone();
                let Some(rebuilt) = background(move || {
                    let mut c = (*base).clone();
                    // An edit landing meanwhile makes the result stale: stop
                    // at once rather than compete with the edits for the
                    // cores, and start again after the pause.
                    let stale = || watched.generation.load(Ordering::SeqCst) != generation;
                    if c.reload_due() { c.reloaded_unless(&stale) } else { c.rebuild_global_unless(&stale).map(|_| c) }
                })
                .await
                else {
                    slot.global_pending.store(false, Ordering::SeqCst);
                    return;
                };
                let Some(rebuilt) = rebuilt else { continue };
                let _guard = slot.update.lock().await;
                if slot.generation.load(Ordering::SeqCst) == generation {
                    slot.global_pending.store(false, Ordering::SeqCst);
                    slot.set(rebuilt);
                    break;
                }
            }
            state.after_global_change(&slot).await;
        });
    }

    /// After a corpus-wide change: fresh diagnostics for every open document
    /// of the slot (or a refresh request for pull clients) and for its
    /// knowledge base and config files.
    /// (Boxed: it publishes documents, and publishing a knowledge-base file
    /// comes back here.)
    pub fn after_global_change(self: &Arc<Self>, slot: &Arc<Slot>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let state = self.clone();
        let slot = slot.clone();
        Box::pin(async move { state.refresh_slot(&slot).await })
    }

    async fn refresh_slot(self: &Arc<Self>, slot: &Arc<Slot>) {
        let corpus = slot.snapshot();
        let uris: Vec<Url> = {
            let open = lock(&self.open);
            open.iter()
                .filter(|(_, d)| Arc::ptr_eq(&d.slot, slot) && !corpus.is_aux_file(&d.path))
                .map(|(u, _)| u.clone())
                .collect()
        };
        let session = self.session();
        if session.pull_diagnostics {
            // lsp-types 0.94 reads `workspace.diagnostic`, not the spec's
            // `workspace.diagnostics`, so `refreshSupport` is not seen:
            // ask anyway; a client without it answers with an error.
            {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.send_request::<lsp::request::WorkspaceDiagnosticRefresh>(()).await;
                });
            }
        } else {
            for uri in uris {
                if let Some(d) = lock(&self.open).get_mut(&uri) {
                    d.published = None;
                }
                self.publish(&uri).await;
            }
        }
        self.publish_aux(slot).await;
    }

    /// Publishes diagnostics of the knowledge-base and config files, and of
    /// the sources files when the editor does not have them open (their
    /// findings are about the whole corpus: a source nobody cites).
    pub async fn publish_aux(&self, slot: &Arc<Slot>) {
        let corpus = slot.snapshot();
        let enc = self.encoding();
        let mut now = Vec::new();
        let open: Vec<PathBuf> = lock(&self.open).values().map(|d| d.path.clone()).collect();
        if !self.session().pull_diagnostics {
            for (path, doc) in
                corpus.docs.iter().filter(|(p, _)| corpus.is_source_file(p) && !open.contains(&p.to_path_buf()))
            {
                let Some(uri) = convert::uri(path) else { continue };
                let diags =
                    corpus.diagnostics(path).into_iter().map(|d| convert::diagnostic(&doc.source, d, enc)).collect();
                self.publish_diagnostics(uri.clone(), diags, None).await;
                now.push(uri);
            }
        }
        for aux in corpus.aux_files() {
            let Some(uri) = convert::uri(&aux.path) else { continue };
            let src = aux.source.clone().unwrap_or_else(|| SourceText::new(""));
            let diags = aux.diagnostics.iter().map(|d| convert::diagnostic(&src, d.clone(), enc)).collect();
            self.publish_diagnostics(uri.clone(), diags, None).await;
            now.push(uri);
        }
        let stale: Vec<Url> = {
            let mut published = lock(&slot.aux_published);
            let stale = published.iter().filter(|u| !now.contains(u)).cloned().collect();
            *published = now;
            stale
        };
        for uri in stale {
            self.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    /// Sends `textDocument/publishDiagnostics`, serialised from its types
    /// (tower-lsp's client makes a value tree of it first: 0.60 ms for the
    /// 310 diagnostics of a 50 KB document, against 0.08 ms).
    async fn publish_diagnostics(&self, uri: Url, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        use lsp::notification::{Notification, PublishDiagnostics};
        let params = lsp::PublishDiagnosticsParams { uri, diagnostics, version };
        self.output.notify(PublishDiagnostics::METHOD, &params).await;
    }

    /// Analyses an open document's latest text and pushes its diagnostics,
    /// stamped with that version, unless a newer version has arrived.
    pub async fn publish(self: &Arc<Self>, uri: &Url) {
        if self.session().pull_diagnostics {
            let _ = self.ensure_fresh(uri).await;
            return;
        }
        let Some((corpus, path, version)) = self.ensure_fresh(uri).await else { return };
        if corpus.is_aux_file(&path) {
            // Its diagnostics, and everything it changed, go out with the
            // corpus-wide refresh (spawned: it publishes documents too).
            if let Some(slot) = self.slot_containing(&path) {
                let state = self.clone();
                tokio::spawn(async move { state.after_global_change(&slot).await });
            }
            return;
        }
        let started = std::time::Instant::now();
        let in_order = self.publishing.lock().await;
        let diagnostics: Vec<lsp::Diagnostic> = {
            let mut open = lock(&self.open);
            let Some(d) = open.get_mut(uri) else { return };
            if d.version != version || d.published.is_some_and(|p| p >= version) {
                return;
            }
            d.published = Some(version);
            let Some(doc) = corpus.document(&path) else { return };
            let enc = self.encoding();
            let diagnostics: Vec<lsp::Diagnostic> =
                corpus.diagnostics(&path).into_iter().map(|x| convert::diagnostic(&doc.source, x, enc)).collect();
            if d.sent.as_ref().is_some_and(|(v, sent)| *v == version && *sent == diagnostics) {
                return;
            }
            d.sent = Some((version, diagnostics.clone()));
            diagnostics
        };
        let count = diagnostics.len();
        self.publish_diagnostics(uri.clone(), diagnostics, Some(version)).await;
        drop(in_order);
        tracing::debug!(elapsed = ?started.elapsed(), version, count, "diagnostics published");
    }

    /// A snapshot that holds the latest text of `uri` (open or on disk).
    pub async fn snapshot_for(self: &Arc<Self>, uri: &Url) -> Option<(Arc<Corpus>, PathBuf)> {
        if let Some((corpus, path, _)) = self.ensure_fresh(uri).await {
            return Some((corpus, path));
        }
        let path = convert::path(uri)?;
        let slot = self.slot_containing(&path)?;
        Some((slot.snapshot(), path))
    }

    /// A file changed, appeared or vanished on disk.
    pub async fn file_changed(self: &Arc<Self>, path: PathBuf, deleted: bool) {
        let Some(slot) = self.slot_containing(&path) else { return };
        let is_open = {
            let open = lock(&self.open);
            open.values().any(|d| d.path == path)
        };
        let corpus = slot.snapshot();
        if corpus.is_aux_file(&path) {
            self.reload(&slot).await;
            return;
        }
        if is_open || !slot.index_disk || !corpus.accepts(&path) {
            return;
        }
        self.take_disk_copy(&slot, path, !deleted).await;
    }

    /// Puts a document's copy on disk into the slot's corpus (`read`), or
    /// removes the document (deleted, or not to be read).
    async fn take_disk_copy(self: &Arc<Self>, slot: &Arc<Slot>, path: PathBuf, read: bool) {
        let guard = slot.update.lock().await;
        let base = slot.snapshot();
        let result = background(move || {
            let mut c = (*base).clone();
            let global = match read.then(|| read_document(&path).ok()).flatten() {
                Some(t) => {
                    let doc = c.analyze_alone(&path, SourceText::new(t));
                    c.insert_deferred(doc)
                }
                None => c.remove_document(&path) == crate::index::Change::Global,
            };
            (c, global)
        })
        .await;
        drop(guard);
        if let Some((c, global)) = result {
            slot.set(c);
            if global {
                self.schedule_global(slot);
            }
        }
    }

    /// Re-reads config and knowledge base of a slot (after a change on disk
    /// or in the settings); the documents are analysed again when what
    /// they read of them changed.
    pub async fn reload(self: &Arc<Self>, slot: &Arc<Slot>) {
        self.reload_with(slot, None).await;
    }

    /// [`State::reload`], after setting or dropping (`None` text) the
    /// editor's copy of a knowledge-base or config file. The config and
    /// knowledge-base files are checked at once; when what documents read
    /// of them changed, a large corpus is reloaded in the background
    /// ([`State::schedule_global`]): edits do not wait for it.
    async fn reload_with(self: &Arc<Self>, slot: &Arc<Slot>, aux: Option<(PathBuf, Option<String>)>) {
        let mut deferred = false;
        {
            let _guard = slot.update.lock().await;
            let base = slot.snapshot();
            let settings = self.session().settings;
            if let Some((c, due)) = background(move || {
                let mut c = (*base).clone();
                if let Some((path, text)) = aux {
                    c.set_override(&path, text);
                }
                let due = take_aux_files(&mut c, settings.as_ref());
                (c, due)
            })
            .await
            {
                deferred = due;
                slot.set(c);
            }
        }
        if deferred {
            self.schedule_global(slot);
        }
        self.after_global_change(slot).await;
    }

    pub async fn reload_all(self: &Arc<Self>) {
        for slot in self.slots() {
            self.reload(&slot).await;
        }
    }

    /// The editor closed a document: its disk copy (if any) takes its place.
    pub async fn closed(self: &Arc<Self>, uri: &Url) {
        let Some(doc) = lock(&self.open).remove(uri) else { return };
        let slot = doc.slot.clone();
        let path = doc.path.clone();
        if slot.snapshot().is_aux_file(&path) {
            self.reload_with(&slot, Some((path, None))).await;
            return;
        }
        let on_disk = slot.index_disk && path.is_file() && slot.snapshot().accepts(&path);
        self.take_disk_copy(&slot, path, on_disk).await;
        if !self.session().pull_diagnostics {
            self.publish_diagnostics(uri.clone(), Vec::new(), None).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Corpus-wide work runs in the background pool, and while every one
    /// of its threads is taken, an edit's parallel work (rayon's global
    /// pool) still runs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn corpus_work_leaves_the_edits_threads_free() {
        let name = background(|| std::thread::current().name().map(str::to_string)).await.flatten();
        assert!(name.as_deref().is_some_and(|n| n.starts_with("factls-background-")), "ran on {name:?}");

        let Some(pool) = background_pool() else { panic!("no background pool") };
        let taken = pool.current_num_threads();
        let release = Arc::new(std::sync::Barrier::new(taken + 1));
        let (started, all_started) = std::sync::mpsc::channel();
        for _ in 0..taken {
            let (release, started) = (release.clone(), started.clone());
            pool.spawn(move || {
                let _ = started.send(());
                release.wait();
            });
        }
        for _ in 0..taken {
            all_started.recv_timeout(Duration::from_secs(60)).expect("background threads taken");
        }
        let (done, edit_done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(rayon::join(|| 1 + 1, || 2 + 2));
        });
        // A generous bound: it fails only if the edit's work waits for the
        // background threads (then it never ends on its own).
        let edit = edit_done.recv_timeout(Duration::from_secs(60));
        release.wait();
        assert_eq!(edit.ok(), Some((2, 4)), "an edit's parallel work waited for the corpus's");
    }
}
