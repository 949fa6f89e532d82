//! Completion: citation keys after `[^`, entity names and aliases from a
//! capitalised prefix.

use std::path::Path;

use crate::analysis::names::EntityRef;
use crate::analysis::text::TextRange;
use crate::index::Corpus;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Citation,
    Entity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub detail: String,
    pub documentation: Option<String>,
    pub kind: ItemKind,
    /// The text the item replaces (the typed prefix).
    pub replace: TextRange,
    pub insert: String,
}

/// Completions at `offset` of `text` (the document as the editor has it).
pub fn complete(corpus: &Corpus, path: &Path, text: &str, offset: usize) -> Vec<Item> {
    let offset = crate::analysis::text::floor_char_boundary(text, offset);
    let before = &text[..offset];
    // `[^ke|`: a citation key.
    if let Some(open) = before.rfind("[^") {
        let typed = &before[open + 2..];
        if !typed.contains(|c: char| c.is_whitespace() || c == ']') {
            return keys(corpus, path, typed, open + 2..offset, text[offset..].starts_with(']'));
        }
    }
    // A capitalised word being typed: a name.
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '’' | '\'' | '-' | '.'))
        .last()
        .map_or(offset, |(i, _)| i);
    let typed = &before[start..];
    if !typed.chars().next().is_some_and(char::is_uppercase) {
        return Vec::new();
    }
    names(corpus, typed, start..offset)
}

fn keys(corpus: &Corpus, path: &Path, typed: &str, replace: TextRange, closed: bool) -> Vec<Item> {
    let mut seen = std::collections::BTreeMap::new();
    if let Some(doc) = corpus.document(path) {
        for d in &doc.analysis.scan.definitions {
            seen.entry(d.key.clone()).or_insert_with(|| (d.body.clone(), "this document".to_string()));
        }
    }
    for (key, defs) in &corpus.sources.by_key {
        if let Some(d) = defs.first() {
            seen.entry(key.clone()).or_insert_with(|| (d.definition.body.clone(), corpus.display_path(&d.path)));
        }
    }
    seen.into_iter()
        .filter(|(k, _)| k.starts_with(typed))
        .map(|(key, (body, place))| Item {
            insert: if closed { key.clone() } else { format!("{key}]") },
            label: key,
            detail: format!("source · {place}"),
            documentation: (!body.is_empty()).then_some(body),
            kind: ItemKind::Citation,
            replace: replace.clone(),
        })
        .collect()
}

fn names(corpus: &Corpus, typed: &str, replace: TextRange) -> Vec<Item> {
    let lex = &corpus.lexicon;
    let lower = typed.to_lowercase();
    let mut out = Vec::new();
    for e in lex.entities() {
        let name = lex.name(e);
        let mut forms = vec![name.to_string()];
        forms.extend(lex.aliases(e));
        for form in forms {
            if form.to_lowercase().starts_with(&lower) && form != typed {
                let documentation = match e {
                    EntityRef::Kb(i) => corpus.kb.entities.get(i).and_then(|x| x.description.clone()),
                    EntityRef::Discovered(i) => {
                        lex.discovered(i).map(|d| format!("Introduced as “{}”", d.intro.context))
                    }
                };
                let detail =
                    if form == name { lex.kind(e).to_string() } else { format!("{} · alias of {name}", lex.kind(e)) };
                out.push(Item {
                    label: form.clone(),
                    detail,
                    documentation,
                    kind: ItemKind::Entity,
                    replace: replace.clone(),
                    insert: form,
                });
            }
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out.truncate(200);
    out
}
