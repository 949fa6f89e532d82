//! `factls check`: lint a corpus like a compiler.

use std::path::PathBuf;

use super::output::{self, FileReport};
use super::{Format, Output, Relative, select, selected};
use crate::analysis::SourceText;
use crate::analysis::diagnostic::Severity;
use crate::index::{AuxFile, Corpus, Unresolved};

pub fn run(paths: &[PathBuf], format: Format, deny_warnings: bool) -> i32 {
    let started = std::time::Instant::now();
    let mut selection = select(paths, Corpus::load_for_check);
    let relative = Relative::to_current_dir();
    // Made at its size: a document's scan is moved in whole, and a list
    // of them grown by doubling would hold a few megabytes more.
    let size = selection.corpora.iter().map(|(corpus, unresolved, _)| corpus.aux.len() + unresolved.len()).sum();
    let mut files: Vec<File> = Vec::with_capacity(size);
    // The documents taken out first, so that the corpora are only read
    // from here on (the SARIF rules below read them too).
    let unresolved: Vec<Vec<Unresolved>> =
        selection.corpora.iter_mut().map(|(_, unresolved, _)| std::mem::take(unresolved)).collect();
    for ((corpus, _, chosen), unresolved) in selection.corpora.iter().zip(unresolved) {
        files.extend(corpus.aux.iter().filter(|a| !a.diagnostics.is_empty()).map(File::Aux));
        for doc in unresolved {
            if selected(doc.path(), chosen) {
                files.push(File::Doc(corpus, doc));
            } else {
                // Not reported, so not resolved; nor freed, as the corpus
                // is not (below).
                std::mem::forget(doc);
            }
        }
    }
    let documents = files.iter().filter(|f| matches!(f, File::Doc(..))).count();
    let report = |f: File| f.report(&relative);
    let mut out = Output::stdout();
    let counts = match format {
        Format::Human => output::human(files, &report, documents, &mut out),
        Format::Json => output::json(files, &report, documents, &mut out),
        Format::Sarif => {
            // Known before any document is resolved: SARIF results name
            // their rules by index.
            let corpora = || selection.corpora.iter().map(|(corpus, ..)| corpus);
            let rules = output::SarifRules::new(
                corpora().flat_map(|c| c.config.custom_rules.iter().map(|r| (&*r.id, r.severity))),
                corpora().flat_map(|c| c.aux.iter().flat_map(|a| &a.diagnostics).map(|d| (&*d.code, d.severity))),
            );
            output::sarif(files, &report, &rules, &mut out)
        }
    };
    out.finish();
    super::log_peak(started);
    let code = if selection.io_error {
        2
    } else if counts.get(Severity::Error) > 0 || (deny_warnings && counts.get(Severity::Warning) > 0) {
        1
    } else {
        0
    };
    // The process ends right after: freeing the corpus would only cost
    // time.
    std::mem::forget(selection);
    code
}

/// A file with something to report: a config or knowledge-base file with
/// problems, or a selected document, resolved when it is reported.
#[expect(
    clippy::large_enum_variant,
    reason = "nearly every file is a document: boxing its scan would only add an allocation each"
)]
enum File<'a> {
    Aux(&'a AuxFile),
    Doc(&'a Corpus, Unresolved),
}

impl File<'_> {
    /// The file's report. A document's analysis is dropped once its
    /// diagnostics are made: the next documents reuse its memory.
    fn report(self, relative: &Relative) -> FileReport {
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
            File::Doc(corpus, unresolved) => {
                let doc = corpus.resolve_for_check(unresolved);
                FileReport {
                    path: relative.show(&doc.path),
                    diagnostics: corpus.document_diagnostics(&doc.path, &doc),
                    source: doc.source,
                }
            }
        }
    }
}
