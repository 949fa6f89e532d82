//! `factls names`: the recognised names with kind, origin, mention count
//! and first introduction; `--format json` adds every mention with brat-style
//! character offsets (`start`/`end`, end exclusive).

use std::fmt::Write;
use std::path::PathBuf;

use super::{NamesFormat, Output, display, select, selected};
use crate::analysis::names::{EntityRef, slug};
use crate::analysis::text::{CharCounter, Encoding};
use crate::index::Corpus;
use crate::json;

struct Row<'a> {
    name: String,
    id: String,
    kind: &'static str,
    origin: &'static str,
    introduced: String,
    count: usize,
    /// Listed for `--format json` only.
    mentions: Vec<At<'a>>,
}

/// A mention as `--format json` lists it: its file (an index in the
/// files' JSON strings), 1-based line and column, character offsets
/// (end exclusive) and text.
struct At<'a> {
    file: usize,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

pub fn run(paths: &[PathBuf], format: NamesFormat) -> i32 {
    let started = std::time::Instant::now();
    let selection = select(paths, |root| (Corpus::load(root), ()));
    let listed = matches!(format, NamesFormat::Json);
    let mut rows = Vec::new();
    let mut files = Vec::new();
    for (corpus, (), chosen) in &selection.corpora {
        rows.extend(collect(corpus, chosen, listed.then_some(&mut files)));
    }
    match format {
        NamesFormat::Human => super::emit(&human(&rows)),
        NamesFormat::Json => write_json(&rows, &files),
    }
    super::log_peak(started);
    if selection.io_error { 2 } else { 0 }
}

/// The names of `corpus` and their mentions in the `chosen` documents;
/// with `files`, each mention listed (its file's JSON string pushed to
/// `files`), else counted.
fn collect<'a>(corpus: &'a Corpus, chosen: &[PathBuf], mut files: Option<&mut Vec<Vec<u8>>>) -> Vec<Row<'a>> {
    let lex = &corpus.lexicon;
    let slots = lex.kb.entities.len() + lex.discovered_ids();
    let mut counts = vec![0usize; slots];
    let mut mentions: Vec<Vec<At>> = Vec::new();
    if files.is_some() {
        mentions.resize_with(slots, Vec::new);
    }
    let slot = |e: EntityRef| match e {
        EntityRef::Kb(i) => i,
        EntityRef::Discovered(i) => lex.kb.entities.len() + i,
    };
    for (path, doc) in corpus.docs.iter() {
        if !selected(path, chosen) {
            continue;
        }
        let text = doc.text();
        let Some(files) = files.as_deref_mut() else {
            for m in &doc.analysis.mentions {
                counts[slot(m.entity())] += 1;
            }
            continue;
        };
        let mut chars = CharCounter::new(text);
        let mut file = Vec::new();
        json::push_string(&mut file, &display(path));
        files.push(file);
        let mut lines = doc.source.lines.cursor(text, Encoding::Utf32);
        for m in &doc.analysis.mentions {
            let pos = lines.line_col(m.start());
            let start = chars.char_offset(m.start());
            let text = &text[m.range()];
            counts[slot(m.entity())] += 1;
            mentions[slot(m.entity())].push(At {
                file: files.len() - 1,
                line: pos.line as usize + 1,
                column: pos.col as usize + 1,
                start,
                end: start + text.chars().count(),
                text,
            });
        }
    }
    let mut rows = Vec::new();
    for e in lex.entities() {
        let count = counts[slot(e)];
        let list = mentions.get_mut(slot(e)).map(std::mem::take).unwrap_or_default();
        let (id, origin, introduced) = match e {
            EntityRef::Kb(i) => {
                let entity = &lex.kb.entities[i];
                let file =
                    corpus.aux.iter().filter(|a| a.path.ends_with(&lex.kb.files[entity.spans.file].path)).find_map(
                        |a| {
                            a.source.as_ref().map(|s| {
                                let line = s.lines.line_of(entity.spans.entry.start) + 1;
                                format!("{}:{line}", display(&a.path))
                            })
                        },
                    );
                (entity.id.clone(), "knowledge-base", file.unwrap_or_default())
            }
            EntityRef::Discovered(i) => {
                let Some(d) = lex.discovered(i) else { continue };
                let at = corpus
                    .document(&d.intro.doc)
                    .map(|doc| {
                        let p = doc.source.lines.line_col(doc.text(), d.intro.range.start, Encoding::Utf32);
                        format!("{}:{}:{}", display(&d.intro.doc), p.line + 1, p.col + 1)
                    })
                    .unwrap_or_default();
                (slug(&d.name), "discovered", format!("{at} “{}”", d.intro.context))
            }
        };
        if count == 0 && origin == "discovered" {
            continue;
        }
        rows.push(Row {
            name: lex.name(e).to_string(),
            id,
            kind: lex.kind(e).as_str(),
            origin,
            introduced,
            count,
            mentions: list,
        });
    }
    rows
}

/// `{"names": [{"id", "kind", "mentions": [{"column", "end", "file",
/// "line", "start", "text"}], "name", "origin"}]}`, written a name at a
/// time in exactly the layout of `serde_json::to_string_pretty` (two-space
/// indent, keys in alphabetical order): a large corpus lists millions of
/// mentions, which as `serde_json` values took gigabytes.
fn write_json(rows: &[Row], files: &[Vec<u8>]) {
    let mut out = Output::stdout();
    out.write(if rows.is_empty() { "{\n  \"names\": []\n}\n" } else { "{\n  \"names\": [\n" });
    let mut number = itoa::Buffer::new();
    let mut part: Vec<u8> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        part.clear();
        part.extend_from_slice(b"    {\n      \"id\": ");
        json::push_string(&mut part, &r.id);
        part.extend_from_slice(b",\n      \"kind\": ");
        json::push_string(&mut part, r.kind);
        part.extend_from_slice(if r.mentions.is_empty() {
            b",\n      \"mentions\": []"
        } else {
            b",\n      \"mentions\": [\n"
        });
        for (j, m) in r.mentions.iter().enumerate() {
            part.extend_from_slice(b"        {\n          \"column\": ");
            part.extend_from_slice(number.format(m.column).as_bytes());
            part.extend_from_slice(b",\n          \"end\": ");
            part.extend_from_slice(number.format(m.end).as_bytes());
            part.extend_from_slice(b",\n          \"file\": ");
            part.extend_from_slice(files.get(m.file).map_or(b"\"\"".as_slice(), Vec::as_slice));
            part.extend_from_slice(b",\n          \"line\": ");
            part.extend_from_slice(number.format(m.line).as_bytes());
            part.extend_from_slice(b",\n          \"start\": ");
            part.extend_from_slice(number.format(m.start).as_bytes());
            part.extend_from_slice(b",\n          \"text\": ");
            json::push_string(&mut part, m.text);
            part.extend_from_slice(if j + 1 < r.mentions.len() { b"\n        },\n" } else { b"\n        }\n      ]" });
        }
        part.extend_from_slice(b",\n      \"name\": ");
        json::push_string(&mut part, &r.name);
        part.extend_from_slice(b",\n      \"origin\": ");
        json::push_string(&mut part, r.origin);
        part.extend_from_slice(if i + 1 < rows.len() { b"\n    },\n" } else { b"\n    }\n  ]\n}\n" });
        out.write_bytes(&part);
    }
    out.finish();
}

fn human(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(out, "{:width$}  {:12}  {:14}  {:>8}  FIRST INTRODUCED", "NAME", "KIND", "ORIGIN", "MENTIONS");
    for r in rows {
        let _ = writeln!(out, "{:width$}  {:12}  {:14}  {:>8}  {}", r.name, r.kind, r.origin, r.count, r.introduced);
    }
    out
}
