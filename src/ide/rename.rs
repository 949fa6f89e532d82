//! Rename a citation key (every `[^key]` and every `[^key]:` definition in
//! the corpus) or a knowledge-base entity id (its `id = "…"` value), in one
//! set of edits. The cursor may be on a citation, a definition, a mention of
//! a knowledge-base entity, or the entity's entry in `entities.toml`.

use std::path::Path;
use std::sync::Arc;

use super::references::key_definitions;
use super::{FileRange, Hit, at};
use crate::analysis::names::EntityRef;
use crate::analysis::text::TextRange;
use crate::index::Corpus;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Key(String),
    EntityId(usize),
}

/// What would be renamed: the range to highlight and the current name.
pub fn prepare(corpus: &Corpus, path: &Path, offset: usize) -> Option<(TextRange, String, Target)> {
    match at(corpus, path, offset)? {
        Hit::Citation(c) => Some((c.key_range.clone(), c.key.clone(), Target::Key(c.key.clone()))),
        Hit::Definition(d) => {
            let r = d.label_range.start + 2..d.label_range.end - 1;
            Some((r, d.key.clone(), Target::Key(d.key.clone())))
        }
        Hit::Mention(m) => match m.entity() {
            EntityRef::Kb(i) => Some((m.range(), corpus.kb.entities.get(i)?.id.clone(), Target::EntityId(i))),
            EntityRef::Discovered(_) => None,
        },
        Hit::Entry(i) => {
            let e = corpus.kb.entities.get(i)?;
            let r = e.spans.id.start + 1..e.spans.id.end.saturating_sub(1);
            Some((r, e.id.clone(), Target::EntityId(i)))
        }
    }
}

/// The edits of a rename, or why it cannot be done.
pub fn rename(corpus: &Corpus, path: &Path, offset: usize, new_name: &str) -> Result<Vec<(FileRange, String)>, String> {
    let Some((_, old, target)) = prepare(corpus, path, offset) else {
        return Err("nothing to rename here: put the cursor on a citation key or a knowledge-base name".into());
    };
    if new_name.is_empty()
        || new_name.chars().any(|c| c.is_whitespace() || matches!(c, ']' | '[' | '^' | '"' | '\'' | '\\'))
    {
        return Err(format!("`{new_name}` is not a valid name: use letters, digits, `-` or `_`"));
    }
    if new_name == old {
        return Ok(Vec::new());
    }
    match target {
        Target::Key(key) => {
            if corpus.sources.by_key.contains_key(new_name) || !key_definitions(corpus, new_name).is_empty() {
                return Err(format!("a source `[^{new_name}]` already exists"));
            }
            let mut edits = Vec::new();
            for (p, range) in corpus.citation_uses(&key) {
                edits.push((FileRange { path: p, range: range.start + 2..range.end - 1 }, new_name.to_string()));
            }
            for d in key_definitions(corpus, &key) {
                let r = d.range.start + 2..d.range.end - 1;
                edits.push((FileRange { path: d.path, range: r }, new_name.to_string()));
            }
            Ok(edits)
        }
        Target::EntityId(i) => {
            if corpus.kb.get(new_name).is_some() {
                return Err(format!("an entity with id `{new_name}` already exists"));
            }
            let e = corpus.kb.entities.get(i).ok_or("the entity is gone")?;
            let file = corpus.kb.files.get(e.spans.file).ok_or("the knowledge-base file is gone")?;
            let r = e.spans.id.start + 1..e.spans.id.end.saturating_sub(1);
            Ok(vec![(FileRange { path: Arc::from(corpus.root.join(&file.path)), range: r }, new_name.to_string())])
        }
    }
}
