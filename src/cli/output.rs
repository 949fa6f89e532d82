//! Rendering `check` results: human (`file:line:col: severity[rule]:
//! message`), JSON, and SARIF 2.1.0 for GitHub code scanning. Lines and
//! columns are 1-based, columns counted in characters.
//!
//! Human and JSON output are streamed: files are rendered a chunk at a time
//! on every core and written in order, so a large report is never held
//! whole in memory.

use std::fmt::Write;

use rayon::prelude::*;

use serde_json::json;

use crate::analysis::SourceText;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::rules;
use crate::analysis::text::{Encoding, LineCol, LineCursor};
use crate::cli::Output;
use crate::json;

pub struct FileReport {
    pub path: String,
    pub source: SourceText,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// 1-based (line, column) in characters of byte offsets, quicker in
    /// increasing order (a file's diagnostics are sorted).
    fn positions(&self) -> Positions<'_> {
        Positions(self.source.lines.cursor(&self.source.text, Encoding::Utf32))
    }
}

struct Positions<'a>(LineCursor<'a>);

impl Positions<'_> {
    fn at(&mut self, offset: usize) -> (u32, u32) {
        let LineCol { line, col } = self.0.line_col(offset);
        (line + 1, col + 1)
    }
}

/// Diagnostics per severity, and the files that have any.
#[derive(Clone, Copy, Default)]
pub struct Counts {
    severities: [usize; 4],
    files: usize,
}

impl Counts {
    fn add(&mut self, report: &FileReport) {
        for d in &report.diagnostics {
            self.severities[d.severity as usize] += 1;
        }
        self.files += usize::from(!report.diagnostics.is_empty());
    }

    fn absorb(&mut self, other: Counts) {
        for (total, n) in self.severities.iter_mut().zip(other.severities) {
            *total += n;
        }
        self.files += other.files;
    }

    pub fn get(&self, s: Severity) -> usize {
        self.severities[s as usize]
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// Files reported at once (in parallel) before they are written.
const CHUNK: usize = 256;

/// Rendered chunks waiting to be written, beside the one being written:
/// the reports of a large corpus are never all in memory.
const CHUNKS_AHEAD: usize = 1;

/// Makes each file's report with `report` and renders it with `render`,
/// on all cores, a chunk of files at a time, and writes the non-empty
/// parts in order, `first` before the first one and `separator` between
/// them.
///
/// The chunks are made on a thread of their own (its parallel work on the
/// pool's threads) while this one writes the chunk before: the cores do
/// not wait for the writing (the parts of seeds 10,000 are 99 MB of JSON).
fn stream<T: Send>(
    files: Vec<T>,
    report: &(impl Fn(T) -> FileReport + Sync),
    out: &mut Output,
    (first, separator): (&str, &str),
    render: impl Fn(&FileReport) -> Vec<u8> + Sync,
) -> (Counts, bool) {
    let mut counts = Counts::default();
    let mut written = false;
    let (to_writer, chunks) = std::sync::mpsc::sync_channel::<Vec<(Vec<u8>, Counts)>>(CHUNKS_AHEAD);
    let render = &render;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut files = files.into_iter();
            loop {
                let chunk: Vec<T> = files.by_ref().take(CHUNK).collect();
                if chunk.is_empty() {
                    break;
                }
                let parts = chunk
                    .into_par_iter()
                    .map(|f| {
                        let r = report(f);
                        let mut c = Counts::default();
                        c.add(&r);
                        (render(&r), c)
                    })
                    .collect();
                if to_writer.send(parts).is_err() {
                    break; // the writer is gone
                }
            }
        });
        for parts in chunks {
            let mut pieces: Vec<&[u8]> = Vec::with_capacity(2 * parts.len());
            for (part, c) in &parts {
                counts.absorb(*c);
                if !part.is_empty() {
                    pieces.push(if written { separator } else { first }.as_bytes());
                    pieces.push(part);
                    written = true;
                }
            }
            out.write_parts(&pieces);
        }
    });
    (counts, written)
}

/// `file:line:col: severity[rule]: message` lines and a summary.
pub fn human<T: Send>(
    files: Vec<T>,
    report: &(impl Fn(T) -> FileReport + Sync),
    documents: usize,
    out: &mut Output,
) -> Counts {
    let (counts, _) = stream(files, report, out, ("", ""), |r| {
        let mut part = String::new();
        let mut positions = r.positions();
        for d in &r.diagnostics {
            let (line, col) = positions.at(d.range.start);
            let _ = writeln!(part, "{}:{line}:{col}: {}[{}]: {}", r.path, d.severity, d.code, d.message);
        }
        part.into_bytes()
    });
    let mut summary = String::new();
    let _ = writeln!(
        summary,
        "{}, {}, {} information, {} in {} ({} checked)",
        plural(counts.get(Severity::Error), "error"),
        plural(counts.get(Severity::Warning), "warning"),
        counts.get(Severity::Information),
        plural(counts.get(Severity::Hint), "hint"),
        plural(counts.files, "file"),
        plural(documents, "document"),
    );
    out.write(&summary);
    counts
}

/// The JSON report, written by hand in exactly the layout of
/// `serde_json::to_string_pretty` (two-space indent, keys in alphabetical
/// order as a `serde_json` map keeps them), so that each file's part can
/// be rendered in parallel; strings are escaped by `serde_json`.
pub fn json<T: Send>(
    files: Vec<T>,
    report: &(impl Fn(T) -> FileReport + Sync),
    documents: usize,
    out: &mut Output,
) -> Counts {
    out.write("{\n  \"diagnostics\": [");
    let (counts, written) = stream(files, report, out, ("\n", ",\n"), |r| {
        // Pieces pushed one by one (no formatting machinery, no string per
        // field): a large corpus has hundreds of thousands of diagnostics.
        let mut file = Vec::new();
        json::push_string(&mut file, &r.path);
        // Sized for what is written below (keys, punctuation, four
        // numbers and the severity: at most 200 bytes), so that the part
        // of a file with many diagnostics is not copied as it grows.
        let size = r.diagnostics.iter().map(|d| 200 + file.len() + d.message.len() + d.code.len()).sum();
        let mut part: Vec<u8> = Vec::with_capacity(size);
        let mut number = itoa::Buffer::new();
        let mut positions = r.positions();
        for d in &r.diagnostics {
            let (line, column) = positions.at(d.range.start);
            let (end_line, end_column) = positions.at(d.range.end);
            if !part.is_empty() {
                part.extend_from_slice(b",\n");
            }
            part.extend_from_slice(b"    {\n      \"column\": ");
            part.extend_from_slice(number.format(column).as_bytes());
            part.extend_from_slice(b",\n      \"end_column\": ");
            part.extend_from_slice(number.format(end_column).as_bytes());
            part.extend_from_slice(b",\n      \"end_line\": ");
            part.extend_from_slice(number.format(end_line).as_bytes());
            part.extend_from_slice(b",\n      \"file\": ");
            part.extend_from_slice(&file);
            part.extend_from_slice(b",\n      \"line\": ");
            part.extend_from_slice(number.format(line).as_bytes());
            part.extend_from_slice(b",\n      \"message\": ");
            json::push_string(&mut part, &d.message);
            part.extend_from_slice(b",\n      \"rule\": ");
            json::push_string(&mut part, &d.code);
            part.extend_from_slice(b",\n      \"severity\": ");
            json::push_string(&mut part, d.severity.as_str());
            part.extend_from_slice(b"\n    }");
        }
        part
    });
    let mut tail = String::from(if written { "\n  ],\n" } else { "],\n" });
    let _ = write!(
        tail,
        "  \"summary\": {{\n    \"documents\": {documents},\n    \"errors\": {},\n    \"hints\": {},\n    \"information\": {},\n    \"warnings\": {}\n  }}\n}}\n",
        counts.get(Severity::Error),
        counts.get(Severity::Hint),
        counts.get(Severity::Information),
        counts.get(Severity::Warning),
    );
    out.write(&tail);
    counts
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// The SARIF default level of a rule that is not a claim rule: the
/// citation and source checks have fixed defaults; knowledge-base, config
/// and custom rules take the level of their first result.
fn default_level(id: &str, reports: &[FileReport]) -> &'static str {
    match id {
        "undefined-citation" => "error",
        "unused-source" => "note",
        "duplicate-source" | "empty-source" => "warning",
        _ => reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .find(|d| d.code == id)
            .map_or("warning", |d| sarif_level(d.severity)),
    }
}

/// The SARIF log (built whole: SARIF consumers read one JSON document).
pub fn sarif<T: Send>(files: Vec<T>, report: &(impl Fn(T) -> FileReport + Sync), out: &mut Output) -> Counts {
    let reports: Vec<FileReport> = files.into_par_iter().map(report).collect();
    let mut counts = Counts::default();
    for r in &reports {
        counts.add(r);
    }
    out.write(&sarif_text(&reports));
    counts
}

fn sarif_text(reports: &[FileReport]) -> String {
    let mut rule_ids: Vec<String> =
        reports.iter().flat_map(|r| r.diagnostics.iter().map(|d| d.code.to_string())).collect();
    rule_ids.extend(rules::builtin().iter().map(|r| r.id.to_string()));
    rule_ids.sort();
    rule_ids.dedup();
    let rules_json: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            let (text, level) = match rules::find_rule(id) {
                Some(r) => (format!("{} with no source", r.what), sarif_level(r.default_severity)),
                None => (id.replace('-', " "), default_level(id, reports)),
            };
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": text },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        let mut positions = r.positions();
        for d in &r.diagnostics {
            let (start_line, start_column) = positions.at(d.range.start);
            let (end_line, end_column) = positions.at(d.range.end.max(d.range.start));
            let rule_index = rule_ids.iter().position(|id| *id == d.code).unwrap_or(0);
            results.push(json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": r.path.replace('\\', "/") },
                        "region": {
                            "startLine": start_line,
                            "startColumn": start_column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        }
                    }
                }],
            }));
        }
    }
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "factls",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/factls",
                    "rules": rules_json,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
}
