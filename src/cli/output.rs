//! Rendering `check` results: human (`file:line:col: severity[rule]:
//! message`), JSON, and SARIF 2.1.0 for GitHub code scanning. Lines and
//! columns are 1-based, columns counted in characters.
//!
//! All three are streamed: files are rendered a chunk at a time on every
//! core and written in order, so a large report is never held whole in
//! memory.

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

/// A file's part of the JSON or SARIF output: `item` writes each
/// diagnostic (given the part, a number buffer and the file's positions,
/// to be asked in the diagnostics' order), the items separated by `,\n`.
/// Sized for `layout` bytes an item besides its message, its code and
/// `shared` (the file's name, written in each), so that the part of a
/// file with many diagnostics is not copied as it grows.
fn items(
    r: &FileReport,
    layout: usize,
    shared: usize,
    mut item: impl FnMut(&mut Vec<u8>, &mut itoa::Buffer, &mut Positions, &Diagnostic),
) -> Vec<u8> {
    let size = r.diagnostics.iter().map(|d| layout + shared + d.message.len() + d.code.len()).sum();
    let mut part: Vec<u8> = Vec::with_capacity(size);
    let mut number = itoa::Buffer::new();
    let mut positions = r.positions();
    for d in &r.diagnostics {
        if !part.is_empty() {
            part.extend_from_slice(b",\n");
        }
        item(&mut part, &mut number, &mut positions, d);
    }
    part
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
        // Keys, punctuation, four numbers and the severity: at most 200
        // bytes.
        items(r, 200, file.len(), |part, number, positions, d| {
            let (line, column) = positions.at(d.range.start);
            let (end_line, end_column) = positions.at(d.range.end);
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
            json::push_string(part, &d.message);
            part.extend_from_slice(b",\n      \"rule\": ");
            json::push_string(part, &d.code);
            part.extend_from_slice(b",\n      \"severity\": ");
            json::push_string(part, d.severity.as_str());
            part.extend_from_slice(b"\n    }");
        })
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

/// The rules of a SARIF log, sorted by id: every rule a document can be
/// reported by (the claim rules, the citation and source checks, the
/// corpora's custom rules) and every code the config and knowledge-base
/// files are reported with, each with its default level. Known before any
/// document is resolved, so that each result is written with its rule's
/// index as the document is reported.
pub struct SarifRules(Vec<(String, String, &'static str)>);

impl SarifRules {
    /// `custom`: the custom rules' ids and severities; `aux`: the codes
    /// and severities of the config and knowledge-base files' diagnostics
    /// (a code's first severity is its default level).
    pub fn new<'a>(
        custom: impl IntoIterator<Item = (&'a str, Severity)>,
        aux: impl IntoIterator<Item = (&'a str, Severity)>,
    ) -> SarifRules {
        let mut rules: Vec<(String, String, &'static str)> = Vec::new();
        let mut add = |id: &str, text: String, level: &'static str| {
            if !rules.iter().any(|(known, ..)| known == id) {
                rules.push((id.to_string(), text, level));
            }
        };
        for r in rules::builtin() {
            add(r.id, format!("{} with no source", r.what), sarif_level(r.default_severity));
        }
        for &id in rules::OTHER_RULE_IDS {
            let level = match id {
                "undefined-citation" => "error",
                "unused-source" => "note",
                _ => "warning",
            };
            add(id, id.replace('-', " "), level);
        }
        for (id, severity) in custom.into_iter().chain(aux) {
            add(id, id.replace('-', " "), sarif_level(severity));
        }
        rules.sort_by(|a, b| a.0.cmp(&b.0));
        SarifRules(rules)
    }

    /// The index of rule `id`; `None` for a code no rule is listed for
    /// (none is, as the lists stand): its results then go without an
    /// index rather than with a wrong one.
    fn index(&self, id: &str) -> Option<usize> {
        self.0.binary_search_by(|(known, ..)| known.as_str().cmp(id)).ok()
    }
}

/// The SARIF log: one JSON document in exactly the layout of
/// `serde_json::to_string_pretty` (keys in alphabetical order, so the
/// results come before the tool and its rules), each file's results
/// rendered in parallel and streamed as [`json`] streams its diagnostics.
pub fn sarif<T: Send>(
    files: Vec<T>,
    report: &(impl Fn(T) -> FileReport + Sync),
    rules: &SarifRules,
    out: &mut Output,
) -> Counts {
    out.write(
        "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [\n    {\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
    );
    let (counts, written) = stream(files, report, out, ("\n", ",\n"), |r| {
        let mut uri = Vec::new();
        json::push_string(&mut uri, &r.path.replace('\\', "/"));
        // The layout is about 560 bytes a result besides the strings and
        // numbers.
        items(r, 640, uri.len(), |part, number, positions, d| {
            let (start_line, start_column) = positions.at(d.range.start);
            let (end_line, end_column) = positions.at(d.range.end.max(d.range.start));
            part.extend_from_slice(b"        {\n          \"level\": ");
            json::push_string(part, sarif_level(d.severity));
            part.extend_from_slice(b",\n          \"locations\": [\n            {\n              \"physicalLocation\": {\n                \"artifactLocation\": {\n                  \"uri\": ");
            part.extend_from_slice(&uri);
            part.extend_from_slice(
                b"\n                },\n                \"region\": {\n                  \"endColumn\": ",
            );
            part.extend_from_slice(number.format(end_column).as_bytes());
            part.extend_from_slice(b",\n                  \"endLine\": ");
            part.extend_from_slice(number.format(end_line).as_bytes());
            part.extend_from_slice(b",\n                  \"startColumn\": ");
            part.extend_from_slice(number.format(start_column).as_bytes());
            part.extend_from_slice(b",\n                  \"startLine\": ");
            part.extend_from_slice(number.format(start_line).as_bytes());
            part.extend_from_slice(b"\n                }\n              }\n            }\n          ],\n          \"message\": {\n            \"text\": ");
            json::push_string(part, &d.message);
            part.extend_from_slice(b"\n          },\n          \"ruleId\": ");
            json::push_string(part, &d.code);
            if let Some(index) = rules.index(&d.code) {
                part.extend_from_slice(b",\n          \"ruleIndex\": ");
                part.extend_from_slice(number.format(index).as_bytes());
            }
            part.extend_from_slice(b"\n        }");
        })
    });
    let rules_json: Vec<_> = rules
        .0
        .iter()
        .map(|(id, text, level)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": text },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let tool = json!({
        "driver": {
            "name": "factls",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://example.invalid/factls",
            "rules": rules_json,
        }
    });
    let mut tail = String::from(if written { "\n      ],\n      \"tool\": " } else { "],\n      \"tool\": " });
    // The tool object, indented to its place.
    tail.push_str(&serde_json::to_string_pretty(&tool).unwrap_or_default().replace('\n', "\n      "));
    tail.push_str("\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n");
    out.write(&tail);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules are sorted by id, each listed once (a custom rule or an
    /// aux code named twice, or named like a built-in rule, adds nothing);
    /// a code none of them is has no index.
    #[test]
    fn sarif_rules_are_sorted_once_each_and_an_unlisted_code_has_no_index() {
        let rules = SarifRules::new(
            [("far-left", Severity::Hint), ("far-left", Severity::Error), ("count", Severity::Error)],
            [("kb-syntax", Severity::Error), ("io-error", Severity::Error)],
        );
        let ids: Vec<&str> = rules.0.iter().map(|(id, ..)| id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), rules::builtin().len() + rules::OTHER_RULE_IDS.len() + 3);
        let level = |id: &str| rules.index(id).map(|i| rules.0[i].2);
        assert_eq!(level("far-left"), Some("note"));
        assert_eq!(level("count"), Some("warning"), "the built-in rule's default");
        assert_eq!(level("kb-syntax"), Some("error"));
        assert_eq!(level("undefined-citation"), Some("error"));
        assert_eq!(rules.index("no-such-rule"), None);
        assert_eq!(rules.index("far-left").map(|i| ids[i]), Some("far-left"));
    }
}
