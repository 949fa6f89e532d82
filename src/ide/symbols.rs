//! Symbols: the outline of a document (paragraphs, and in each the names
//! it mentions and the claims it makes) and workspace symbols (every entity,
//! matched fuzzily by name or alias).

use crate::analysis::claims::ClaimStatus;
use crate::analysis::kb::EntityKind;
use crate::analysis::names::EntityRef;
use crate::analysis::text::TextRange;
use crate::index::{Corpus, Document};

use super::{FileRange, declaration};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Paragraph,
    Entity(EntityKind),
    Claim,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

pub fn document_symbols(corpus: &Corpus, doc: &Document) -> Vec<Symbol> {
    let text = doc.text();
    let lex = &corpus.lexicon;
    let mut out = Vec::new();
    for (p, para) in doc.analysis.scan.segments.paragraphs.iter().enumerate() {
        let mut children = Vec::new();
        let mut seen = Vec::new();
        for m in doc.analysis.mentions.iter().filter(|m| !m.nested && para.start <= m.start() && m.end() <= para.end) {
            if seen.contains(&m.entity()) {
                continue;
            }
            seen.push(m.entity());
            let origin = if matches!(m.entity(), EntityRef::Kb(_)) { "knowledge base" } else { "discovered" };
            children.push(Symbol {
                name: lex.name(m.entity()).to_string(),
                detail: format!("{} · {origin}", lex.kind(m.entity())),
                kind: SymbolKind::Entity(lex.kind(m.entity())),
                range: m.range(),
                selection: m.range(),
                children: Vec::new(),
            });
        }
        for c in doc.analysis.claims.iter().filter(|c| para.contains(&c.range().start)) {
            let status = match &c.status {
                ClaimStatus::Sourced { .. } => "sourced".to_string(),
                ClaimStatus::Attributed { speaker } => format!("attributed to {}", corpus.lexicon.name(*speaker)),
                ClaimStatus::Unsourced => "unsourced".to_string(),
            };
            children.push(Symbol {
                name: short(&text[c.range()], 60),
                detail: format!("{} · {status}", c.rule),
                kind: SymbolKind::Claim,
                range: c.range(),
                selection: c.range(),
                children: Vec::new(),
            });
        }
        children.sort_by_key(|s| s.range.start);
        out.push(Symbol {
            name: format!("¶{} {}", p + 1, short(&text[para.clone()], 40)),
            detail: String::new(),
            kind: SymbolKind::Paragraph,
            range: para.clone(),
            selection: para.start..para.start + text[para.clone()].chars().next().map_or(0, char::len_utf8),
            children,
        });
    }
    out
}

fn short(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>().trim_end())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: EntityKind,
    pub container: String,
    pub location: FileRange,
}

/// Entities whose name or an alias matches `query` as a case-insensitive
/// subsequence, best matches first.
pub fn workspace_symbols(corpus: &Corpus, query: &str) -> Vec<WorkspaceSymbol> {
    let lex = &corpus.lexicon;
    let mut scored = Vec::new();
    for e in lex.entities() {
        let name = lex.name(e);
        let best = std::iter::once(name.to_string()).chain(lex.aliases(e)).filter_map(|f| fuzzy_score(query, &f)).max();
        let (Some(score), Some(location)) = (best, declaration(corpus, e)) else { continue };
        let container = if matches!(e, EntityRef::Kb(_)) { "knowledge base" } else { "discovered" };
        scored.push((
            score,
            WorkspaceSymbol { name: name.to_string(), kind: lex.kind(e), container: container.into(), location },
        ));
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored.into_iter().take(500).map(|(_, s)| s).collect()
}

/// A subsequence match score: higher for contiguous runs and word starts;
/// `None` when `query` is not a subsequence of `candidate`.
pub fn fuzzy_score(query: &str, candidate: &str) -> Option<i64> {
    let q: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if q.is_empty() {
        return Some(0);
    }
    let c: Vec<char> = candidate.chars().collect();
    let mut score = 0i64;
    let mut qi = 0;
    let mut previous: Option<usize> = None;
    for (i, ch) in c.iter().enumerate() {
        if qi < q.len() && ch.to_lowercase().eq(q[qi].to_lowercase()) {
            score += 1;
            if previous == Some(i.wrapping_sub(1)) {
                score += 5;
            }
            if i == 0 || !c[i - 1].is_alphanumeric() {
                score += 10;
            }
            previous = Some(i);
            qi += 1;
        }
    }
    (qi == q.len()).then_some(score - c.len() as i64 / 4)
}

#[cfg(test)]
mod tests {
    use super::fuzzy_score;

    #[test]
    fn fuzzy() {
        assert!(fuzzy_score("krs", "Larry Krasner").is_some());
        assert!(fuzzy_score("xyz", "Larry Krasner").is_none());
        assert!(fuzzy_score("lk", "Larry Krasner") > fuzzy_score("lk", "Dale Wilcox Link"));
    }
}
