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

/// The names and aliases that start with `typed` (case aside), sorted,
/// the first of each label, at most 200.
fn names(corpus: &Corpus, typed: &str, replace: TextRange) -> Vec<Item> {
    let lex = &corpus.lexicon;
    let lower = typed.to_lowercase();
    // Matches first, as (form, entity), in the entities' order (a name
    // before its aliases); their items only for the 200 kept.
    let mut found: Vec<(String, EntityRef)> = Vec::new();
    for e in lex.entities() {
        let name = lex.name(e);
        if starts_with_lowercase(name, &lower) && name != typed {
            found.push((name.to_string(), e));
        }
        for alias in lex.alias_forms(e) {
            if starts_with_lowercase(alias, &lower) && alias != typed {
                found.push((alias.to_string(), e));
            }
        }
    }
    // Stable: of equal labels the first found stays.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    found.truncate(200);
    found
        .into_iter()
        .map(|(form, e)| {
            let name = lex.name(e);
            let documentation = match e {
                EntityRef::Kb(i) => corpus.kb.entities.get(i).and_then(|x| x.description.clone()),
                EntityRef::Discovered(i) => lex.discovered(i).map(|d| format!("Introduced as “{}”", d.intro.context)),
            };
            let detail =
                if form == name { lex.kind(e).to_string() } else { format!("{} · alias of {name}", lex.kind(e)) };
            Item {
                label: form.clone(),
                detail,
                documentation,
                kind: ItemKind::Entity,
                replace: replace.clone(),
                insert: form,
            }
        })
        .collect()
}

/// Whether `form`, lowercased, starts with `lower` (lowercase already):
/// for ASCII byte by byte, without lowercasing a copy of `form`.
fn starts_with_lowercase(form: &str, lower: &str) -> bool {
    if form.is_ascii() && lower.is_ascii() {
        return form.len() >= lower.len() && form.as_bytes()[..lower.len()].eq_ignore_ascii_case(lower.as_bytes());
    }
    form.to_lowercase().starts_with(lower)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::starts_with_lowercase;

    proptest! {
        /// The ASCII path says what lowercasing a copy says, and so does
        /// the rest (a capital sharp s, a dotted capital I, a final sigma).
        #[test]
        fn a_prefix_matches_as_the_lowercased_form_does(
            form in "[a-zA-Z .'ẞİΣσς-]{0,12}",
            typed in "[a-zA-Z .'ẞİΣσς-]{0,4}",
        ) {
            let lower = typed.to_lowercase();
            prop_assert_eq!(starts_with_lowercase(&form, &lower), form.to_lowercase().starts_with(&lower));
        }
    }
}
