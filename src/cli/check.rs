//! `factls check`: lint a corpus like a compiler.

use std::borrow::Cow;
use std::path::PathBuf;

use super::output::{self, FileReport};
use super::{Format, Output, Relative, select, selected};
use crate::analysis::diagnostic::Severity;

pub fn run(paths: &[PathBuf], format: Format, deny_warnings: bool) -> i32 {
    let started = std::time::Instant::now();
    let selection = select(paths);
    let relative = Relative::to_current_dir();
    let mut reports: Vec<FileReport> = Vec::new();
    let mut documents = 0;
    for (corpus, chosen) in &selection.corpora {
        for aux in corpus.aux.iter() {
            if aux.diagnostics.is_empty() {
                continue;
            }
            let source = aux.source.clone().unwrap_or_else(|| crate::analysis::SourceText::new(""));
            // In file order, like a document's: the knowledge base reports
            // per-entry problems first and corpus-wide ones (duplicate ids,
            // shared aliases) after.
            let mut diagnostics = aux.diagnostics.clone();
            diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
            reports.push(FileReport { path: relative.show(&aux.path), source, diagnostics: Cow::Owned(diagnostics) });
        }
        for (path, doc) in corpus.docs.iter() {
            if !selected(path, chosen) {
                continue;
            }
            documents += 1;
            let diagnostics = corpus.diagnostics(path);
            if !diagnostics.is_empty() {
                reports.push(FileReport { path: relative.show(path), source: doc.source.clone(), diagnostics });
            }
        }
    }
    let counts = output::Counts::of(&reports);
    let mut out = Output::stdout();
    match format {
        Format::Human => output::human(&reports, &counts, documents, &mut out),
        Format::Json => output::json(&reports, &counts, documents, &mut out),
        Format::Sarif => out.write(&output::sarif(&reports)),
    }
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
    std::mem::forget(reports);
    std::mem::forget(selection);
    code
}
