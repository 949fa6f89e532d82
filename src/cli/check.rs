//! `factls check`: lint a corpus like a compiler.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::output::{self, FileReport};
use super::{Format, Output, Relative, select, selected};
use crate::analysis::SourceText;
use crate::analysis::diagnostic::Severity;
use crate::index::{AuxFile, Corpus, Document};

pub fn run(paths: &[PathBuf], format: Format, deny_warnings: bool) -> i32 {
    let started = std::time::Instant::now();
    let selection = select(paths, Corpus::load_for_check);
    let relative = Relative::to_current_dir();
    let mut files: Vec<File> = Vec::new();
    for (corpus, chosen) in &selection.corpora {
        files.extend(corpus.aux.iter().filter(|a| !a.diagnostics.is_empty()).map(File::Aux));
        files.extend(
            corpus
                .docs
                .iter()
                .filter(|(path, _)| selected(path, chosen))
                .map(|(path, doc)| File::Doc(corpus, path, doc)),
        );
    }
    let documents = files.iter().filter(|f| matches!(f, File::Doc(..))).count();
    let report = |f: &File| f.report(&relative);
    let mut out = Output::stdout();
    let counts = match format {
        Format::Human => output::human(&files, &report, documents, &mut out),
        Format::Json => output::json(&files, &report, documents, &mut out),
        Format::Sarif => output::sarif(&files, &report, &mut out),
    };
    out.finish();
    tracing::debug!(elapsed = ?started.elapsed(), "report written");
    let code = if selection.io_error {
        2
    } else if counts.get(Severity::Error) > 0 || (deny_warnings && counts.get(Severity::Warning) > 0) {
        1
    } else {
        0
    };
    // The process ends right after: freeing every document's analysis one
    // by one would only cost time (a few percent of a large check).
    std::mem::forget(files);
    std::mem::forget(selection);
    code
}

/// A file with something to report: a config or knowledge-base file with
/// problems, or a selected document.
enum File<'a> {
    Aux(&'a AuxFile),
    Doc(&'a Corpus, &'a Arc<Path>, &'a Arc<Document>),
}

impl File<'_> {
    fn report(&self, relative: &Relative) -> FileReport {
        match self {
            File::Aux(aux) => {
                // In file order, like a document's: the knowledge base
                // reports per-entry problems first and corpus-wide ones
                // (duplicate ids, shared aliases) after.
                let mut diagnostics = aux.diagnostics.clone();
                diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
                FileReport {
                    path: relative.show(&aux.path),
                    source: aux.source.clone().unwrap_or_else(|| SourceText::new("")),
                    diagnostics,
                }
            }
            File::Doc(corpus, path, doc) => FileReport {
                path: relative.show(path),
                source: doc.source.clone(),
                diagnostics: corpus.document_diagnostics(path, doc),
            },
        }
    }
}
