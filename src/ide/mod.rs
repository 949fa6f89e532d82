//! Editor features, one module each, in editor terms: a corpus snapshot, a
//! file and a byte offset in; plain structs with byte ranges out. No
//! protocol types here (`src/lsp/` converts), so every feature is testable
//! without a client.
//!
//! Start with [`at`], which says what lies under the cursor; each feature
//! then decides what to do with it.

pub mod code_actions;
pub mod completion;
pub mod definition;
pub mod hover;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod symbols;

use std::path::Path;
use std::sync::Arc;

use crate::analysis::citations::CitationUse;
use crate::analysis::claims::Claim;
use crate::analysis::names::{EntityRef, Mention};
use crate::analysis::source::Definition;
use crate::analysis::text::TextRange;
use crate::index::{Corpus, Document};

/// A range in a file of the corpus (document, knowledge base, config).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRange {
    pub path: Arc<Path>,
    pub range: TextRange,
}

/// What lies at an offset of a file.
#[derive(Clone, Debug)]
pub enum Hit<'a> {
    Mention(&'a Mention),
    Citation(&'a CitationUse),
    Definition(&'a Definition),
    /// A knowledge-base entry (cursor inside `entities.toml`).
    Entry(usize),
}

fn contains(range: &TextRange, offset: usize) -> bool {
    range.start <= offset && offset <= range.end && range.start < range.end
}

/// The innermost mention at `offset` (a cursor right after a word counts).
pub fn mention_at(doc: &Document, offset: usize) -> Option<&Mention> {
    doc.analysis.mentions.iter().filter(|m| contains(&m.range(), offset)).min_by_key(|m| m.range().len())
}

pub fn citation_at(doc: &Document, offset: usize) -> Option<&CitationUse> {
    doc.analysis.scan.citations.iter().find(|c| contains(&c.range, offset))
}

pub fn definition_at(doc: &Document, offset: usize) -> Option<&Definition> {
    doc.analysis.scan.definitions.iter().find(|d| contains(&d.label_range, offset))
}

/// Claims at `offset`, sourced ones included.
pub fn claims_at(doc: &Document, offset: usize) -> impl Iterator<Item = &Claim> {
    doc.analysis.claims.iter().filter(move |c| contains(&c.range(), offset))
}

/// The knowledge-base entry at `offset` of a knowledge-base file.
pub fn entry_at(corpus: &Corpus, path: &Path, offset: usize) -> Option<usize> {
    let file = corpus.kb.files.iter().position(|f| corpus.root.join(&f.path) == path)?;
    corpus.kb.entities.iter().position(|e| e.spans.file == file && contains(&e.spans.entry, offset))
}

/// What the cursor is on: citation, definition, mention, or entry.
pub fn at<'a>(corpus: &'a Corpus, path: &Path, offset: usize) -> Option<Hit<'a>> {
    if let Some(doc) = corpus.document(path) {
        if let Some(c) = citation_at(doc, offset) {
            return Some(Hit::Citation(c));
        }
        if let Some(d) = definition_at(doc, offset) {
            return Some(Hit::Definition(d));
        }
        return mention_at(doc, offset).map(Hit::Mention);
    }
    entry_at(corpus, path, offset).map(Hit::Entry)
}

/// Where an entity is defined: its knowledge-base entry, or its first
/// introduction in the corpus.
pub fn declaration(corpus: &Corpus, entity: EntityRef) -> Option<FileRange> {
    match entity {
        EntityRef::Kb(i) => {
            let e = corpus.kb.entities.get(i)?;
            let file = corpus.kb.files.get(e.spans.file)?;
            Some(FileRange { path: Arc::from(corpus.root.join(&file.path)), range: e.spans.entry.clone() })
        }
        EntityRef::Discovered(i) => {
            let d = corpus.lexicon.discovered(i)?;
            Some(FileRange { path: d.intro.doc.clone(), range: d.intro.range.clone() })
        }
    }
}

/// The text of a file the corpus knows (document or auxiliary file).
pub fn file_source(corpus: &Corpus, path: &Path) -> Option<crate::analysis::SourceText> {
    if let Some(d) = corpus.document(path) {
        return Some(d.source.clone());
    }
    corpus.aux.iter().find(|a| a.path == path).and_then(|a| a.source.clone())
}

#[cfg(test)]
mod tests;
