//! `factls names`: the recognised names with kind, origin, mention count
//! and first introduction; `--format json` adds every mention with brat-style
//! character offsets (`start`/`end`, end exclusive).

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{NamesFormat, display, select, selected};
use crate::analysis::names::{EntityRef, slug};
use crate::analysis::text::{CharCounter, Encoding};
use crate::index::Corpus;

struct Row {
    name: String,
    id: String,
    kind: &'static str,
    origin: &'static str,
    introduced: String,
    mentions: Vec<serde_json::Value>,
}

pub fn run(paths: &[PathBuf], format: NamesFormat) -> i32 {
    let selection = select(paths, |root| (Corpus::load(root), ()));
    let mut rows = Vec::new();
    for (corpus, (), chosen) in &selection.corpora {
        rows.extend(collect(corpus, chosen));
    }
    let text = match format {
        NamesFormat::Human => human(&rows),
        NamesFormat::Json => {
            let names: Vec<_> = rows
                .iter()
                .map(
                    |r| json!({"name": r.name, "id": r.id, "kind": r.kind, "origin": r.origin, "mentions": r.mentions}),
                )
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&json!({ "names": names })).unwrap_or_default())
        }
    };
    super::emit(&text);
    if selection.io_error { 2 } else { 0 }
}

fn collect(corpus: &Corpus, chosen: &[PathBuf]) -> Vec<Row> {
    let lex = &corpus.lexicon;
    let mut mentions: Vec<Vec<serde_json::Value>> = vec![Vec::new(); lex.kb.entities.len() + lex.discovered_ids()];
    let slot = |e: EntityRef| match e {
        EntityRef::Kb(i) => i,
        EntityRef::Discovered(i) => lex.kb.entities.len() + i,
    };
    for (path, doc) in corpus.docs.iter() {
        if !selected(path, chosen) {
            continue;
        }
        let text = doc.text();
        let mut chars = CharCounter::new(text);
        let file = display(path);
        for m in &doc.analysis.mentions {
            let pos = doc.source.lines.line_col(text, m.start(), Encoding::Utf32);
            let start = chars.char_offset(m.start());
            let end = start + text[m.range()].chars().count();
            mentions[slot(m.entity())].push(json!({
                "file": file,
                "line": pos.line + 1,
                "column": pos.col + 1,
                "start": start,
                "end": end,
                "text": &text[m.range()],
            }));
        }
    }
    let mut rows = Vec::new();
    for e in lex.entities() {
        let list = std::mem::take(&mut mentions[slot(e)]);
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
        if list.is_empty() && origin == "discovered" {
            continue;
        }
        rows.push(Row {
            name: lex.name(e).to_string(),
            id,
            kind: lex.kind(e).as_str(),
            origin,
            introduced,
            mentions: list,
        });
    }
    rows
}

fn human(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(out, "{:width$}  {:12}  {:14}  {:>8}  FIRST INTRODUCED", "NAME", "KIND", "ORIGIN", "MENTIONS");
    for r in rows {
        let _ = writeln!(
            out,
            "{:width$}  {:12}  {:14}  {:>8}  {}",
            r.name,
            r.kind,
            r.origin,
            r.mentions.len(),
            r.introduced
        );
    }
    out
}
