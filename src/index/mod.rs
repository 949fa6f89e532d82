//! The corpus index: every document under a root analysed against one
//! knowledge base, one lexicon and one set of source definitions.
//!
//! Invariants:
//! - documents are kept in path order (`BTreeMap`), which is the order in
//!   which names are "first introduced";
//! - every document's `Analysis` reads as if resolved against
//!   `self.lexicon`. When a change alters the lexicon (a new name, a new
//!   acronym), the lexicon is rebuilt keeping every name's id
//!   (`Lexicon::rebuilt`), or, when up to `NAMES_CHANGED` documents
//!   changed names that few others hold, updated in place one change at
//!   a time to the same names and forms (`Lexicon::updated` over the
//!   documents that hold the names, told by every document's name keys
//!   counted and found by their text; a name that moved from one
//!   document to another may get a new id),
//!   and only the documents whose text holds a form it now matches
//!   differently (`Lexicon::changed_forms`; `words` rules most texts out
//!   unread) are resolved again, in parallel; the others keep their
//!   analyses, which
//!   are the same with either lexicon. When that is most of the corpus, or the
//!   source definitions changed, every document is resolved again (a
//!   load or a reload numbers the names afresh). An edit that only moves a document's names
//!   moves their introductions in the lexicon, which nothing else depends
//!   on;
//! - `mentions_of` answers from an inverted index (entity → mentions),
//!   overlaid with the documents changed since it was built (one-shot
//!   commands load without it and read every document). It is built again
//!   with every full resolution, and when the overlay grows past one
//!   document in `OVERLAID`;
//! - the knowledge base, the config and the source definitions are always a
//!   *last good* state: a broken file leaves diagnostics in
//!   `file_diagnostics` and the previous state in place;
//! - a corpus loaded for `factls check` (`Corpus::load_for_check`) holds
//!   no document: the check resolves each scanned document against it as
//!   it reports it (`Corpus::resolve_for_check`), and drops it.
//!
//! `Corpus` is cheap to clone (every part is behind an `Arc`), so the server
//! can take a snapshot and keep answering from it while a newer one is
//! being built.

pub mod editable;
pub mod walk;
pub mod words;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::analysis::citations::Sources;
use crate::analysis::config::Config;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::{self, KnowledgeBase};
use crate::analysis::names::EntityRef;
use crate::analysis::names::lexicon::{Lexicon, NameKeyCounts, name_keys};
use crate::analysis::source::Definition;
use crate::analysis::text::{self, TextRange};
use crate::analysis::{self, Analysis, MentionScope, Scan, SourceText};
use words::WordFilter;

pub use walk::Problem;

/// At most this many documents are analysed in one piece of parallel
/// work. Rayon otherwise splits a list only as far as it sees threads idle
/// at the start, so one thread could be left with a quarter of the corpus
/// while the other, back from parsing the knowledge base, had nothing
/// left to take.
const LEAF: usize = 8;

/// The mention index is built again when more than one document in this
/// many (and this many more) have changed since it was: references read
/// those documents one by one.
const OVERLAID: usize = 16;

/// One document of the corpus, analysed.
#[derive(Debug)]
pub struct Document {
    pub path: Arc<Path>,
    pub source: SourceText,
    pub analysis: Analysis,
    /// The words of its text, made the first time a search of the corpus
    /// asks ([`Corpus::documents_holding`]).
    words: OnceLock<WordFilter>,
}

impl Document {
    pub fn text(&self) -> &str {
        &self.source.text
    }
}

/// A source definition in a source file.
#[derive(Clone, Debug)]
pub struct SourceDefinition {
    pub path: Arc<Path>,
    pub definition: Definition,
}

/// Global source definitions: key → definitions in source files, in path
/// order (the first one is the one used).
#[derive(Clone, Debug, Default)]
pub struct SourceIndex {
    pub by_key: HashMap<String, Vec<SourceDefinition>>,
}

impl Sources for SourceIndex {
    fn is_defined(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }
}

/// A non-document file the corpus reads (knowledge base, config), with the
/// text last read so positions can be converted.
#[derive(Clone, Debug)]
pub struct AuxFile {
    pub path: PathBuf,
    pub source: Option<SourceText>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How often an entity is mentioned ([`Corpus::mention_counts`]).
#[derive(Debug, Default)]
pub struct MentionCounts {
    /// Mentions in all.
    pub total: usize,
    /// Documents that mention it.
    pub documents: usize,
    /// The first documents, in path order, with their mention counts.
    pub first: Vec<(Arc<Path>, usize)>,
}

impl MentionCounts {
    /// From a document's mentions at a time, naming only the first `first`
    /// documents.
    fn of<'a, T: 'a>(
        groups: impl Iterator<Item = &'a [T]>,
        first: usize,
        path: impl Fn(&[T]) -> Option<Arc<Path>>,
    ) -> MentionCounts {
        let mut out = MentionCounts::default();
        for group in groups {
            out.total += group.len();
            out.documents += 1;
            if out.first.len() < first
                && let Some(path) = path(group)
            {
                out.first.push((path, group.len()));
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct Corpus {
    pub root: PathBuf,
    pub config: Arc<Config>,
    pub kb: Arc<KnowledgeBase>,
    pub lexicon: Arc<Lexicon>,
    pub sources: Arc<SourceIndex>,
    /// A persistent map: a snapshot with one document changed shares the
    /// rest with the previous one (an edit costs O(log n), not a copy).
    pub docs: Docs,
    /// `factls.toml` and knowledge-base files with their diagnostics, as
    /// the corpus reads them.
    pub aux: Arc<Vec<AuxFile>>,
    /// The same files as they are now, checked on their own, while a
    /// reload is due ([`Corpus::defer_reload`]); `None` otherwise.
    edited: Option<Arc<Edited>>,
    /// Files skipped while loading.
    pub problems: Arc<Vec<Problem>>,
    /// Editor settings applied over `factls.toml`, kept for reloads.
    settings: Option<Arc<serde_json::Value>>,
    /// Texts of config and knowledge-base files open in an editor, which
    /// win over their copies on disk.
    overrides: Arc<HashMap<PathBuf, String>>,
    /// Entity → mentions over `docs` as they were when it was built.
    mentions: Arc<MentionIndex>,
    /// Documents put in or removed since `mentions` was built: their
    /// entries there are stale and their own mention lists are read
    /// instead.
    changed: Arc<BTreeSet<Arc<Path>>>,
    /// Whether `mentions` is built at all: the server's references and
    /// hover need it, a one-shot command does not (`mentions_of` then reads
    /// every document).
    keep_mention_index: bool,
    /// Which mentions each document keeps when every document is resolved:
    /// all of them, but for `factls check` ([`Corpus::load_for_check`]),
    /// which reports diagnostics only.
    scope: MentionScope,
    /// The citation keys of every document, for a corpus loaded for
    /// `factls check`, which keeps no document ([`Corpus::load_for_check`]):
    /// a sources file's diagnostics read them. `None`: read from `docs`.
    cited: Option<Arc<HashSet<String>>>,
    /// How many documents hold each name key (see [`Lexicon::updated`]):
    /// counted the first time the lexicon is brought up to date after a
    /// change of names, kept up to date since, dropped with the lexicon
    /// when it is built afresh (a load, a reload).
    name_counts: Option<NameKeyCounts>,
    /// The documents whose names changed since `lexicon` was built, with
    /// the document as it was then (`None`: not in the corpus), in path
    /// order; `None` past [`NAMES_CHANGED`] of them (the lexicon is rebuilt
    /// from every document then).
    names_changed: Option<Arc<NamesChanged>>,
    /// How many times the lexicon was updated in place (the tests').
    #[cfg(test)]
    updated_in_place: usize,
}

/// Documents whose names changed, each as it was when the lexicon was
/// built (`None`: not in the corpus then), in path order.
type NamesChanged = Vec<(Arc<Path>, Option<Arc<Document>>)>;

/// How many documents may change their names before the lexicon is no
/// longer told which (it is rebuilt from every document then; up to this
/// many, it is updated in place one document's change at a time).
const NAMES_CHANGED: usize = 16;

/// The inverted index of mentions: entity → (document, range) in path
/// order, so that references and hover cost the size of the answer rather
/// than of the corpus. Built whenever every document is resolved again,
/// or the overlay grows past one document in `OVERLAID`; the documents
/// changed since (edited, or resolved again for a new name) are overlaid
/// (`Corpus::changed`), so an edit never rebuilds it.
#[derive(Debug, Default)]
pub struct MentionIndex {
    /// Each indexed document's path (the corpus's own `Arc`) and text,
    /// in path order.
    docs: Vec<(Arc<Path>, SourceText)>,
    /// (index into `docs`, start, end).
    by_entity: HashMap<EntityRef, Vec<(u32, u32, u32)>>,
    /// Each document's URI, made the first time an answer needs it (see
    /// [`Corpus::indexed_uri`]).
    uris: Box<[OnceLock<Arc<str>>]>,
}

impl MentionIndex {
    /// The indexed mentions of `entity`: (index into `docs`, start, end).
    fn of(&self, entity: EntityRef) -> &[(u32, u32, u32)] {
        self.by_entity.get(&entity).map_or(&[], Vec::as_slice)
    }
}

/// Where a mention (or any reference) is: a document of the mention index,
/// by its number in [`Corpus::indexed_documents`] (its path, text and line
/// table there, current: the documents changed since the index was built
/// are never `Indexed`), or any file by its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Indexed(u32),
    File(Arc<Path>),
}

/// A step of [`Corpus::prefetch_indexed`], each asked for a document
/// nearer than the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ahead {
    /// The document's entries in the mention index.
    Far,
    /// Its URI, line index and text at the offset.
    Middle,
    /// The entries of its line table the offset's search reads.
    Near,
}

/// Knowledge-base files read and parsed: the base (`None` when a file is
/// broken) and the files' aux entries.
struct KbRead {
    kb: Option<Arc<KnowledgeBase>>,
    aux: Vec<AuxFile>,
}

/// `kb` with the aux entries of its files, when it was built from `read`
/// (the texts of the configured files), as `aux` has them.
fn built_from(kb: &Arc<KnowledgeBase>, aux: &[AuxFile], read: &[KbText]) -> Option<KbRead> {
    if kb.files.len() != read.len() {
        return None;
    }
    let mut entries = Vec::new();
    for ((path, rel, text), file) in read.iter().zip(&kb.files) {
        let Ok(Some(text)) = text else { return None };
        let old = aux.iter().find(|a| a.path == *path)?;
        let built_from_it = old.source.as_ref().is_some_and(|s| *s.text == **text)
            && old.diagnostics.iter().all(|d| d.code != "kb-syntax" && d.code != "io-error");
        if file.path != **rel || !built_from_it {
            return None;
        }
        entries.push(old.clone());
    }
    Some(KbRead { kb: Some(kb.clone()), aux: entries })
}

/// The config and knowledge-base files as [`Corpus::defer_reload`]
/// checked them: their aux entries, and the knowledge base built from them
/// (the last good one where they are broken), which the reload takes
/// instead of parsing them again.
#[derive(Debug)]
struct Edited {
    aux: Vec<AuxFile>,
    kb: Arc<KnowledgeBase>,
}

/// A knowledge-base file as configured: its path, its configured name and
/// its text (`None` when missing).
type KbText<'a> = (PathBuf, &'a String, Result<Option<String>, Problem>);

/// The documents of a corpus by path, in path order.
pub type Docs = imbl::OrdMap<Arc<Path>, Arc<Document>>;

/// A document read and scanned, before the corpus resolves it.
type Scanned = (Arc<Path>, SourceText, Scan);

/// A document of [`Corpus::load_for_check`]: read and scanned, not yet
/// resolved against the corpus.
pub struct Unresolved(Scanned);

impl Unresolved {
    pub fn path(&self) -> &Arc<Path> {
        &self.0.0
    }
}

/// How a document changed the corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only this document's analysis changed.
    Local,
    /// The lexicon or source definitions changed: the documents they
    /// reach were resolved again (any document's diagnostics may read
    /// differently: a name's spelling is the lexicon's).
    Global,
}

impl Corpus {
    /// An empty corpus at `root` with the configuration read from disk.
    pub fn empty(root: &Path) -> Corpus {
        let mut corpus = Corpus::bare(root);
        corpus.reload_config_and_kb(None);
        corpus.lexicon_built(Arc::new(Lexicon::build(corpus.kb.clone(), &[])));
        corpus
    }

    /// An empty corpus with the default config and nothing read yet.
    fn bare(root: &Path) -> Corpus {
        Corpus {
            root: root.to_path_buf(),
            config: Arc::new(Config::default()),
            kb: Arc::new(KnowledgeBase::default()),
            lexicon: Arc::new(Lexicon::build(Arc::new(KnowledgeBase::default()), &[])),
            sources: Arc::new(SourceIndex::default()),
            docs: Docs::new(),
            aux: Arc::new(Vec::new()),
            edited: None,
            problems: Arc::new(Vec::new()),
            settings: None,
            overrides: Arc::new(HashMap::new()),
            mentions: Arc::new(MentionIndex::default()),
            changed: Arc::new(BTreeSet::new()),
            keep_mention_index: true,
            scope: MentionScope::All,
            cited: None,
            name_counts: None,
            names_changed: Some(Arc::default()),
            #[cfg(test)]
            updated_in_place: 0,
        }
    }

    /// Loads every document under `root` and analyses it, for a one-shot
    /// command: without the inverted mention index of the server (see
    /// [`Corpus::mentions_of`]).
    pub fn load(root: &Path) -> Corpus {
        Corpus::load_inner(root, None, None, false, |_, _| {})
    }

    /// [`Corpus::load`] for `factls check`: the knowledge base, the lexicon
    /// and the source definitions of the whole corpus, and its documents
    /// scanned, in path order, but not resolved. Each is resolved when it
    /// is reported ([`Corpus::resolve_for_check`]) and can be dropped
    /// right after: a check never holds every document's claims at once,
    /// nor a map of the documents, and resolves only the ones it reports.
    /// The diagnostics are those of a full load, but each document keeps
    /// only the mentions its claims read ([`MentionScope::Claims`]).
    pub fn load_for_check(root: &Path) -> (Corpus, Vec<Unresolved>) {
        let started = std::time::Instant::now();
        let (mut corpus, mut scanned) = Corpus::read_and_scan(root, None, None, false, MentionScope::Claims, |_, _| {});
        corpus.prepare(&mut scanned);
        // What a sources file's diagnostics read from every document.
        let cited = scanned.iter().flat_map(|(_, _, scan)| scan.citations.iter().map(|c| c.key.clone())).collect();
        corpus.cited = Some(Arc::new(cited));
        tracing::debug!(elapsed = ?started.elapsed(), "corpus loaded for check");
        (corpus, scanned.into_iter().map(Unresolved).collect())
    }

    /// Resolves a document of [`Corpus::load_for_check`] against the
    /// corpus: the analysis a full load would have given it.
    pub fn resolve_for_check(&self, doc: Unresolved) -> Document {
        self.resolve_scanned(doc.0)
    }

    /// A scanned document resolved against this corpus's lexicon, sources
    /// and config, in its mention scope.
    fn resolve_scanned(&self, (path, source, scan): Scanned) -> Document {
        let analysis = analysis::resolve_in_scope(
            &source.text,
            scan,
            &self.lexicon,
            self.sources.as_ref(),
            &self.config,
            self.scope,
        );
        Document { path, source, analysis, words: OnceLock::new() }
    }

    /// Like [`Corpus::load`], with editor settings, a progress callback
    /// `(done, total)` called from worker threads, and the mention index.
    /// The knowledge base of `previous` (a corpus of the same root) is kept
    /// if its files have not changed.
    pub fn load_with(
        root: &Path,
        settings: Option<&serde_json::Value>,
        previous: Option<&Corpus>,
        progress: impl Fn(usize, usize) + Sync,
    ) -> Corpus {
        Corpus::load_inner(root, settings, previous, true, progress)
    }

    fn load_inner(
        root: &Path,
        settings: Option<&serde_json::Value>,
        previous: Option<&Corpus>,
        index_mentions: bool,
        progress: impl Fn(usize, usize) + Sync,
    ) -> Corpus {
        let started = std::time::Instant::now();
        let (mut corpus, scanned) =
            Corpus::read_and_scan(root, settings, previous, index_mentions, MentionScope::All, progress);
        corpus.rebuild(scanned);
        tracing::debug!(elapsed = ?started.elapsed(), "corpus loaded");
        corpus
    }

    /// The documents under `root` read, scanned and their names
    /// discovered, with the corpus they belong to (its config and
    /// knowledge base read, nothing resolved yet).
    fn read_and_scan(
        root: &Path,
        settings: Option<&serde_json::Value>,
        previous: Option<&Corpus>,
        index_mentions: bool,
        scope: MentionScope,
        progress: impl Fn(usize, usize) + Sync,
    ) -> (Corpus, Vec<Scanned>) {
        // The config decides which files are documents; the knowledge base
        // is parsed while the documents are found, read and scanned (only
        // name discovery needs it).
        let started = std::time::Instant::now();
        let mut corpus = Corpus::bare(root);
        corpus.keep_mention_index = index_mentions;
        corpus.scope = scope;
        if let Some(previous) = previous.filter(|p| p.root == root) {
            corpus.kb = previous.kb.clone();
            corpus.aux = previous.aux.clone();
        }
        let config_aux = corpus.reload_config(settings);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let (kb, (mut read, mut problems)) = rayon::join(
            || corpus.read_kb(),
            || {
                let (paths, problems) = walk::documents(root, &corpus.config);
                tracing::debug!(elapsed = ?started.elapsed(), documents = paths.len(), "documents found");
                let read: Vec<Result<Scanned, Problem>> = paths
                    .par_iter()
                    .with_max_len(LEAF)
                    .map(|p| {
                        let text = walk::read_document(p)?;
                        let source = SourceText::new(text);
                        let scan = analysis::scan_structure(&source.text, &corpus.config);
                        Ok((Arc::from(p.as_path()), source, scan))
                    })
                    .collect();
                (read, problems)
            },
        );
        let total = read.len();
        tracing::debug!(elapsed = ?started.elapsed(), documents = total, "read and scanned; knowledge base parsed");
        let mut aux = config_aux;
        aux.extend(corpus.apply_kb(kb));
        corpus.aux = Arc::new(aux);
        // In place, and into a list made at its size: at 50,000 documents
        // each list of scans is about 25 MB, and a new one (or one grown by
        // doubling) is that many fresh pages to fault in.
        read.par_iter_mut().with_max_len(LEAF).for_each(|r| {
            if let Ok((_, source, scan)) = r {
                analysis::discover_names(&source.text, scan, corpus.kb.forms());
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
            }
        });
        let mut scanned = Vec::with_capacity(read.len());
        for r in read {
            match r {
                Ok(x) => scanned.push(x),
                Err(p) => problems.push(p),
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "names discovered");
        corpus.problems = Arc::new(problems);
        (corpus, scanned)
    }

    /// A corpus made of in-memory files (paths relative to `root`): the
    /// config and knowledge-base files among them are used as if on disk,
    /// the rest that match the include globs are its documents. Nothing is
    /// read from disk. For tests and tools.
    pub fn from_texts(root: &Path, files: &[(&str, &str)]) -> Corpus {
        let mut corpus = Corpus::empty(root);
        for (rel, text) in files {
            Arc::make_mut(&mut corpus.overrides).insert(root.join(rel), text.to_string());
        }
        corpus.reload_config_and_kb(None);
        let filter = walk::Filter::new(&corpus.config);
        let scanned: Vec<Scanned> = files
            .iter()
            .map(|(rel, text)| (root.join(rel), text))
            .filter(|(path, _)| !corpus.is_aux_file(path) && path.strip_prefix(root).is_ok_and(|r| filter.accepts(r)))
            .map(|(path, text)| {
                let source = SourceText::new(crate::analysis::source::strip_bom(text).to_string());
                let scan = analysis::scan(&source.text, corpus.kb.forms(), &corpus.config);
                (Arc::from(path.as_path()), source, scan)
            })
            .collect();
        corpus.rebuild(scanned);
        corpus
    }

    /// Re-reads `factls.toml` and the knowledge base; keeps the last good
    /// state of each when broken. Does not re-analyse documents (see
    /// [`Corpus::reload`]).
    fn reload_config_and_kb(&mut self, settings: Option<&serde_json::Value>) {
        let aux = self.read_config_and_kb(settings);
        self.aux = Arc::new(aux);
    }

    /// Re-reads `factls.toml` and the knowledge base into this corpus;
    /// returns their aux entries.
    fn read_config_and_kb(&mut self, settings: Option<&serde_json::Value>) -> Vec<AuxFile> {
        let mut aux = self.reload_config(settings);
        let kb = self.read_kb();
        aux.extend(self.apply_kb(kb));
        aux
    }

    /// Re-reads `factls.toml` (keeping the last good config when broken);
    /// returns its aux entry, if any.
    fn reload_config(&mut self, settings: Option<&serde_json::Value>) -> Vec<AuxFile> {
        if let Some(s) = settings {
            self.settings = Some(Arc::new(s.clone()));
        }
        let mut aux = Vec::new();
        let config_path = self.root.join(crate::analysis::config::CONFIG_FILE);
        let mut config = (*self.config).clone();
        match self.read_aux(&config_path) {
            Ok(None) => config = Config::default(),
            Ok(Some(text)) => {
                let diagnostics = match Config::parse(&text) {
                    Ok((c, d)) => {
                        config = c;
                        d
                    }
                    Err(d) => d,
                };
                aux.push(AuxFile { path: config_path, source: Some(SourceText::new(text)), diagnostics });
            }
            Err(p) => {
                aux.push(AuxFile { path: p.path.clone(), source: None, diagnostics: vec![problem_diagnostic(&p)] })
            }
        }
        if let Some(s) = &self.settings {
            config.apply_settings(s);
        }
        self.config = Arc::new(config);
        aux
    }

    /// Reads and parses the knowledge-base files of the current config,
    /// without changing the corpus (so it can run while documents are
    /// being scanned).
    fn read_kb(&self) -> KbRead {
        let read: Vec<KbText> = self
            .config
            .knowledge_base
            .iter()
            .map(|rel| {
                let path = self.root.join(rel);
                let text = self.read_aux(&path);
                (path, rel, text)
            })
            .collect();
        if let Some(same) = self.same_kb(&read) {
            return same;
        }
        let mut parsed = Vec::new();
        let mut texts: Vec<Arc<str>> = Vec::new();
        let mut broken = false;
        let mut kb_aux = Vec::new();
        for (path, rel, text) in read {
            match text {
                Ok(None) => {}
                Ok(Some(text)) => {
                    let source = SourceText::new(text);
                    match kb::parse_file(&source.text, parsed.len()) {
                        Ok(p) => {
                            texts.push(source.text.clone());
                            parsed.push((rel.clone(), p));
                            kb_aux.push(AuxFile { path, source: Some(source), diagnostics: Vec::new() });
                        }
                        Err(d) => {
                            broken = true;
                            kb_aux.push(AuxFile { path, source: Some(source), diagnostics: d });
                        }
                    }
                }
                Err(p) => {
                    broken = true;
                    kb_aux.push(AuxFile {
                        path: p.path.clone(),
                        source: None,
                        diagnostics: vec![problem_diagnostic(&p)],
                    });
                }
            }
        }
        let kb = if broken {
            None
        } else {
            let refs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            let edited = self.edited.as_ref().map(|e| &*e.kb);
            let previous: Vec<&KnowledgeBase> = std::iter::once(&*self.kb).chain(edited).collect();
            let kb = KnowledgeBase::build_over(parsed, &refs, &previous);
            for (i, a) in kb_aux.iter_mut().filter(|a| a.diagnostics.is_empty()).enumerate() {
                if let Some(f) = kb.files.get(i) {
                    a.diagnostics = f.diagnostics.clone();
                }
            }
            Some(Arc::new(kb))
        };
        KbRead { kb, aux: kb_aux }
    }

    /// The knowledge base this corpus already has, when `read` (the texts
    /// of the configured files) is exactly what it was built from: the
    /// server's first snapshot and its full index, or a config change, do
    /// not parse the same files twice; nor does the reload after
    /// [`Corpus::defer_reload`], which built one from them already.
    fn same_kb(&self, read: &[KbText]) -> Option<KbRead> {
        built_from(&self.kb, &self.aux, read)
            .or_else(|| self.edited.as_ref().and_then(|e| built_from(&e.kb, &e.aux, read)))
    }

    /// Installs a knowledge base read by [`Corpus::read_kb`] (or, when it
    /// is broken, keeps the last good one); returns the aux entries of its
    /// files.
    fn apply_kb(&mut self, read: KbRead) -> Vec<AuxFile> {
        let KbRead { kb, aux: mut kb_aux } = read;
        match kb {
            Some(kb) => self.kb = kb,
            None => {
                // Keep the last good base; its files keep their last good
                // text so definitions still point at the right lines.
                for a in kb_aux.iter_mut().filter(|a| a.diagnostics.is_empty()) {
                    if let Some(old) = self.aux.iter().find(|o| o.path == a.path) {
                        a.source = old.source.clone();
                    }
                }
            }
        }
        kb_aux
    }

    /// A config or knowledge-base file: the editor's text if it is open,
    /// else the disk's.
    fn read_aux(&self, path: &Path) -> Result<Option<String>, Problem> {
        match self.overrides.get(path) {
            Some(text) => Ok(Some(text.clone())),
            None => walk::read_optional(path),
        }
    }

    /// Sets (or with `None`, drops) the editor's text of a config or
    /// knowledge-base file; takes effect at the next [`Corpus::reload`].
    pub fn set_override(&mut self, path: &Path, text: Option<String>) {
        let map = Arc::make_mut(&mut self.overrides);
        match text {
            Some(t) => {
                map.insert(path.to_path_buf(), t);
            }
            None => {
                map.remove(path);
            }
        }
    }

    /// Re-reads config and knowledge base from disk (or applies new editor
    /// settings) and re-analyses every document.
    pub fn reload(&mut self, settings: Option<&serde_json::Value>) {
        // Never stopped.
        self.reload_unless(settings, &|| false);
    }

    /// [`Corpus::reload`] of a copy, given up (`None`) as soon as `stop`
    /// says so: the server's background reload stops when an edit has
    /// made its result stale.
    pub fn reloaded_unless(mut self, stop: &(dyn Fn() -> bool + Sync)) -> Option<Corpus> {
        self.reload_unless(None, stop).then_some(self)
    }

    /// [`Corpus::reload`]; `false` when `stop` said so before the end (the
    /// corpus is then half reloaded: see [`Corpus::reloaded_unless`]).
    fn reload_unless(&mut self, settings: Option<&serde_json::Value>, stop: &(dyn Fn() -> bool + Sync)) -> bool {
        self.reload_config_and_kb(settings);
        let docs: Vec<(&Arc<Path>, &Arc<Document>)> = self.docs.iter().collect();
        let scanned: Option<Vec<(Arc<Path>, SourceText, Scan)>> = docs
            .par_iter()
            .map(|&(p, d)| {
                let scan = (!stop()).then(|| analysis::scan(&d.source.text, self.kb.forms(), &self.config))?;
                Some((p.clone(), d.source.clone(), scan))
            })
            .collect();
        let Some(scanned) = scanned.filter(|_| !stop()) else { return false };
        self.rebuild(scanned);
        self.edited = None;
        true
    }

    /// Takes the config and knowledge-base files as they are now (the
    /// editor's texts set with [`Corpus::set_override`], the disk's) and
    /// new editor settings without reloading: the files are checked on
    /// their own at once ([`Corpus::aux_files`] gives their diagnostics),
    /// and the reload is due ([`Corpus::reload_due`]), for the server to
    /// make in the background. A knowledge base of 10,000 entities is
    /// checked in about 20 ms; the reload, which scans and resolves every
    /// document again, takes 0.7 s at 10,000 documents.
    ///
    /// When only what documents do not read changed (a description, the
    /// sources, where entries are written: the same config and settings,
    /// and [`KnowledgeBase::names_as`]), or the knowledge base is broken
    /// (the last good one stays), and no reload is due already, the files
    /// are taken at once instead: the documents read them as before.
    pub fn defer_reload(&mut self, settings: Option<&serde_json::Value>) {
        let same_settings = settings.is_none_or(|s| self.settings.as_deref() == Some(s));
        if let Some(s) = settings.filter(|_| !same_settings) {
            self.settings = Some(Arc::new(s.clone()));
        }
        let mut checked = self.clone();
        let aux = checked.read_config_and_kb(None);
        let config_path = self.root.join(crate::analysis::config::CONFIG_FILE);
        let config_text = |aux: &[AuxFile]| -> Option<Arc<str>> {
            aux.iter().find(|a| a.path == config_path).and_then(|a| a.source.as_ref()).map(|s| s.text.clone())
        };
        if same_settings
            && !self.reload_due()
            && config_text(&aux) == config_text(&self.aux)
            && checked.kb.names_as(&self.kb)
        {
            if !Arc::ptr_eq(&checked.kb, &self.kb) {
                self.lexicon = Arc::new(self.lexicon.over(checked.kb.clone()));
                self.kb = checked.kb;
            }
            self.aux = Arc::new(aux);
            self.edited = None;
            return;
        }
        self.edited = Some(Arc::new(Edited { aux, kb: checked.kb }));
    }

    /// Whether a reload is due ([`Corpus::defer_reload`]).
    pub fn reload_due(&self) -> bool {
        self.edited.is_some()
    }

    /// The config and knowledge-base files with their diagnostics as they
    /// are now: checked on their own while a reload is due, else as the
    /// corpus reads them ([`Corpus::aux`], whose texts the knowledge
    /// base's spans point into).
    pub fn aux_files(&self) -> &[AuxFile] {
        self.edited.as_ref().map_or(&self.aux, |e| &e.aux)
    }

    /// Builds lexicon and sources from scans and resolves every document.
    fn rebuild(&mut self, scanned: Vec<Scanned>) {
        let mut scanned = scanned;
        let started = std::time::Instant::now();
        self.prepare(&mut scanned);
        let docs: Vec<(Arc<Path>, Arc<Document>)> = scanned
            .into_par_iter()
            .with_max_len(LEAF)
            .map(|scanned| (scanned.0.clone(), Arc::new(self.resolve_scanned(scanned))))
            .collect();
        tracing::debug!(elapsed = ?started.elapsed(), "documents resolved");
        self.docs = docs.into_iter().collect();
        self.index_mentions();
        tracing::debug!(elapsed = ?started.elapsed(), "mentions indexed");
    }

    /// Puts `scanned` in path order and builds from it what resolving any
    /// of them reads: the lexicon and the source definitions.
    fn prepare(&mut self, scanned: &mut [Scanned]) {
        scanned.sort_by(|a, b| a.0.cmp(&b.0));
        let discoveries: Vec<(Arc<Path>, &analysis::names::discover::Discovery)> =
            scanned.iter().map(|(p, _, s)| (p.clone(), &s.discovery)).collect();
        let started = std::time::Instant::now();
        self.lexicon_built(Arc::new(Lexicon::build(self.kb.clone(), &discoveries)));
        // Built afresh: the knowledge base may be another.
        self.name_counts = None;
        tracing::debug!(elapsed = ?started.elapsed(), forms = self.lexicon.pattern_count(), "lexicon built");
        self.sources = Arc::new(self.source_index(scanned.iter().map(|(p, _, s)| (p, s))));
    }

    /// Rebuilds the mention index from every document.
    fn index_mentions(&mut self) {
        let mut index = MentionIndex::default();
        let mut changed = BTreeSet::new();
        if !self.keep_mention_index {
            self.mentions = Arc::new(index);
            self.changed = Arc::new(changed);
            return;
        }
        // Offsets are stored as u32; a larger document is read directly.
        let indexable = |doc: &Document| doc.text().len() <= u32::MAX as usize;
        // Counted first, so that every list is made at its size: grown by
        // doubling, the lists of a large corpus would hold a third more
        // than they need, and need twice as much while they grow.
        let mut counts: HashMap<EntityRef, usize> = HashMap::new();
        for (_, doc) in self.docs.iter().filter(|(_, d)| indexable(d)) {
            for m in &doc.analysis.mentions {
                *counts.entry(m.entity()).or_default() += 1;
            }
        }
        index.by_entity = counts.into_iter().map(|(e, n)| (e, Vec::with_capacity(n))).collect();
        index.docs.reserve_exact(self.docs.len());
        for (path, doc) in self.docs.iter() {
            if !indexable(doc) || index.docs.len() >= u32::MAX as usize {
                changed.insert(path.clone());
                continue;
            }
            let d = index.docs.len() as u32;
            index.docs.push((path.clone(), doc.source.clone()));
            for m in &doc.analysis.mentions {
                index.by_entity.entry(m.entity()).or_default().push((d, m.start() as u32, m.end() as u32));
            }
        }
        index.uris = std::iter::repeat_with(OnceLock::new).take(index.docs.len()).collect();
        self.mentions = Arc::new(index);
        self.changed = Arc::new(changed);
    }

    /// Whether a document is one of the configured sources files.
    pub fn is_source_file(&self, path: &Path) -> bool {
        self.config.sources.iter().any(|s| self.root.join(s) == path)
    }

    fn source_index<'a>(&self, docs: impl Iterator<Item = (&'a Arc<Path>, &'a Scan)>) -> SourceIndex {
        let mut index = SourceIndex::default();
        for (path, scan) in docs {
            if !self.is_source_file(path) {
                continue;
            }
            for d in &scan.definitions {
                index
                    .by_key
                    .entry(d.key.clone())
                    .or_default()
                    .push(SourceDefinition { path: path.clone(), definition: d.clone() });
            }
        }
        index
    }

    /// Analyses `text` as the document at `path` against the current
    /// lexicon and sources, without changing the corpus. This is the fast
    /// path for diagnostics while typing.
    ///
    /// When the corpus holds an earlier version of the document, what the
    /// edit left alone is taken from its analysis
    /// ([`analysis::incremental`]): typing in a long document costs the
    /// paragraph typed in, not the document.
    pub fn analyze_alone(&self, path: &Path, text: SourceText) -> Document {
        let analysis = match self.docs.get(path) {
            Some(old) => {
                let previous = analysis::incremental::Previous { text: old.text(), analysis: &old.analysis };
                analysis::incremental::analyze_after(
                    &text.text,
                    &previous,
                    self.kb.forms(),
                    &self.lexicon,
                    self.sources.as_ref(),
                    &self.config,
                )
            }
            None => self.analyze_fresh(&text.text),
        };
        Document { path: Arc::from(path), source: text, analysis, words: OnceLock::new() }
    }

    /// The analysis of `text` as a new document of this corpus, reusing
    /// nothing.
    pub fn analyze_fresh(&self, text: &str) -> analysis::Analysis {
        let scan = analysis::scan(text, self.kb.forms(), &self.config);
        analysis::resolve(text, scan, &self.lexicon, self.sources.as_ref(), &self.config)
    }

    /// Puts a document (new or changed) into the corpus.
    pub fn update_document(&mut self, path: &Path, text: SourceText) -> Change {
        let doc = self.analyze_alone(path, text);
        self.insert(doc)
    }

    /// Puts an already analysed document into the corpus; re-resolves the
    /// rest when the lexicon or the sources change.
    pub fn insert(&mut self, doc: Document) -> Change {
        if self.insert_deferred(doc) { self.rebuild_global() } else { Change::Local }
    }

    /// Puts an analysed document into the corpus without touching the
    /// others. Returns whether names or source definitions changed, so that
    /// [`Corpus::rebuild_global`] should run (the server does that in the
    /// background, so an edit never waits for the corpus).
    pub fn insert_deferred(&mut self, doc: Document) -> bool {
        let key: Arc<Path> = doc.path.clone();
        let old = self.docs.get(&key).cloned();
        let new_discovery = &doc.analysis.scan.discovery;
        let discovery_changed = match old.as_ref().map(|o| &o.analysis.scan.discovery) {
            Some(o) if o == new_discovery => false,
            // The same names, moved by the edit: only the introductions
            // of this document move in the lexicon, nothing else depends
            // on where they stand.
            Some(o) if o.same_names(new_discovery) => {
                if let Some(moved) = self.lexicon.with_moved_introductions(&key, o, new_discovery) {
                    self.lexicon = Arc::new(moved);
                }
                false
            }
            _ => {
                self.names_change(&key, old.as_ref(), Some(new_discovery));
                true
            }
        };
        let sources_changed = self.is_source_file(&key)
            && old.as_ref().map(|o| &o.analysis.scan.definitions) != Some(&doc.analysis.scan.definitions);
        if !self.changed.contains(&key) {
            Arc::make_mut(&mut self.changed).insert(key.clone());
        }
        self.docs.insert(key, Arc::new(doc));
        discovery_changed || sources_changed
    }

    /// Rebuilds the lexicon and the source index from the documents, and
    /// resolves again the documents a change of either reaches.
    pub fn rebuild_global(&mut self) -> Change {
        self.reresolve(true)
    }

    /// Removes a document (deleted on disk, or closed and not on disk).
    pub fn remove_document(&mut self, path: &Path) -> Change {
        let Some(old) = self.docs.remove(path) else { return Change::Local };
        Arc::make_mut(&mut self.changed).insert(old.path.clone());
        let had_names =
            !old.analysis.scan.discovery.candidates().is_empty() || !old.analysis.scan.discovery.kb_acronyms.is_empty();
        if had_names {
            self.names_change(&old.path, Some(&old), None);
        }
        if had_names || self.is_source_file(path) { self.reresolve(self.is_source_file(path)) } else { Change::Local }
    }

    /// Rebuilds the lexicon (and the sources) and resolves documents again
    /// if anything they depend on changed.
    fn reresolve(&mut self, sources_changed: bool) -> Change {
        // Never stopped, so never `None`.
        self.reresolve_unless(sources_changed, &|| false).unwrap_or(Change::Global)
    }

    /// Like [`Corpus::rebuild_global`], but gives up (`None`, the corpus
    /// unchanged) as soon as `stop` says so: the server's background
    /// re-resolution stops when an edit has made its result stale, instead
    /// of taking the cores from the edits that follow.
    pub fn rebuild_global_unless(&mut self, stop: &(dyn Fn() -> bool + Sync)) -> Option<Change> {
        self.reresolve_unless(true, stop)
    }

    fn reresolve_unless(&mut self, sources_changed: bool, stop: &(dyn Fn() -> bool + Sync)) -> Option<Change> {
        let started = std::time::Instant::now();
        let (lexicon, in_place) = match self.lexicon_updated() {
            Some(updated) => {
                #[cfg(test)]
                {
                    self.updated_in_place += 1;
                }
                (updated, true)
            }
            None => {
                let discoveries: Vec<(Arc<Path>, &analysis::names::discover::Discovery)> =
                    self.docs.iter().map(|(p, d)| (p.clone(), &d.analysis.scan.discovery)).collect();
                (self.lexicon.rebuilt(self.kb.clone(), &discoveries), false)
            }
        };
        // The forms whose entity (by id) or kind changed: the documents
        // that hold none read the same. (Not `same_forms`, which compares
        // names: a name that moved from one document to another may get
        // a new id in an update in place, one change at a time.)
        let changed = lexicon.changed_forms(&self.lexicon);
        let same = changed.as_ref().is_some_and(Vec::is_empty);
        tracing::debug!(elapsed = ?started.elapsed(), same, in_place, "lexicon rebuilt");
        let mut sources = None;
        if sources_changed {
            // The sources files, looked up (not every document asked
            // whether it is one: 15 ms at 50,000 documents).
            let mut files: Vec<PathBuf> = self.config.sources.iter().map(|s| self.root.join(s)).collect();
            files.sort_unstable();
            files.dedup();
            let docs = files.iter().filter_map(|f| self.docs.get_key_value(f.as_path()));
            let rebuilt = self.source_index(docs.map(|(p, d)| (p, &d.analysis.scan)));
            if !same_keys(&rebuilt, &self.sources) {
                sources = Some(Arc::new(rebuilt));
            }
        }
        if same && sources.is_none() {
            self.lexicon_built(Arc::new(lexicon));
            return Some(Change::Local);
        }
        // New sources may be cited anywhere; new names only where their
        // forms are written.
        let reached = match sources {
            Some(_) => None,
            None => changed.and_then(|forms| {
                tracing::debug!(forms = forms.len(), first = ?forms.iter().take(8).collect::<Vec<_>>(), "forms changed");
                self.documents_holding(&forms)
            }),
        };
        tracing::debug!(elapsed = ?started.elapsed(), reached = ?reached.as_ref().map(Vec::len), documents = self.docs.len(), "documents reached");
        let lexicon = Arc::new(lexicon);
        match reached {
            Some(paths) if paths.len() <= self.docs.len() / 2 => {
                let docs = self.resolve_again(&paths, &lexicon, &self.sources, stop)?;
                self.lexicon_built(lexicon);
                let changed = Arc::make_mut(&mut self.changed);
                for (path, doc) in docs {
                    changed.insert(path.clone());
                    self.docs.insert(path, doc);
                }
                if self.keep_mention_index && self.changed.len() > self.docs.len() / OVERLAID + OVERLAID {
                    self.index_mentions();
                }
            }
            // Most of the corpus, and the mention index built again (the
            // ids kept: a lexicon built afresh beside the rebuilt one would
            // only renumber them).
            _ => {
                let sources = sources.unwrap_or_else(|| self.sources.clone());
                let paths: Vec<Arc<Path>> = self.docs.keys().cloned().collect();
                let docs = self.resolve_again(&paths, &lexicon, &sources, stop)?;
                self.lexicon_built(lexicon);
                self.sources = sources;
                self.docs = docs.into_iter().collect();
                self.index_mentions();
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "documents resolved again");
        Some(Change::Global)
    }

    /// `lexicon`, built (or rebuilt, or updated) from the documents as
    /// they are, replaces the corpus's: no document's names changed since.
    fn lexicon_built(&mut self, lexicon: Arc<Lexicon>) {
        self.lexicon = lexicon;
        self.names_changed = Some(Arc::default());
    }

    /// Notes that the document at `path`, `old` before (`None`: not in the
    /// corpus), now holds the names of `new` (`None`: it is gone), for
    /// [`Corpus::lexicon_updated`].
    fn names_change(
        &mut self,
        path: &Arc<Path>,
        old: Option<&Arc<Document>>,
        new: Option<&analysis::names::discover::Discovery>,
    ) {
        if let Some(counts) = &mut self.name_counts {
            // The keys that came and went alone: the map is shared with the
            // snapshot that serves, and each key changed copies a node.
            let old = old.map(|d| name_keys(&self.kb, &d.analysis.scan.discovery)).unwrap_or_default();
            let new = new.map(|d| name_keys(&self.kb, d)).unwrap_or_default();
            counts.replace(&old, &new);
        }
        if let Some(list) = &mut self.names_changed {
            match list.binary_search_by(|(p, _)| (**p).cmp(&**path)) {
                // Changed before: as it was then is what the lexicon has.
                Ok(_) => {}
                Err(_) if list.len() >= NAMES_CHANGED => self.names_changed = None,
                Err(at) => Arc::make_mut(list).insert(at, (path.clone(), old.cloned())),
            }
        }
    }

    /// The lexicon brought up to date with the documents whose names
    /// changed since it was built, one after the other, without going
    /// through every document's ([`Lexicon::updated`]); `None` when that
    /// cannot be done (none is noted, more than [`NAMES_CHANGED`] changed,
    /// or a change touches another document's names): a rebuild then.
    fn lexicon_updated(&mut self) -> Option<Lexicon> {
        let changed = self.names_changed.clone()?;
        if changed.is_empty() {
            return None;
        }
        let counts = match &self.name_counts {
            Some(counts) => counts,
            None => {
                let docs: Vec<&Arc<Document>> = self.docs.values().collect();
                let keys: Vec<Vec<u64>> =
                    docs.par_iter().map(|d| name_keys(&self.kb, &d.analysis.scan.discovery)).collect();
                let mut counts = NameKeyCounts::default();
                for k in &keys {
                    counts.add(k);
                }
                self.name_counts.insert(counts)
            }
        };
        // One document's change at a time, each over the corpus with the
        // changes before it made, as counted: from the corpus as the
        // lexicon knows it (every change undone) on. A change that touches
        // a name another document held then waits for the others (a name
        // that moved from one document to another: the document it left
        // first). (The map is shared: a copy costs nothing, a key changed a
        // node.)
        use analysis::names::discover::Discovery;
        struct Step<'a> {
            path: &'a Arc<Path>,
            old: Option<&'a Discovery>,
            new: Option<&'a Discovery>,
            old_keys: Vec<u64>,
            new_keys: Vec<u64>,
        }
        let keys = |d: Option<&Discovery>| d.map(|d| name_keys(&self.kb, d)).unwrap_or_default();
        let steps: Vec<Step> = changed
            .iter()
            .map(|(path, old)| {
                let old = old.as_ref().map(|d| &d.analysis.scan.discovery);
                let new = self.docs.get(path).map(|d| &d.analysis.scan.discovery);
                Step { path, old, new, old_keys: keys(old), new_keys: keys(new) }
            })
            .collect();
        let mut counts = counts.clone();
        for step in &steps {
            counts.replace(&step.new_keys, &step.old_keys);
        }
        let mut lexicon: Option<Lexicon> = None;
        let mut pending: Vec<&Step> = steps.iter().collect();
        while !pending.is_empty() {
            let waiting = pending.len();
            let mut k = 0;
            while let Some(step) = pending.get(k) {
                let mut after = counts.clone();
                after.replace(&step.old_keys, &step.new_keys);
                // The other documents whose text may hold one of `forms`,
                // as the corpus has them at this step: the changes still to
                // make as they were.
                let waiting: Vec<(&Arc<Path>, Option<&Discovery>)> =
                    pending.iter().filter(|s| s.path != step.path).map(|s| (s.path, s.old)).collect();
                let others = |forms: &[String]| -> Option<Vec<(Arc<Path>, &Discovery)>> {
                    let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
                    let mut found: Vec<(Arc<Path>, &Discovery)> = self
                        .documents_holding(&forms)?
                        .into_iter()
                        .filter(|p| waiting.iter().all(|(w, _)| *w != p))
                        .filter_map(|p| {
                            let d = &self.docs.get(&p)?.analysis.scan.discovery;
                            Some((p, d))
                        })
                        .collect();
                    found.extend(waiting.iter().filter_map(|(p, old)| Some(((*p).clone(), (*old)?))));
                    Some(found)
                };
                let from = lexicon.as_ref().unwrap_or(&self.lexicon);
                match from.updated(step.path, step.old, step.new, &after, &others) {
                    Some(updated) => {
                        (lexicon, counts) = (Some(updated), after);
                        pending.remove(k);
                    }
                    None => k += 1,
                }
            }
            if pending.len() == waiting {
                return None;
            }
        }
        lexicon
    }

    /// The documents whose text holds any of `forms` (as any bytes, not
    /// only as whole words: a superset of those that mention them), in
    /// path order. `None` when the forms are too many to search for.
    fn documents_holding(&self, forms: &[&str]) -> Option<Vec<Arc<Path>>> {
        if forms.is_empty() {
            return Some(Vec::new());
        }
        let search = aho_corasick::AhoCorasick::new(forms).ok()?;
        // A text that holds none of the forms' first words as a word holds
        // none of them: its words (a filter made once a text) tell, unless
        // a form starts otherwise.
        let words: Option<Vec<&str>> = forms.iter().map(|f| words::first_word(f)).collect();
        let may_hold = |d: &Document| {
            words.as_ref().is_none_or(|words| {
                let filter = d.words.get_or_init(|| WordFilter::new(d.text()));
                words.iter().any(|w| filter.may_hold(w))
            })
        };
        let docs: Vec<(&Arc<Path>, &Arc<Document>)> = self.docs.iter().collect();
        Some(
            docs.par_iter()
                .with_max_len(LEAF)
                .filter(|(_, d)| may_hold(d) && search.is_match(d.text()))
                .map(|(p, _)| (*p).clone())
                .collect(),
        )
    }

    /// The documents at `paths` resolved again against `lexicon` and
    /// `sources`, in parallel; `None` as soon as `stop` says so.
    fn resolve_again(
        &self,
        paths: &[Arc<Path>],
        lexicon: &Lexicon,
        sources: &SourceIndex,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<(Arc<Path>, Arc<Document>)>> {
        paths
            .par_iter()
            .with_max_len(LEAF)
            .filter_map(|path| Some((path, self.docs.get(path)?)))
            .map(|(path, d)| {
                if stop() {
                    return None;
                }
                let analysis = analysis::resolve_in_scope(
                    &d.source.text,
                    d.analysis.scan.clone(),
                    lexicon,
                    sources,
                    &self.config,
                    self.scope,
                );
                let doc = Document { path: path.clone(), source: d.source.clone(), analysis, words: d.words.clone() };
                Some((path.clone(), Arc::new(doc)))
            })
            .collect()
    }

    pub fn document(&self, path: &Path) -> Option<&Arc<Document>> {
        self.docs.get(path)
    }

    /// Every mention of `entity`, document by document in path order (from
    /// the mention index, with the documents changed since it was built
    /// read directly; from every document when there is no index).
    pub fn mentions_of(&self, entity: EntityRef) -> Vec<(Arc<Path>, TextRange)> {
        self.mention_places(entity)
            .into_iter()
            .filter_map(|(place, range)| Some((self.place_path(&place)?.clone(), range)))
            .collect()
    }

    /// [`Corpus::mentions_of`] with the documents of the mention index as
    /// [`Place::Indexed`]: a name mentioned in thousands of documents
    /// clones no path and looks no document up.
    pub fn mention_places(&self, entity: EntityRef) -> Vec<(Place, TextRange)> {
        // One document's mentions of `entity`, read from its analysis.
        let read = |path: &Arc<Path>, doc: &Document| -> Vec<(Place, TextRange)> {
            doc.analysis
                .mentions
                .iter()
                .filter(|m| m.entity() == entity)
                .map(|m| (Place::File(path.clone()), m.range()))
                .collect()
        };
        if !self.keep_mention_index {
            return self.docs.iter().flat_map(|(path, doc)| read(path, doc)).collect();
        }
        let index = &self.mentions;
        let indexed = index.of(entity);
        if self.changed.is_empty() {
            return indexed.iter().map(|&(d, s, e)| (Place::Indexed(d), s as usize..e as usize)).collect();
        }
        // The documents changed since the index was built, in path order
        // like the index: by their numbers there (stale), and their
        // mentions of `entity` now.
        let stale: Vec<u32> = self
            .changed
            .iter()
            .filter_map(|p| index.docs.binary_search_by(|(q, _)| q.as_ref().cmp(p.as_ref())).ok())
            .map(|d| d as u32)
            .collect();
        let mut fresh = self
            .changed
            .iter()
            .filter_map(|path| Some(read(path, self.docs.get(path)?)))
            .filter(|group| !group.is_empty())
            .peekable();
        // Merged in path order: a path compared where a document starts,
        // not for every mention.
        let mut out = Vec::with_capacity(indexed.len());
        let mut skip = stale.iter().peekable();
        let mut last = None;
        for &(d, s, e) in indexed {
            if last != Some(d) {
                last = Some(d);
                while skip.next_if(|&&x| x < d).is_some() {}
                let path = &index.docs[d as usize].0;
                while let Some(group) = fresh.next_if(|g| self.place_path(&g[0].0).is_some_and(|p| p < path)) {
                    out.extend(group);
                }
            }
            if skip.peek() != Some(&&d) {
                out.push((Place::Indexed(d), s as usize..e as usize));
            }
        }
        out.extend(fresh.flatten());
        out
    }

    /// What `make` derives from the path of document `d` of the mention
    /// index (the server: its `file:` URI), made once for the life of the
    /// index and shared: a name mentioned in thousands of documents is
    /// answered again and again, and percent-encoding a path costs more
    /// than finding the mention. `None` for no such document, or when
    /// `make` gives none (it is asked again the next time).
    pub fn indexed_uri(&self, d: u32, make: impl FnOnce(&Path) -> Option<String>) -> Option<Arc<str>> {
        let index = &self.mentions;
        let cell = index.uris.get(d as usize)?;
        if let Some(uri) = cell.get() {
            return Some(uri.clone());
        }
        let uri: Arc<str> = make(&index.docs.get(d as usize)?.0)?.into();
        // Another thread may have made it meanwhile: the same text.
        Some(cell.get_or_init(|| uri).clone())
    }

    /// Asks the memory, without waiting, for what [`Corpus::indexed_uri`]
    /// and a conversion of a position at `offset` in document `d` of the
    /// mention index will read, one step of the chain at a time: `Far`
    /// the document's entries here, `Middle` (once those have come) its
    /// URI, line index and text, `Near` its line table. A walk over
    /// thousands of documents no cache holds (a long references answer)
    /// asks a few documents ahead, each step further ahead than the next,
    /// so that the misses overlap instead of following one another. A
    /// hint: it changes no result.
    pub fn prefetch_indexed(&self, d: u32, offset: usize, step: Ahead) {
        let index = &self.mentions;
        let d = d as usize;
        match step {
            Ahead::Far => {
                if d < index.docs.len() && d < index.uris.len() {
                    // An entry may straddle two cache lines.
                    let entry = index.docs.as_ptr().wrapping_add(d);
                    text::prefetch(entry);
                    text::prefetch(entry.wrapping_add(1).cast::<u8>().wrapping_sub(1));
                    text::prefetch(index.uris.as_ptr().wrapping_add(d));
                }
            }
            Ahead::Middle => {
                if let Some((_, src)) = index.docs.get(d) {
                    src.prefetch(offset);
                }
                if let Some(uri) = index.uris.get(d).and_then(OnceLock::get) {
                    text::prefetch(uri.as_ptr());
                }
            }
            Ahead::Near => {
                if let Some((_, src)) = index.docs.get(d) {
                    src.lines.prefetch(offset);
                }
            }
        }
    }

    /// The path of a place of this corpus (`None` for a
    /// [`Place::Indexed`] of another corpus's index).
    pub fn place_path<'c>(&'c self, place: &'c Place) -> Option<&'c Arc<Path>> {
        match place {
            Place::Indexed(d) => self.mentions.docs.get(*d as usize).map(|(path, _)| path),
            Place::File(path) => Some(path),
        }
    }

    /// The documents as the mention index saw them, in path order: their
    /// paths (the corpus's own `Arc`s) and texts, to be walked alongside
    /// an answer in path order (references) instead of looking each
    /// document up. A document changed since the index was built has a
    /// newer text in `docs`.
    pub fn indexed_documents(&self) -> &[(Arc<Path>, SourceText)] {
        &self.mentions.docs
    }

    /// How often `entity` is mentioned: in all, in how many documents, and
    /// the first `first` documents (in path order) with their counts.
    pub fn mention_counts(&self, entity: EntityRef, first: usize) -> MentionCounts {
        if self.keep_mention_index && self.changed.is_empty() {
            // Grouped on the index's document numbers, and only the first
            // documents' paths cloned (a hover on a name in every document
            // counts tens of thousands; each clone touches its document's
            // path).
            let index = &self.mentions;
            let groups = index.of(entity).chunk_by(|a, b| a.0 == b.0);
            return MentionCounts::of(groups, first, |g| Some(index.docs.get(g[0].0 as usize)?.0.clone()));
        }
        // Grouped by place: a number compared for the indexed documents,
        // a path (the same `Arc` within a document) for the others.
        let places = self.mention_places(entity);
        let same = |a: &Place, b: &Place| match (a, b) {
            (Place::File(x), Place::File(y)) => Arc::ptr_eq(x, y) || x == y,
            (x, y) => x == y,
        };
        let groups = places.chunk_by(|a, b| same(&a.0, &b.0));
        MentionCounts::of(groups, first, |g| self.place_path(&g[0].0).cloned())
    }

    /// Where a citation key is defined: in `doc` itself first, then in the
    /// source files.
    pub fn definition_of(&self, doc: &Path, key: &str) -> Option<(Arc<Path>, Definition)> {
        if let Some(d) = self.docs.get(doc)
            && let Some(def) = d.analysis.scan.definitions.iter().find(|x| x.key == key)
        {
            return Some((d.path.clone(), def.clone()));
        }
        self.sources.by_key.get(key).and_then(|v| v.first()).map(|s| (s.path.clone(), s.definition.clone()))
    }

    /// Every use of a citation key across the corpus.
    pub fn citation_uses(&self, key: &str) -> Vec<(Arc<Path>, TextRange)> {
        let mut out = Vec::new();
        for (path, doc) in self.docs.iter() {
            out.extend(
                doc.analysis.scan.citations.iter().filter(|c| c.key == key).map(|c| (path.clone(), c.range.clone())),
            );
        }
        out
    }

    /// Diagnostics of a document, including the corpus-level ones of source
    /// files (definitions nobody cites, keys defined twice).
    pub fn diagnostics(&self, path: &Path) -> Vec<Diagnostic> {
        match self.docs.get(path) {
            Some(doc) => self.document_diagnostics(path, doc),
            None => Vec::new(),
        }
    }

    /// [`Corpus::diagnostics`] of `doc`, the document at `path`, when the
    /// caller holds it already (`check` goes through every document: a
    /// lookup in the map compares paths a dozen times).
    pub fn document_diagnostics(&self, path: &Path, doc: &Document) -> Vec<Diagnostic> {
        let mut out = doc.analysis.diagnostics(doc.text(), &self.config, &self.lexicon);
        if self.is_source_file(path) {
            // A source file's own definitions are corpus-wide: drop the
            // per-document "never cited in this document" hints.
            out.retain(|d| d.code != "unused-source");
            let used: HashSet<&str> = match &self.cited {
                Some(cited) => cited.iter().map(String::as_str).collect(),
                None => {
                    self.docs.values().flat_map(|d| d.analysis.scan.citations.iter().map(|c| c.key.as_str())).collect()
                }
            };
            for def in &doc.analysis.scan.definitions {
                let Some(all) = self.sources.by_key.get(&def.key) else { continue };
                let first = all.first().is_some_and(|f| f.path.as_ref() == path && f.definition.range == def.range);
                if !first {
                    if let Some(f) = all.first() {
                        self.push_level(
                            &mut out,
                            "duplicate-source",
                            Severity::Warning,
                            def.label_range.clone(),
                            format!(
                                "source `[^{}]` is already defined in {}; this definition is not used",
                                def.key,
                                self.display_path(&f.path)
                            ),
                        );
                    }
                } else if !used.contains(def.key.as_str()) {
                    self.push_level(
                        &mut out,
                        "unused-source",
                        Severity::Hint,
                        def.label_range.clone(),
                        format!("source `[^{}]` is never cited in the corpus", def.key),
                    );
                }
            }
            out.sort_by_key(|d| (d.range.start, d.range.end));
        }
        out
    }

    fn push_level(
        &self,
        out: &mut Vec<Diagnostic>,
        rule: &'static str,
        default: Severity,
        range: TextRange,
        message: String,
    ) {
        if let crate::analysis::config::RuleLevel::On(s) = self.config.level(rule, default) {
            out.push(Diagnostic::new(range, s, rule, message));
        }
    }

    /// A path relative to the root, for messages.
    pub fn display_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }

    /// Whether a path is a document of this corpus by the config's globs.
    pub fn accepts(&self, path: &Path) -> bool {
        match path.strip_prefix(&self.root) {
            Ok(rel) => walk::Filter::new(&self.config).accepts(rel),
            Err(_) => false,
        }
    }

    /// Whether a path is the config or a knowledge-base file.
    pub fn is_aux_file(&self, path: &Path) -> bool {
        path == self.root.join(crate::analysis::config::CONFIG_FILE)
            || self.config.knowledge_base.iter().any(|k| self.root.join(k) == path)
    }

    pub fn settings(&self) -> Option<&serde_json::Value> {
        self.settings.as_deref()
    }
}

fn same_keys(a: &SourceIndex, b: &SourceIndex) -> bool {
    a.by_key.len() == b.by_key.len() && a.by_key.keys().all(|k| b.by_key.contains_key(k))
}

fn problem_diagnostic(p: &Problem) -> Diagnostic {
    Diagnostic::new(0..0, Severity::Error, "io-error", p.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_knowledge_base_is_kept_and_a_changed_one_parsed() {
        let root = Path::new("/corpus");
        let kb = "[[entity]]\nid = \"ada\"\nname = \"Ada Lovelace\"\nkind = \"person\"\n";
        let mut corpus = Corpus::from_texts(root, &[("entities.toml", kb), ("a.txt", "Ada Lovelace wrote it.\n")]);
        let first = corpus.kb.clone();
        corpus.reload(None);
        assert!(Arc::ptr_eq(&first, &corpus.kb), "same text: the parsed base is kept");
        corpus.set_override(&root.join("entities.toml"), Some(kb.replace("Ada Lovelace", "Ada King")));
        corpus.reload(None);
        assert!(!Arc::ptr_eq(&first, &corpus.kb), "new text: parsed again");
        assert_eq!(corpus.kb.entities[0].name, "Ada King");
        corpus.set_override(&root.join("entities.toml"), Some("[[entity]\n".to_string()));
        corpus.reload(None);
        assert_eq!(corpus.kb.entities[0].name, "Ada King", "broken: the last good base stays");
        let codes: Vec<&str> = corpus.aux.iter().flat_map(|a| &a.diagnostics).map(|d| d.code.as_ref()).collect();
        assert_eq!(codes, ["kb-syntax"]);
        corpus.reload(None);
        assert_eq!(corpus.kb.entities[0].name, "Ada King", "still broken: still the last good base");
        let codes: Vec<&str> = corpus.aux.iter().flat_map(|a| &a.diagnostics).map(|d| d.code.as_ref()).collect();
        assert_eq!(codes, ["kb-syntax"], "and the syntax error is still reported");
    }

    #[test]
    fn a_deferred_reload_checks_the_files_at_once_and_changes_the_corpus_when_made() {
        let root = Path::new("/corpus");
        let kb_path = root.join("entities.toml");
        let kb = "[[entity]]\nid = \"ada\"\nname = \"Ada Lovelace\"\nkind = \"person\"\n";
        let doc = "Ada Lovelace and Grace Hopper wrote it.\n";
        let mut corpus = Corpus::from_texts(root, &[("entities.toml", kb), ("a.txt", doc)]);
        let codes = |aux: &[AuxFile], text: &str| -> Vec<(String, usize)> {
            aux.iter()
                .flat_map(|a| &a.diagnostics)
                .map(|d| (d.code.to_string(), text[..d.range.start].matches('\n').count()))
                .collect()
        };
        // Each mention's name, and whether the knowledge base has it.
        let names = |c: &Corpus| -> Vec<(String, bool)> {
            let a = c.document(&root.join("a.txt")).expect("a.txt");
            let kb = |e| matches!(e, crate::analysis::names::EntityRef::Kb(_));
            a.analysis.mentions.iter().map(|m| (c.lexicon.name(m.entity()).to_string(), kb(m.entity()))).collect()
        };
        // A second `ada`: dropped, so the entities are the same; taken at
        // once, reported on its line, nothing due.
        let dup = format!("{kb}\n[[entity]]\nid = \"ada\"\nname = \"Grace Hopper\"\nkind = \"person\"\n");
        corpus.set_override(&kb_path, Some(dup.clone()));
        corpus.defer_reload(None);
        assert!(!corpus.reload_due());
        assert_eq!(codes(corpus.aux_files(), &dup), [("kb-duplicate-id".to_string(), 6)]);
        assert_eq!(codes(&corpus.aux, &dup), [("kb-duplicate-id".to_string(), 6)]);
        // A new entity: checked at once, the corpus still reads the files
        // as they were until the reload is made.
        let grace = dup.replace("id = \"ada\"\nname = \"Grace", "id = \"grace\"\nname = \"Grace");
        corpus.set_override(&kb_path, Some(grace.clone()));
        corpus.defer_reload(None);
        assert!(corpus.reload_due());
        assert_eq!(codes(corpus.aux_files(), &grace), []);
        assert_eq!(corpus.aux_files()[0].source.as_ref().map(|s| &*s.text), Some(grace.as_str()));
        assert_eq!(codes(&corpus.aux, &dup), [("kb-duplicate-id".to_string(), 6)]);
        assert_eq!(corpus.kb.entities.len(), 1);
        assert_eq!(names(&corpus), [("Ada Lovelace".into(), true), ("Grace Hopper".into(), false)]);
        // A description added meanwhile: still due (the entities differ
        // from those the corpus reads).
        // Its forms are those the check of Grace made: not made again.
        let described = grace.replacen("kind = \"person\"\n", "kind = \"person\"\ndescription = \"Wrote it.\"\n", 1);
        let checked = corpus.edited.as_ref().map(|e| e.kb.clone()).expect("checked");
        corpus.set_override(&kb_path, Some(described.clone()));
        corpus.defer_reload(None);
        assert!(corpus.reload_due());
        let edited = corpus.edited.as_ref().map(|e| e.kb.clone()).expect("checked");
        assert!(!Arc::ptr_eq(&edited, &checked));
        assert!(std::ptr::eq(edited.patterns(), checked.patterns()));
        // Stopped: no corpus. Made: the corpus reads them, nothing due,
        // and the base the check built is the one it takes (not parsed
        // again).
        let checked = corpus.edited.as_ref().map(|e| e.kb.clone()).expect("checked");
        assert!(corpus.clone().reloaded_unless(&|| true).is_none());
        let mut corpus = corpus.reloaded_unless(&|| false).expect("not stopped");
        assert!(!corpus.reload_due());
        assert!(Arc::ptr_eq(&corpus.kb, &checked));
        assert_eq!(corpus.kb.entities.len(), 2);
        assert_eq!(names(&corpus), [("Ada Lovelace".into(), true), ("Grace Hopper".into(), true)]);
        // Only a description and where the entries are: taken at once, the
        // documents kept as they were analysed.
        let moved = format!("# People.\n{}", described.replace("Wrote it.", "Wrote the notes."));
        let before = corpus.document(&root.join("a.txt")).cloned().expect("a.txt");
        let patterns: *const _ = corpus.kb.patterns();
        corpus.set_override(&kb_path, Some(moved.clone()));
        corpus.defer_reload(None);
        assert!(!corpus.reload_due());
        assert_eq!(corpus.kb.entities[0].description.as_deref(), Some("Wrote the notes."));
        assert!(std::ptr::eq(corpus.kb.patterns(), patterns), "the forms not made again");
        assert!(Arc::ptr_eq(&corpus.kb, &corpus.lexicon.kb));
        assert_eq!(&moved[corpus.kb.entities[1].spans.name.clone()], "\"Grace Hopper\"");
        assert_eq!(corpus.aux_files()[0].source.as_ref().map(|s| &*s.text), Some(moved.as_str()));
        let after = corpus.document(&root.join("a.txt")).expect("a.txt");
        assert!(Arc::ptr_eq(&before, after), "not analysed again");
        // An alias, a name, a learned alias, an id: what documents read;
        // due.
        for (from, to) in [
            ("kind = \"person\"\ndescription", "aliases = [\"Countess\"]\nkind = \"person\"\ndescription"),
            ("\"Ada Lovelace\"", "\"Augusta Ada Lovelace\""),
            // Both drop the shared form: Ada's learned surname goes.
            ("name = \"Grace Hopper\"\n", "name = \"Grace Hopper\"\naliases = [\"Lovelace\"]\n"),
            ("\"ada\"", "\"ada-lovelace\""),
        ] {
            let mut changed = corpus.clone();
            changed.set_override(&kb_path, Some(moved.replacen(from, to, 1)));
            changed.defer_reload(None);
            assert!(changed.reload_due(), "{to}");
        }
        // A kind alone (the surname an alias, so learned by neither kind).
        let lovelace = kb.replace("kind", "aliases = [\"Lovelace\"]\nkind");
        let mut person = Corpus::from_texts(root, &[("entities.toml", &lovelace), ("a.txt", doc)]);
        person.set_override(&kb_path, Some(lovelace.replace("person", "organization")));
        person.defer_reload(None);
        assert!(person.reload_due());
        // New settings: due, and still due after a description (the
        // documents have yet to read them); the same settings again: not.
        let settings = serde_json::json!({"rules": {"money-figure": "hint"}});
        let mut set = corpus.clone();
        set.defer_reload(Some(&settings));
        assert!(set.reload_due());
        set.set_override(&kb_path, Some(moved.replace("the notes", "notes")));
        set.defer_reload(None);
        assert!(set.reload_due(), "the settings are still to be read");
        let mut set = set.reloaded_unless(&|| false).expect("not stopped");
        set.set_override(&kb_path, Some(moved.clone()));
        set.defer_reload(Some(&settings));
        assert!(!set.reload_due(), "the same settings");
        // Broken: reported, the last good base kept, nothing due.
        let broken = format!("{moved}[[entity]\n");
        corpus.set_override(&kb_path, Some(broken.clone()));
        corpus.defer_reload(None);
        assert!(!corpus.reload_due());
        assert_eq!(codes(corpus.aux_files(), &broken), [("kb-syntax".to_string(), 11)]);
        assert_eq!(corpus.kb.entities.len(), 2);
    }

    #[test]
    fn asking_ahead_for_any_document_offset_or_step_panics_on_none() {
        let corpus = Corpus::from_texts(Path::new("/corpus"), &[("a.txt", "Jane Roe said so.\n"), ("b.txt", "")]);
        assert_eq!(corpus.indexed_documents().len(), 2);
        for d in [0, 1, 2, u32::MAX] {
            for offset in [0, 3, 18, 19, usize::MAX] {
                for step in [Ahead::Far, Ahead::Middle, Ahead::Near] {
                    corpus.prefetch_indexed(d, offset, step);
                }
            }
        }
    }

    #[test]
    fn an_edit_that_only_moves_names_moves_their_introductions_and_nothing_else() {
        let root = Path::new("/corpus");
        let text = "Acme Widgets chief executive Jane Roe said so.\n\nRoe said more.\n";
        let mut corpus = Corpus::from_texts(root, &[("a.txt", text), ("b.txt", "Jane Roe again.\n")]);
        let jane = corpus.lexicon.discovered_names().find(|(_, d)| d.name == "Jane Roe").expect("discovered").0;
        let before = corpus.lexicon.discovered(jane).expect("discovered").intro.range.clone();
        let path = root.join("a.txt");
        let edited = format!("So. {text}");
        let doc = corpus.analyze_alone(&path, SourceText::new(edited.as_str()));
        assert!(!corpus.insert_deferred(doc), "the same names: no corpus-wide re-resolution");
        let moved = corpus.lexicon.discovered(jane).expect("still there");
        assert_eq!(moved.intro.range, before.start + 4..before.end + 4);
        assert_eq!(&edited[moved.intro.range.clone()], "Jane Roe");
        assert_eq!(&edited[moved.intro.context_range.clone()], moved.intro.context);
        // What a corpus built from the edited text from scratch has.
        let fresh = Corpus::from_texts(root, &[("a.txt", edited.as_str()), ("b.txt", "Jane Roe again.\n")]);
        let names = |c: &Corpus| c.lexicon.discovered_names().map(|(i, d)| (i, d.clone())).collect::<Vec<_>>();
        assert_eq!(names(&corpus), names(&fresh));
        assert!(corpus.lexicon.same_forms(&fresh.lexicon));
        // A new name is a change for the whole corpus.
        let doc = corpus.analyze_alone(&path, SourceText::new(format!("Mary Major said. {edited}")));
        assert!(corpus.insert_deferred(doc));
    }

    /// Where `corpus` mentions `e`: `path range`, in path order.
    fn places(corpus: &Corpus, e: EntityRef) -> Vec<String> {
        corpus.mentions_of(e).iter().map(|(p, r)| format!("{} {r:?}", corpus.display_path(p))).collect()
    }

    #[test]
    fn a_new_name_resolves_again_only_the_documents_that_write_its_forms() {
        let root = Path::new("/corpus");
        let files = [
            ("a.txt", "Nobody here.\n"),
            ("b.txt", "Quixmann wrote.\n"),
            ("c.txt", "Mayor Jane Roe said so.\n"),
            ("d.txt", "Roe said.\n"),
            ("e.txt", "Nothing.\n"),
        ];
        let mut corpus = Corpus::from_texts(root, &files);
        let docs = |c: &Corpus| -> Vec<Arc<Document>> { c.docs.values().cloned().collect() };
        let before = docs(&corpus);
        let change =
            corpus.update_document(&root.join("a.txt"), SourceText::new("Professor Zorblat Quixmann said so.\n"));
        assert_eq!(change, Change::Global);
        let after = docs(&corpus);
        let kept: Vec<bool> = before.iter().zip(&after).map(|(x, y)| Arc::ptr_eq(x, y)).collect();
        assert_eq!(kept, [false, false, true, true, true], "only a.txt and b.txt write the name's forms");
        let quixmann = corpus.lexicon.discovered_names().find(|(_, d)| d.name == "Zorblat Quixmann").expect("new").0;
        assert_eq!(quixmann, 1, "the next id: Jane Roe keeps 0");
        assert_eq!(places(&corpus, EntityRef::Discovered(quixmann)), ["a.txt 10..26", "b.txt 0..8"]);
        let changed: Vec<String> = corpus.changed.iter().map(|p| corpus.display_path(p)).collect();
        assert_eq!(changed, ["a.txt", "b.txt"], "overlaid on the mention index");

        // When more than one document in `OVERLAID` (and `OVERLAID` more)
        // have changed, the mention index is built again: 19 of 40 here.
        const { assert!(19 > 40 / OVERLAID + OVERLAID && 19 <= 40 / 2) };
        let many: Vec<(String, &str)> =
            (0..40).map(|i| (format!("{i:03}.txt"), if i < 18 { "Quixmann.\n" } else { "No.\n" })).collect();
        let files: Vec<(&str, &str)> = many.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let mut corpus = Corpus::from_texts(root, &files);
        let before = docs(&corpus);
        corpus.update_document(&root.join("039.txt"), SourceText::new("Professor Zorblat Quixmann said so.\n"));
        let kept = before.iter().zip(&docs(&corpus)).filter(|(x, y)| Arc::ptr_eq(x, y)).count();
        assert_eq!(kept, 21, "resolved again: the 18 that write Quixmann and 039.txt");
        assert!(corpus.changed.is_empty(), "the index built again");
        assert_eq!(corpus.mention_counts(EntityRef::Discovered(0), 0).total, 19);
    }

    #[test]
    fn names_few_documents_hold_update_the_lexicon_in_place() {
        let root = Path::new("/corpus");
        let files = [
            ("a.txt", "Mayor Jane Roe said so.\n"),
            ("b.txt", "Jane Roe wrote. Acme Widgets Inc. paid.\n"),
            ("c.txt", "Vexley said.\n"),
        ];
        // What the corpus knows: each name with its aliases and where it is
        // introduced, and where each is mentioned.
        let known = |c: &Corpus| -> Vec<String> {
            let mut names: Vec<String> = c
                .lexicon
                .discovered_names()
                .map(|(i, d)| {
                    let places = places(c, EntityRef::Discovered(i));
                    format!(
                        "{} {:?} {} {:?} {places:?}",
                        d.name,
                        d.aliases,
                        c.display_path(&d.intro.doc),
                        d.intro.range
                    )
                })
                .collect();
            names.sort_unstable();
            names
        };
        let mut corpus = Corpus::from_texts(root, &files);
        let edit = |corpus: &mut Corpus, b: &str| corpus.update_document(&root.join("b.txt"), SourceText::new(b));
        // A new name b.txt alone holds (and Acme Widgets moved): in place,
        // as a fresh load of the same texts knows it.
        let b = "Jane Roe wrote. Chair Wanda Vexley said so. Acme Widgets Inc. paid.\n";
        assert_eq!(edit(&mut corpus, b), Change::Global);
        assert_eq!(corpus.updated_in_place, 1);
        let fresh = Corpus::from_texts(root, &[files[0], ("b.txt", b), files[2]]);
        assert_eq!(known(&corpus), known(&fresh));
        assert!(
            known(&corpus)
                .iter()
                .any(|n| n.starts_with("Wanda Vexley [\"Vexley\"] b.txt 22..34 [\"b.txt 22..34\", \"c.txt 0..6\"]"))
        );
        // A surname a.txt's name holds too: in place over both documents'
        // names (found by their text), and known alike.
        let b = "Jane Roe wrote. Professor John Roe said so.\n";
        edit(&mut corpus, b);
        assert_eq!(corpus.updated_in_place, 2);
        assert_eq!(known(&corpus), known(&Corpus::from_texts(root, &[files[0], ("b.txt", b), files[2]])));
        // Two documents changed before the corpus is brought up to date:
        // one change at a time, in place; a name that moved from c.txt to
        // a.txt too.
        let mut corpus = Corpus::from_texts(root, &[files[0], files[1], ("c.txt", "Chair Xena Quill said so.\n")]);
        let (a, c) = ("Mayor Jane Roe said so. Chair Xena Quill said so.\n", "Chair Wanda Vexley said so.\n");
        for (name, text) in [("a.txt", a), ("c.txt", c)] {
            let doc = corpus.analyze_alone(&root.join(name), SourceText::new(text));
            corpus.insert_deferred(doc);
        }
        assert_eq!(corpus.rebuild_global(), Change::Global);
        assert_eq!(corpus.updated_in_place, 1);
        assert_eq!(known(&corpus), known(&Corpus::from_texts(root, &[("a.txt", a), files[1], ("c.txt", c)])));
        assert!(known(&corpus).iter().any(|n| n.starts_with("Xena Quill [\"Quill\"] a.txt 30..40")));
        // b.txt gone: its names were its own again.
        let mut corpus = Corpus::from_texts(root, &[files[0], ("b.txt", "Chair Wanda Vexley said so.\n"), files[2]]);
        corpus.remove_document(&root.join("b.txt"));
        assert_eq!(corpus.updated_in_place, 1);
        assert_eq!(known(&corpus), known(&Corpus::from_texts(root, &[files[0], files[2]])));
    }

    #[test]
    fn mention_counts_from_the_index_and_over_edited_documents() {
        let root = Path::new("/corpus");
        let kb = "[[entity]]\nid = \"ada\"\nname = \"Ada Lovelace\"\nkind = \"person\"\n";
        let mut corpus = Corpus::from_texts(
            root,
            &[
                ("entities.toml", kb),
                ("a.txt", "Ada Lovelace wrote. Lovelace again.\n"),
                ("b.txt", "Nobody here.\n"),
                ("c.txt", "Lovelace, said Ada Lovelace.\n\nLovelace.\n"),
            ],
        );
        let ada = EntityRef::Kb(0);
        let counts = |corpus: &Corpus, first| -> (usize, usize, Vec<(String, usize)>) {
            let c = corpus.mention_counts(ada, first);
            (c.total, c.documents, c.first.iter().map(|(p, n)| (corpus.display_path(p), *n)).collect())
        };
        assert!(corpus.changed.is_empty(), "counted from the index");
        assert_eq!(counts(&corpus, 10), (5, 2, vec![("a.txt".to_string(), 2), ("c.txt".to_string(), 3)]));
        assert_eq!(counts(&corpus, 1), (5, 2, vec![("a.txt".to_string(), 2)]));
        assert_eq!(counts(&corpus, 0), (5, 2, vec![]));
        // An edit overlays the index: b.txt now mentions her, a.txt once.
        for (rel, text) in [("b.txt", "Ada Lovelace.\n"), ("a.txt", "Ada Lovelace wrote.\n")] {
            let doc = corpus.analyze_alone(&root.join(rel), SourceText::new(text));
            corpus.insert_deferred(doc);
        }
        assert_eq!(corpus.changed.len(), 2);
        let all = vec![("a.txt".to_string(), 1), ("b.txt".to_string(), 1), ("c.txt".to_string(), 3)];
        assert_eq!(counts(&corpus, 10), (5, 3, all.clone()));
        assert_eq!(counts(&corpus, 2), (5, 3, all[..2].to_vec()));
    }

    #[test]
    fn a_stopped_rebuild_leaves_the_corpus_as_it_was() {
        let root = Path::new("/corpus");
        let mut corpus = Corpus::from_texts(root, &[("a.txt", "Acme Widgets chief executive Jane Roe said so.\n")]);
        let path = root.join("a.txt");
        let doc = corpus.analyze_alone(&path, SourceText::new("Mary Major, a senator, said so.\n"));
        assert!(corpus.insert_deferred(doc), "a new name");
        let lexicon = corpus.lexicon.clone();
        assert_eq!(corpus.rebuild_global_unless(&|| true).map(|_| ()), None);
        assert!(Arc::ptr_eq(&lexicon, &corpus.lexicon), "stopped: nothing replaced");
        assert!(matches!(corpus.rebuild_global_unless(&|| false), Some(Change::Global)));
        assert!(corpus.lexicon.discovered_names().any(|(_, d)| d.name == "Mary Major"));
    }
}
