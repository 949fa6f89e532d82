//! Find references: every mention of a name across the corpus, opened or
//! not (nested mentions included: `Los Angeles` inside `Los Angeles
//! District Attorney`); every use of a citation key. With
//! `include_declaration`, the knowledge-base entry or the definition too.

use std::path::Path;
use std::sync::Arc;

use super::{FileRange, Hit, at, declaration};
use crate::analysis::names::EntityRef;
use crate::analysis::text::TextRange;
use crate::index::{Corpus, Place};

pub fn references(corpus: &Corpus, path: &Path, offset: usize, include_declaration: bool) -> Vec<FileRange> {
    places(corpus, path, offset, include_declaration)
        .into_iter()
        .filter_map(|(place, range)| Some(FileRange { path: corpus.place_path(&place)?.clone(), range }))
        .collect()
}

/// [`references`] with the documents of the corpus's mention index as
/// [`Place::Indexed`], for an answer of thousands of locations: the
/// declaration first (when asked for), then document by document in path
/// order.
pub fn places(corpus: &Corpus, path: &Path, offset: usize, include_declaration: bool) -> Vec<(Place, TextRange)> {
    match at(corpus, path, offset) {
        Some(Hit::Mention(m)) => entity_references(corpus, m.entity(), include_declaration),
        Some(Hit::Entry(i)) => entity_references(corpus, EntityRef::Kb(i), include_declaration),
        Some(Hit::Citation(c)) => key_references(corpus, path, &c.key, include_declaration),
        Some(Hit::Definition(d)) => key_references(corpus, path, &d.key, include_declaration),
        None => Vec::new(),
    }
}

fn entity_references(corpus: &Corpus, entity: EntityRef, include_declaration: bool) -> Vec<(Place, TextRange)> {
    let mut out = corpus.mention_places(entity);
    // Ranges first: a path comparison parses both paths.
    if include_declaration
        && let Some(decl) = declaration(corpus, entity)
        && !out.iter().any(|(p, r)| *r == decl.range && corpus.place_path(p) == Some(&decl.path))
    {
        out.insert(0, (Place::File(decl.path), decl.range));
    }
    out
}

fn key_references(corpus: &Corpus, path: &Path, key: &str, include_declaration: bool) -> Vec<(Place, TextRange)> {
    let mut out: Vec<(Place, TextRange)> =
        corpus.citation_uses(key).into_iter().map(|(path, range)| (Place::File(path), range)).collect();
    if include_declaration && let Some((p, d)) = corpus.definition_of(path, key) {
        out.insert(0, (Place::File(p), d.label_range));
    }
    out
}

/// Every definition of a key: local ones in `doc` and those in source files.
pub fn key_definitions(corpus: &Corpus, key: &str) -> Vec<FileRange> {
    let mut out = Vec::new();
    for (path, doc) in corpus.docs.iter() {
        for d in doc.analysis.scan.definitions.iter().filter(|d| d.key == key) {
            out.push(FileRange { path: Arc::clone(path), range: d.label_range.clone() });
        }
    }
    out
}
