//! Hover: the entity card for a name, the introducing context of a
//! discovered name, the source behind a citation, and for a claim the rule,
//! why it fired and how to source it.

use std::fmt::Write;
use std::path::Path;

use super::{Hit, at, claims_at, declaration};
use crate::analysis::claims::{Claim, ClaimStatus};
use crate::analysis::names::EntityRef;
use crate::analysis::names::lexicon::Lexicon;
use crate::analysis::text::{Encoding, TextRange};
use crate::index::Corpus;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(corpus: &Corpus, path: &Path, offset: usize) -> Option<HoverResult> {
    let hit = at(corpus, path, offset);
    let mut sections = Vec::new();
    let mut range = None;
    match hit {
        Some(Hit::Mention(m)) => {
            sections.push(entity_card(corpus, m.entity()));
            range = Some(m.range());
        }
        Some(Hit::Entry(i)) => {
            sections.push(entity_card(corpus, EntityRef::Kb(i)));
            range = corpus.kb.entities.get(i).map(|e| e.spans.name.clone());
        }
        Some(Hit::Citation(c)) => {
            sections.push(citation_card(corpus, path, &c.key));
            range = Some(c.range.clone());
        }
        Some(Hit::Definition(d)) => {
            let uses = corpus.citation_uses(&d.key).len();
            sections.push(format!("**[^{}]**: {}\n\ncited {}", d.key, body(&d.body), times(uses)));
            range = Some(d.label_range.clone());
        }
        None => {}
    }
    if let Some(doc) = corpus.document(path) {
        for claim in claims_at(doc, offset) {
            sections.push(claim_card(claim, &corpus.lexicon));
            range.get_or_insert(claim.range());
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(HoverResult { range: range.unwrap_or(offset..offset), markdown: sections.join("\n\n---\n\n") })
}

fn times(n: usize) -> String {
    match n {
        0 => "nowhere in the corpus".into(),
        1 => "once".into(),
        n => format!("{n} times"),
    }
}

fn body(body: &str) -> String {
    if body.trim().is_empty() { "_(empty: add its URL, title and date)_".into() } else { body.to_string() }
}

/// Where, as `file:line`, for a range of a corpus file.
fn place(corpus: &Corpus, path: &Path, offset: usize) -> String {
    let shown = corpus.display_path(path);
    match super::file_source(corpus, path) {
        Some(s) => format!("`{shown}:{}`", s.lines.line_col(&s.text, offset, Encoding::Utf32).line + 1),
        None => format!("`{shown}`"),
    }
}

pub fn entity_card(corpus: &Corpus, entity: EntityRef) -> String {
    let lex = &corpus.lexicon;
    let mut out = String::new();
    let kind = lex.kind(entity);
    match entity {
        EntityRef::Kb(i) => {
            let Some(e) = corpus.kb.entities.get(i) else { return out };
            let _ = writeln!(out, "**{}** · {kind} · knowledge base", e.name);
            if let Some(d) = &e.description {
                let _ = write!(out, "\n{d}\n");
            }
        }
        EntityRef::Discovered(i) => {
            let Some(d) = lex.discovered(i) else { return out };
            let _ = writeln!(out, "**{}** · {kind} (guessed) · not in the knowledge base", d.name);
            let _ = write!(
                out,
                "\nIntroduced as “{}” in {}\n",
                d.intro.context,
                place(corpus, &d.intro.doc, d.intro.range.start)
            );
        }
    }
    let aliases = lex.aliases(entity);
    if !aliases.is_empty() {
        let _ = write!(out, "\nAliases: {}\n", aliases.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "));
    }
    if let EntityRef::Kb(i) = entity
        && let Some(e) = corpus.kb.entities.get(i)
        && !e.sources.is_empty()
    {
        let links: Vec<String> = e.sources.iter().map(|s| format!("[{s}]({s})")).collect();
        let _ = write!(out, "\nSources: {}\n", links.join(", "));
    }
    let counts = corpus.mention_counts(entity, 10);
    let (total, documents) = (counts.total, counts.documents);
    let _ = write!(out, "\nMentions: {total} in {documents} document{}", if documents == 1 { "" } else { "s" });
    for (p, n) in &counts.first {
        let _ = write!(out, "\n- `{}`: {n}", corpus.display_path(p));
    }
    if documents > counts.first.len() {
        let _ = write!(out, "\n- … and {} more documents", documents - counts.first.len());
    }
    out.push('\n');
    if let Some(decl) = declaration(corpus, entity) {
        let what = if matches!(entity, EntityRef::Kb(_)) { "Defined in" } else { "First introduced in" };
        let _ = write!(out, "\n{what} {}\n", place(corpus, &decl.path, decl.range.start));
    }
    out
}

fn citation_card(corpus: &Corpus, doc: &Path, key: &str) -> String {
    match corpus.definition_of(doc, key) {
        Some((path, def)) => {
            let link = def.url.as_ref().map(|u| format!("\n\n[{u}]({u})")).unwrap_or_default();
            format!(
                "**[^{key}]**: {}{link}\n\nDefined in {} · cited {}",
                body(&def.body),
                place(corpus, &path, def.range.start),
                times(corpus.citation_uses(key).len())
            )
        }
        None => format!(
            "**[^{key}]** is defined nowhere.\n\nAdd a line `[^{key}]: https://… \"Title\", YYYY-MM-DD` to this document or to a sources file ({}).",
            corpus.config.sources.join(", ")
        ),
    }
}

pub fn claim_card(claim: &Claim, lexicon: &Lexicon) -> String {
    let rule = claim.rule.builtin();
    let what = rule.map_or(&*claim.rule, |r| r.what);
    let why = rule.map_or("a custom rule in factls.toml", |r| r.help);
    let mut out = format!("**Claim** · `{}` · {what}\n\n", claim.rule);
    match &claim.status {
        ClaimStatus::Sourced { key: Some(k) } => {
            let _ = write!(out, "Sourced by `[^{k}]`.");
        }
        ClaimStatus::Sourced { key: None } => out.push_str("Sourced by a link in its sentence."),
        ClaimStatus::Attributed { speaker } => {
            let name = lexicon.name(*speaker);
            let _ = write!(
                out,
                "Attributed to **{name}**, but no source backs it ({}).\n\nTo source it, cite where it was said: add `[^key]` after the sentence and define `[^key]: https://…` in a sources file.",
                claim.severity
            );
        }
        ClaimStatus::Unsourced => {
            let _ = write!(
                out,
                "Unsourced ({}): {why}.\n\nTo source it, add `[^key]` after the sentence and define `[^key]: https://…` in this document or a sources file, or put a link in the sentence.",
                claim.severity
            );
        }
    }
    if claim.suppressed {
        out.push_str("\n\nSuppressed by a `factls-ignore` comment.");
    }
    out
}
