//! Go to definition (and declaration): a mention goes to its
//! knowledge-base entry, a discovered name to its first introduction in the
//! corpus (whatever document that is), a citation to its definition.

use std::path::Path;
use std::sync::Arc;

use super::{FileRange, Hit, at, declaration};
use crate::index::Corpus;

pub fn definition(corpus: &Corpus, path: &Path, offset: usize) -> Vec<FileRange> {
    match at(corpus, path, offset) {
        Some(Hit::Mention(m)) => declaration(corpus, m.entity()).into_iter().collect(),
        Some(Hit::Citation(c)) => corpus
            .definition_of(path, &c.key)
            .map(|(p, d)| FileRange { path: p, range: d.label_range })
            .into_iter()
            .collect(),
        Some(Hit::Definition(d)) => vec![FileRange { path: Arc::from(path), range: d.label_range.clone() }],
        Some(Hit::Entry(_)) | None => Vec::new(),
    }
}
