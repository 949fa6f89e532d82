//! Code actions, each a set of text edits (and file creations) that the
//! editor applies — never a command the server runs, so they work in every
//! client, and factls never writes a file itself:
//! - add a discovered name to the knowledge base, filled in from its
//!   introduction (id, name, kind guess, learned aliases, description);
//! - cite a claim: `[^key]` after its sentence and a definition line in the
//!   sources file (created if missing);
//! - define an undefined citation in the sources file;
//! - suppress a rule on a line with a `factls-ignore` comment.
//!
//! Actions are computed from the analysis of the requested range, not from
//! what the client sends back, so they never act on stale data.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::FileRange;
use crate::analysis::claims::{Claim, ClaimStatus};
use crate::analysis::names::{EntityRef, slug};
use crate::analysis::text::TextRange;
use crate::index::Corpus;
// A file the corpus does not hold (not a document, excluded): read it as
// the index reads files, which refuses anything but a regular file.
use crate::index::walk::read_document;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    Refactor,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// Files to create (empty) before the edits apply.
    pub create: Vec<Arc<Path>>,
    pub edits: Vec<(FileRange, String)>,
    /// The diagnostic this action resolves: its code and range.
    pub fixes: Option<(String, TextRange)>,
    pub preferred: bool,
}

pub fn code_actions(corpus: &Corpus, path: &Path, range: TextRange) -> Vec<Action> {
    let Some(doc) = corpus.document(path) else { return Vec::new() };
    let overlaps = |r: &TextRange| r.start <= range.end && range.start <= r.end;
    let mut out = Vec::new();
    let mut next_key = KeyMaker::new(corpus);
    for claim in doc.analysis.claims.iter().filter(|c| overlaps(&c.range())) {
        if matches!(claim.status, ClaimStatus::Sourced { .. }) || claim.suppressed {
            continue;
        }
        out.push(cite(corpus, path, claim, &next_key.make()));
        out.push(suppress(doc.text(), path, &claim.rule, claim.range()));
    }
    for d in doc.analysis.checks.iter().filter(|d| overlaps(&d.range) && d.code == "undefined-citation") {
        let key = &doc.text()[d.range.start + 2..d.range.end - 1];
        let mut action = define_source(corpus, key);
        action.fixes = Some((d.code.to_string(), d.range.clone()));
        out.push(action);
        out.push(suppress(doc.text(), path, &d.code, d.range.clone()));
    }
    let mut added = HashSet::new();
    for m in doc.analysis.mentions.iter().filter(|m| overlaps(&m.range())) {
        if let EntityRef::Discovered(i) = m.entity()
            && added.insert(i)
            && let Some(action) = add_entity(corpus, i)
        {
            out.push(action);
        }
    }
    out
}

/// Makes citation keys that no document or source file uses yet.
struct KeyMaker {
    taken: HashSet<String>,
    n: usize,
}

impl KeyMaker {
    fn new(corpus: &Corpus) -> KeyMaker {
        let mut taken: HashSet<String> = corpus.sources.by_key.keys().cloned().collect();
        for doc in corpus.docs.values() {
            taken.extend(doc.analysis.scan.citations.iter().map(|c| c.key.clone()));
            taken.extend(doc.analysis.scan.definitions.iter().map(|d| d.key.clone()));
        }
        KeyMaker { taken, n: 0 }
    }

    fn make(&mut self) -> String {
        loop {
            self.n += 1;
            let key = format!("source-{}", self.n);
            if self.taken.insert(key.clone()) {
                return key;
            }
        }
    }
}

/// The sources file that new definitions go to, and whether it exists.
fn sources_file(corpus: &Corpus) -> (Arc<Path>, Option<String>) {
    let rel = corpus.config.sources.first().map(String::as_str).unwrap_or("sources.md");
    let path: Arc<Path> = Arc::from(corpus.root.join(rel));
    let text = corpus.document(&path).map(|d| d.text().to_string()).or_else(|| read_document(&path).ok());
    (path, text)
}

/// An edit appending `line` to a file (creating it when missing).
fn append_line(path: Arc<Path>, text: Option<String>, line: &str, create: &mut Vec<Arc<Path>>) -> (FileRange, String) {
    match text {
        Some(t) => {
            let sep = if t.is_empty() || t.ends_with('\n') { "" } else { "\n" };
            (FileRange { path, range: t.len()..t.len() }, format!("{sep}{line}\n"))
        }
        None => {
            create.push(path.clone());
            (FileRange { path, range: 0..0 }, format!("{line}\n"))
        }
    }
}

fn cite(corpus: &Corpus, path: &Path, claim: &Claim, key: &str) -> Action {
    let what = claim.rule.builtin().map_or(&*claim.rule, |r| r.what);
    let (sources, text) = sources_file(corpus);
    let mut create = Vec::new();
    let definition = append_line(sources.clone(), text, &format!("[^{key}]: "), &mut create);
    let at = claim.sentences().end;
    Action {
        title: format!("Cite a source for this {what} ([^{key}] in {})", corpus.display_path(&sources)),
        kind: ActionKind::QuickFix,
        create,
        edits: vec![(FileRange { path: Arc::from(path), range: at..at }, format!("[^{key}]")), definition],
        fixes: Some((claim.rule.to_string(), claim.range())),
        preferred: true,
    }
}

fn define_source(corpus: &Corpus, key: &str) -> Action {
    let (sources, text) = sources_file(corpus);
    let mut create = Vec::new();
    let edit = append_line(sources.clone(), text, &format!("[^{key}]: "), &mut create);
    Action {
        title: format!("Define `[^{key}]` in {}", corpus.display_path(&sources)),
        kind: ActionKind::QuickFix,
        create,
        edits: vec![edit],
        fixes: None,
        preferred: true,
    }
}

/// Appends `<!-- factls-ignore RULE -->` to the line of `range`.
fn suppress(text: &str, path: &Path, rule: &str, range: TextRange) -> Action {
    let end = text[range.start..].find(['\n', '\r']).map_or(text.len(), |i| range.start + i);
    Action {
        title: format!("Suppress `{rule}` on this line"),
        kind: ActionKind::QuickFix,
        create: Vec::new(),
        edits: vec![(FileRange { path: Arc::from(path), range: end..end }, format!(" <!-- factls-ignore {rule} -->"))],
        fixes: Some((rule.to_string(), range)),
        preferred: false,
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn add_entity(corpus: &Corpus, index: usize) -> Option<Action> {
    let d = corpus.lexicon.discovered(index)?;
    let rel = corpus.config.knowledge_base.first().map(String::as_str).unwrap_or("entities.toml");
    let path: Arc<Path> = Arc::from(corpus.root.join(rel));
    // The file as it is now (the edit goes there), also while a reload of
    // it is due.
    let text = corpus
        .aux_files()
        .iter()
        .find(|a| a.path.as_path() == path.as_ref())
        .and_then(|a| a.source.as_ref().map(|s| s.text.to_string()))
        .or_else(|| read_document(&path).ok());
    let base = slug(&d.name);
    let base = if base.is_empty() { "entity".to_string() } else { base };
    let mut id = base.clone();
    let mut n = 1;
    while corpus.kb.get(&id).is_some() {
        n += 1;
        id = format!("{base}-{n}");
    }
    let aliases: Vec<String> = d.aliases.iter().map(|a| toml_string(a)).collect();
    let description = format!("Introduced as “{}” in {}.", d.intro.context, corpus.display_path(&d.intro.doc));
    let entry = format!(
        "[[entity]]\nid = {}\nname = {}\nkind = \"{}\"\naliases = [{}]\ndescription = {}\nsources = []",
        toml_string(&id),
        toml_string(&d.name),
        d.kind,
        aliases.join(", "),
        toml_string(&description)
    );
    let mut create = Vec::new();
    let edit = match text {
        Some(t) => {
            let sep = if t.is_empty() || t.ends_with("\n\n") {
                ""
            } else if t.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            (FileRange { path: path.clone(), range: t.len()..t.len() }, format!("{sep}{entry}\n"))
        }
        None => {
            create.push(path.clone());
            (FileRange { path: path.clone(), range: 0..0 }, format!("{entry}\n"))
        }
    };
    Some(Action {
        title: format!("Add `{}` to {} as a {}", d.name, corpus.display_path(&path), d.kind),
        kind: ActionKind::Refactor,
        create,
        edits: vec![edit],
        fixes: None,
        preferred: false,
    })
}
