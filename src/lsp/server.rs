//! The tower-lsp backend: each handler parses its params, takes a snapshot,
//! calls one `ide::` function and converts the result. State and
//! scheduling live in `state.rs`, conversions in `convert.rs`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use super::capabilities::capabilities;
use super::convert;
use super::large::{Locations, Output};
use super::state::{OpenDoc, State};
use crate::analysis::SourceText;
use crate::analysis::kb::EntityKind;
use crate::analysis::text::Encoding;
use crate::analysis::text::TextRange;
use crate::ide::{self, FileRange};
use crate::index::editable::EditableText;
use crate::index::{Ahead, Corpus, Place};

#[derive(Clone)]
pub struct Backend {
    state: Arc<State>,
}

impl Backend {
    pub fn new(client: Client, output: Output) -> Backend {
        Backend { state: Arc::new(State::new(client, output)) }
    }

    fn enc(&self) -> Encoding {
        self.state.encoding()
    }

    /// Snapshot, path and text of a document for a request.
    async fn target(&self, uri: &Url) -> Option<(Arc<Corpus>, std::path::PathBuf, SourceText)> {
        let (corpus, path) = self.state.snapshot_for(uri).await?;
        let src = ide::file_source(&corpus, &path)?;
        Some((corpus, path, src))
    }

    fn location(&self, corpus: &Corpus, r: &FileRange) -> Option<Location> {
        let src = ide::file_source(corpus, &r.path).or_else(|| read_source(&r.path))?;
        Some(Location { uri: convert::uri(&r.path)?, range: convert::range(&src, &r.range, self.enc()) })
    }

    /// Many locations (references), file by file: each file's text and URI
    /// looked up once; a long list in parts on all cores.
    fn locations(&self, corpus: &Corpus, places: &[(Place, TextRange)]) -> Locations {
        use rayon::prelude::*;
        // Parts of at least 256: each location of a random name misses the
        // caches (its document's text and line table), a few microseconds,
        // which two cores overlap; a part costs rayon some ten.
        const PART: usize = 256;
        if places.len() < 2 * PART {
            return self.locations_from(corpus, places);
        }
        let chunk = places.len().div_ceil(rayon::current_num_threads().max(1)).max(PART);
        let parts = places.par_chunks(chunk).map(|part| self.locations_from(corpus, part)).collect();
        Locations::concat(parts)
    }

    /// [`Backend::locations`] of one part.
    fn locations_from(&self, corpus: &Corpus, places: &[(Place, TextRange)]) -> Locations {
        let enc = self.enc();
        let mut out = Locations::with_capacity(places.len());
        let indexed = corpus.indexed_documents();
        // The same document of the index, or the same `Arc` or bytes (the
        // corpus's paths are normalised; `Path`'s own comparison parses
        // both).
        let same = |(a, _): &(Place, TextRange), (b, _): &(Place, TextRange)| match (a, b) {
            (Place::Indexed(a), Place::Indexed(b)) => a == b,
            (Place::File(a), Place::File(b)) => Arc::ptr_eq(a, b) || a.as_os_str() == b.as_os_str(),
            _ => false,
        };
        let files: Vec<_> = places.chunk_by(same).collect();
        // Each document of a long answer is one no cache holds: its
        // entries, URI, line index, line table and text are asked for
        // ahead (see `Corpus::prefetch_indexed`).
        const AHEAD: usize = 4;
        let ask = |i: usize, step: Ahead| {
            if let Some([(Place::Indexed(d), range), ..]) = files.get(i) {
                corpus.prefetch_indexed(*d, range.start, step);
            }
        };
        for (i, &file) in files.iter().enumerate() {
            ask(i + 3 * AHEAD, Ahead::Far);
            ask(i + 2 * AHEAD, Ahead::Middle);
            ask(i + AHEAD, Ahead::Near);
            // A document of the index is current (see `Place`); any other
            // file (a knowledge-base file, a document edited since) is
            // looked up, or read. One that can be neither read nor named
            // is left out.
            let uri_of = |path: &Path| convert::uri(path).map(String::from);
            let found = match &file[0].0 {
                Place::Indexed(d) => indexed
                    .get(*d as usize)
                    .and_then(|(_, src)| Some((Cow::Borrowed(src), corpus.indexed_uri(*d, uri_of)?))),
                Place::File(path) => ide::file_source(corpus, path)
                    .or_else(|| read_source(path))
                    .and_then(|src| Some((Cow::Owned(src), Arc::from(uri_of(path)?)))),
            };
            let Some((src, uri)) = found else { continue };
            out.file(uri);
            // A document's mentions come in order: each counted on from
            // the one before.
            let mut ranges = convert::Ranges::new(&src, enc);
            for (_, range) in file {
                out.push(ranges.range(range));
            }
        }
        out
    }

    /// `textDocument/references`, as [`Locations`] (which `large.rs`
    /// writes straight to JSON).
    pub(super) async fn reference_locations(&self, params: ReferenceParams) -> Result<Option<Locations>> {
        let p = params.text_document_position;
        let Some((corpus, path, src)) = self.target(&p.text_document.uri).await else { return Ok(None) };
        let offset = convert::offset(&src, p.position, self.enc());
        let include = params.context.include_declaration;
        let found = guard(|| ide::references::places(&corpus, &path, offset, include))?;
        Ok(Some(guard(|| self.locations(&corpus, &found))?))
    }

    fn workspace_edit(
        &self,
        corpus: &Corpus,
        edits: &[(FileRange, String)],
        create: &[Arc<Path>],
    ) -> Option<WorkspaceEdit> {
        let mut by_file: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        let mut order = Vec::new();
        for (r, text) in edits {
            let uri = convert::uri(&r.path)?;
            let range = if create.contains(&r.path) {
                Range::default()
            } else {
                let src = ide::file_source(corpus, &r.path).or_else(|| read_source(&r.path))?;
                convert::range(&src, &r.range, self.enc())
            };
            if !order.contains(&uri) {
                order.push(uri.clone());
            }
            by_file.entry(uri).or_default().push(TextEdit { range, new_text: text.clone() });
        }
        if !create.is_empty() && self.state.session().create_files {
            let mut ops = Vec::new();
            for p in create {
                let uri = convert::uri(p)?;
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri,
                    options: Some(CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                    annotation_id: None,
                })));
            }
            for uri in order {
                let edits = by_file.remove(&uri).unwrap_or_default();
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }));
            }
            return Some(WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(ops)),
                ..Default::default()
            });
        }
        Some(WorkspaceEdit { changes: Some(by_file), ..Default::default() })
    }
}

fn read_source(path: &Path) -> Option<SourceText> {
    crate::index::walk::read_document(path).ok().map(SourceText::new)
}

/// Runs a feature, turning a panic into an internal error (tower-lsp does
/// not catch them).
fn guard<T>(f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        tracing::error!("a request panicked");
        Error::internal_error()
    })
}

fn symbol_kind(kind: EntityKind) -> SymbolKind {
    match kind {
        EntityKind::Person => SymbolKind::OBJECT,
        EntityKind::Organization => SymbolKind::CLASS,
        EntityKind::Place => SymbolKind::NAMESPACE,
        EntityKind::Law => SymbolKind::INTERFACE,
        EntityKind::Event => SymbolKind::EVENT,
        EntityKind::Other => SymbolKind::CONSTANT,
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let offers_utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let mut folders: Vec<std::path::PathBuf> =
            params.workspace_folders.iter().flatten().filter_map(|f| convert::path(&f.uri)).collect();
        #[allow(deprecated)]
        if folders.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(convert::path)
        {
            folders.push(root);
        }
        {
            let mut s = match self.state.session.write() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            s.encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            s.progress = caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
            s.pull_diagnostics = caps.text_document.as_ref().and_then(|t| t.diagnostic.as_ref()).is_some();
            s.watch_dynamic = caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            s.create_files = caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
            s.settings = params.initialization_options.clone().filter(|v| !v.is_null());
            s.folders = folders;
        }
        let encoding = self.enc();
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo { name: "factls".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let session = self.state.session();
        if session.watch_dynamic {
            let watchers = ["**/*.{txt,md,markdown}", "**/entities.toml", "**/*.toml"]
                .iter()
                .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String((*g).into()), kind: None })
                .collect();
            let registration = Registration {
                id: "factls-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
            };
            // Not awaited here: a handler waiting on the client would hold up
            // everything behind it.
            let client = self.state.client.clone();
            tokio::spawn(async move {
                let _ = client.register_capability(vec![registration]).await;
            });
        }
        for folder in session.folders {
            let root = crate::index::walk::find_root(&folder);
            let root = if root.starts_with(&folder) { root } else { folder };
            self.state.slot_for_root(&root, true);
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let Some(path) = convert::path(&doc.uri) else { return };
        let slot = self.state.slot_for_document(&path);
        let text = crate::analysis::source::strip_bom(&doc.text).to_string();
        {
            let mut open = match self.state.open.lock() {
                Ok(o) => o,
                Err(p) => p.into_inner(),
            };
            open.insert(
                doc.uri.clone(),
                OpenDoc {
                    path,
                    text: EditableText::new(&text),
                    version: doc.version,
                    slot,
                    analyzed: None,
                    published: None,
                    sent: None,
                },
            );
        }
        let state = self.state.clone();
        tokio::spawn(async move { state.publish(&doc.uri).await });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let enc = self.enc();
        let uri = params.text_document.uri;
        {
            let mut open = match self.state.open.lock() {
                Ok(o) => o,
                Err(p) => p.into_inner(),
            };
            let Some(doc) = open.get_mut(&uri) else {
                tracing::warn!("didChange for {uri}, which is not open: ignored");
                return;
            };
            for change in params.content_changes {
                let range = change.range.map(|r| (convert::line_col(r.start), convert::line_col(r.end)));
                doc.text.apply(range, &change.text, enc);
            }
            doc.version = params.text_document.version;
            tracing::debug!(version = doc.version, "change applied");
        }
        let state = self.state.clone();
        tokio::spawn(async move { state.publish(&uri).await });
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if let Some(path) = convert::path(&params.text_document.uri)
            && let Some(slot) = self.state.slot_containing(&path)
            && slot.snapshot().is_aux_file(&path)
        {
            self.state.reload(&slot).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.state.closed(&params.text_document.uri).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Some(path) = convert::path(&change.uri) {
                self.state.file_changed(path, change.typ == FileChangeType::DELETED).await;
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let state = self.state.clone();
        // Spawned: fetching settings waits on the client.
        tokio::spawn(async move {
            let settings = if params.settings.is_null() {
                // Pull model: the client says "changed" and we ask.
                let item = ConfigurationItem { scope_uri: None, section: Some("factls".into()) };
                match state.client.configuration(vec![item]).await {
                    Ok(values) => values.into_iter().next().filter(|v| !v.is_null()),
                    Err(_) => None,
                }
            } else {
                let s = params.settings;
                Some(s.get("factls").cloned().unwrap_or(s))
            };
            if let Ok(mut s) = state.session.write() {
                s.settings = settings;
            }
            state.reload_all().await;
        });
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let Some((corpus, path, src)) = self.target(&p.text_document.uri).await else { return Ok(None) };
        let offset = convert::offset(&src, p.position, self.enc());
        tracing::debug!(?path, offset, docs = corpus.docs.len(), has = corpus.document(&path).is_some(), "hover");
        let found = guard(|| ide::hover::hover(&corpus, &path, offset))?;
        Ok(found.map(|h| Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: h.markdown }),
            range: Some(convert::range(&src, &h.range, self.enc())),
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some((corpus, path, src)) = self.target(&p.text_document.uri).await else { return Ok(None) };
        let offset = convert::offset(&src, p.position, self.enc());
        let targets = guard(|| ide::definition::definition(&corpus, &path, offset))?;
        let locations: Vec<Location> = targets.iter().filter_map(|t| self.location(&corpus, t)).collect();
        Ok((!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations)))
    }

    async fn goto_declaration(
        &self,
        params: request::GotoDeclarationParams,
    ) -> Result<Option<request::GotoDeclarationResponse>> {
        self.goto_definition(params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(self.reference_locations(params).await?.map(|found| found.to_vec()))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some((corpus, path, src)) = self.target(&uri).await else { return Ok(None) };
        let range = convert::text_range(&src, params.range, self.enc());
        let actions = guard(|| ide::code_actions::code_actions(&corpus, &path, range))?;
        let mut out = Vec::new();
        for a in actions {
            let Some(edit) = self.workspace_edit(&corpus, &a.edits, &a.create) else { continue };
            let diagnostics = a.fixes.as_ref().map(|(code, r)| {
                let d = crate::analysis::diagnostic::Diagnostic::new(
                    r.clone(),
                    crate::analysis::diagnostic::Severity::Warning,
                    code.clone(),
                    String::new(),
                );
                let found =
                    corpus.diagnostics(&path).iter().find(|x| x.code == *code && x.range == *r).cloned().unwrap_or(d);
                vec![convert::diagnostic(&src, found, self.enc())]
            });
            let kind = match a.kind {
                ide::code_actions::ActionKind::QuickFix => CodeActionKind::QUICKFIX,
                ide::code_actions::ActionKind::Refactor => CodeActionKind::REFACTOR,
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(kind),
                diagnostics,
                edit: Some(edit),
                is_preferred: Some(a.preferred),
                ..Default::default()
            }));
        }
        Ok(Some(out))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some((corpus, path, src)) = self.target(&params.text_document.uri).await else { return Ok(None) };
        let Some(doc) = corpus.document(&path) else { return Ok(None) };
        let symbols = guard(|| ide::symbols::document_symbols(&corpus, doc))?;
        let enc = self.enc();
        fn convert_symbol(s: ide::symbols::Symbol, src: &SourceText, enc: Encoding) -> DocumentSymbol {
            let kind = match s.kind {
                ide::symbols::SymbolKind::Paragraph => SymbolKind::NAMESPACE,
                ide::symbols::SymbolKind::Entity(k) => symbol_kind(k),
                ide::symbols::SymbolKind::Claim => SymbolKind::STRING,
            };
            #[allow(deprecated)]
            DocumentSymbol {
                name: if s.name.is_empty() { "¶".into() } else { s.name },
                detail: (!s.detail.is_empty()).then_some(s.detail),
                kind,
                tags: None,
                deprecated: None,
                range: convert::range(src, &s.range, enc),
                selection_range: convert::range(src, &s.selection, enc),
                children: Some(s.children.into_iter().map(|c| convert_symbol(c, src, enc)).collect()),
            }
        }
        Ok(Some(DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| convert_symbol(s, &src, enc)).collect())))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        let mut out = Vec::new();
        let session = self.state.session();
        let mut seen = Vec::new();
        for folder in session.folders.iter() {
            let Some(slot) = self.state.slot_containing(folder) else { continue };
            seen.push(slot.root.clone());
        }
        let open: Vec<Url> = match self.state.open.lock() {
            Ok(o) => o.keys().cloned().collect(),
            Err(p) => p.into_inner().keys().cloned().collect(),
        };
        for uri in open {
            if let Some(path) = convert::path(&uri)
                && let Some(slot) = self.state.slot_containing(&path)
                && !seen.contains(&slot.root)
            {
                seen.push(slot.root.clone());
            }
        }
        for root in seen {
            let Some(slot) = self.state.slot_containing(&root) else { continue };
            let corpus = slot.snapshot();
            let found = guard(|| ide::symbols::workspace_symbols(&corpus, &params.query))?;
            for s in found {
                let Some(location) = self.location(&corpus, &s.location) else { continue };
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name: s.name,
                    kind: symbol_kind(s.kind),
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: Some(s.container),
                });
            }
        }
        Ok(Some(out))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let Some(tokens) = self.tokens(&params.text_document.uri, None).await? else { return Ok(None) };
        Ok(Some(SemanticTokensResult::Tokens(tokens)))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(tokens) = self.tokens(&params.text_document.uri, Some(params.range)).await? else { return Ok(None) };
        Ok(Some(SemanticTokensRangeResult::Tokens(tokens)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        let Some((corpus, path, src)) = self.target(&p.text_document.uri).await else { return Ok(None) };
        let enc = self.enc();
        let offset = convert::offset(&src, p.position, enc);
        let items = guard(|| ide::completion::complete(&corpus, &path, &src.text, offset))?;
        let items = items
            .into_iter()
            .map(|i| CompletionItem {
                label: i.label,
                kind: Some(match i.kind {
                    ide::completion::ItemKind::Citation => CompletionItemKind::REFERENCE,
                    ide::completion::ItemKind::Entity => CompletionItemKind::VALUE,
                }),
                detail: Some(i.detail),
                documentation: i
                    .documentation
                    .map(|d| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: d })),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: convert::range(&src, &i.replace, enc),
                    new_text: i.insert,
                })),
                ..Default::default()
            })
            .collect();
        Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: false, items })))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let Some((corpus, path, src)) = self.target(&params.text_document.uri).await else { return Ok(None) };
        let offset = convert::offset(&src, params.position, self.enc());
        let found = guard(|| ide::rename::prepare(&corpus, &path, offset))?;
        Ok(found.map(|(range, placeholder, _)| PrepareRenameResponse::RangeWithPlaceholder {
            range: convert::range(&src, &range, self.enc()),
            placeholder,
        }))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some((corpus, path, src)) = self.target(&p.text_document.uri).await else { return Ok(None) };
        let offset = convert::offset(&src, p.position, self.enc());
        match guard(|| ide::rename::rename(&corpus, &path, offset, &params.new_name))? {
            Ok(edits) => Ok(self.workspace_edit(&corpus, &edits, &[])),
            Err(message) => {
                Err(Error { code: tower_lsp::jsonrpc::ErrorCode::InvalidParams, message: message.into(), data: None })
            }
        }
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let enc = self.enc();
        let mut items = Vec::new();
        let mut result_id = None;
        if let Some((corpus, path, version)) = self.state.ensure_fresh(&uri).await {
            if let Some(doc) = corpus.document(&path) {
                items =
                    corpus.diagnostics(&path).into_iter().map(|d| convert::diagnostic(&doc.source, d, enc)).collect();
            }
            result_id = Some(version.to_string());
        } else if let Some(path) = convert::path(&uri)
            && let Some(slot) = self.state.slot_containing(&path)
        {
            let corpus = slot.snapshot();
            if let Some(doc) = corpus.document(&path) {
                items =
                    corpus.diagnostics(&path).into_iter().map(|d| convert::diagnostic(&doc.source, d, enc)).collect();
            } else if let Some(aux) = corpus.aux_files().iter().find(|a| a.path == path) {
                let src = aux.source.clone().unwrap_or_else(|| SourceText::new(""));
                items = aux.diagnostics.iter().map(|d| convert::diagnostic(&src, d.clone(), enc)).collect();
            }
        }
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
            },
        )))
    }
}

impl Backend {
    async fn tokens(&self, uri: &Url, range: Option<Range>) -> Result<Option<SemanticTokens>> {
        let Some((corpus, path, src)) = self.target(uri).await else { return Ok(None) };
        let Some(doc) = corpus.document(&path) else { return Ok(None) };
        let enc = self.enc();
        let within = range.map(|r| convert::text_range(&src, r, enc));
        let tokens = guard(|| ide::semantic_tokens::tokens(&corpus, doc, within))?;
        let mut data = Vec::with_capacity(tokens.len());
        let (mut line, mut col) = (0u32, 0u32);
        for t in tokens {
            let start = convert::position(&src, t.range.start, enc);
            let end = convert::position(&src, t.range.end, enc);
            let length = end.character.saturating_sub(start.character);
            if length == 0 {
                continue;
            }
            let delta_line = start.line - line;
            let delta_start = if delta_line == 0 { start.character - col } else { start.character };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type: t.kind,
                token_modifiers_bitset: t.modifiers,
            });
            line = start.line;
            col = start.character;
        }
        Ok(Some(SemanticTokens { result_id: None, data }))
    }
}
