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
/// subsequence, best matches first (the first 500: `LISTED`).
pub fn workspace_symbols(corpus: &Corpus, query: &str) -> Vec<WorkspaceSymbol> {
    let lex = &corpus.lexicon;
    let query = Query::new(query);
    // Each match with its place among the entities: best score first,
    // then by name, then in the entities' order.
    let mut scored: Vec<(i64, &str, usize, EntityRef)> = lex
        .entities()
        .enumerate()
        .filter_map(|(at, e)| {
            let name = lex.name(e);
            let best = std::iter::once(name).chain(lex.alias_forms(e)).filter_map(|f| query.score(f)).max()?;
            Some((best, name, at, e))
        })
        .collect();
    let order = |a: &(i64, &str, usize, EntityRef), b: &(i64, &str, usize, EntityRef)| {
        b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)).then_with(|| a.2.cmp(&b.2))
    };
    // The first `LISTED` in order, without sorting the rest; where each
    // is declared, for those listed only (every entity of the lexicon has
    // a declaration).
    if scored.len() > LISTED {
        scored.select_nth_unstable_by(LISTED, order);
        scored.truncate(LISTED);
    }
    scored.sort_unstable_by(order);
    scored
        .into_iter()
        .filter_map(|(_, name, _, e)| {
            let container = if matches!(e, EntityRef::Kb(_)) { "knowledge base" } else { "discovered" };
            let location = declaration(corpus, e)?;
            Some(WorkspaceSymbol { name: name.to_string(), kind: lex.kind(e), container: container.into(), location })
        })
        .collect()
}

/// How many symbols [`workspace_symbols`] lists at most.
const LISTED: usize = 500;

/// A query as [`workspace_symbols`] matches it, lowercased once for all
/// the candidates (the 10,000 entities of a request), and as bytes when
/// it is ASCII.
struct Query {
    chars: Vec<char>,
    ascii: Option<Vec<u8>>,
}

impl Query {
    fn new(query: &str) -> Query {
        let chars: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        let ascii = chars.iter().all(char::is_ascii).then(|| chars.iter().map(|&c| c as u8).collect());
        Query { chars, ascii }
    }

    /// [`Query::score`] of an ASCII query and an ASCII `candidate`, byte
    /// by byte; `None` when either is not ASCII (a character that is not
    /// ASCII may lowercase to one that is: the Kelvin sign). Most
    /// candidates of a request do not match: the query's bytes are first
    /// looked for with `memchr`, each after the one before.
    fn score_ascii(&self, candidate: &str) -> Option<Option<i64>> {
        let q = self.ascii.as_deref()?;
        if !candidate.is_ascii() {
            return None;
        }
        let bytes = candidate.as_bytes();
        let mut rest = bytes;
        for &b in q {
            match memchr::memchr2(b, b.to_ascii_uppercase(), rest) {
                Some(i) => rest = &rest[i + 1..],
                None => return Some(None),
            }
        }
        let mut score = 0i64;
        let mut qi = 0;
        let mut previous: Option<usize> = None;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(&want) = q.get(qi) else { break };
            if b.to_ascii_lowercase() == want {
                score += 1;
                if previous == Some(i.wrapping_sub(1)) {
                    score += 5;
                }
                if i == 0 || !bytes[i - 1].is_ascii_alphanumeric() {
                    score += 10;
                }
                previous = Some(i);
                qi += 1;
            }
        }
        Some((qi == q.len()).then_some(score - bytes.len() as i64 / 4))
    }

    /// A subsequence match score of `candidate`: higher for contiguous
    /// runs and word starts; `None` when the query is not a subsequence.
    /// A character matches the query's next one when their lowercase
    /// forms are equal (for ASCII, as bytes).
    fn score(&self, candidate: &str) -> Option<i64> {
        let q = &self.chars;
        if q.is_empty() {
            return Some(0);
        }
        if let Some(score) = self.score_ascii(candidate) {
            return score;
        }
        let mut score = 0i64;
        let mut qi = 0;
        let mut previous: Option<usize> = None;
        let mut before: Option<char> = None;
        let mut count = 0usize;
        for (i, ch) in candidate.chars().enumerate() {
            count = i + 1;
            if let Some(&want) = q.get(qi) {
                let same = if ch.is_ascii() && want.is_ascii() {
                    ch.to_ascii_lowercase() == want
                } else {
                    ch.to_lowercase().eq(want.to_lowercase())
                };
                if same {
                    score += 1;
                    if previous == Some(i.wrapping_sub(1)) {
                        score += 5;
                    }
                    if before.is_none_or(|b| !b.is_alphanumeric()) {
                        score += 10;
                    }
                    previous = Some(i);
                    qi += 1;
                }
            }
            before = Some(ch);
        }
        (qi == q.len()).then_some(score - count as i64 / 4)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::{FileRange, LISTED, Query, declaration, workspace_symbols};
    use crate::analysis::names::EntityRef;
    use crate::index::Corpus;

    /// Past [`LISTED`] matches, the symbols listed are the first of all
    /// the matches in order (best score, then name, then the entities'
    /// order), as a sort of every match gives them: 700 organisations
    /// whose names score alike in groups, some named twice.
    #[test]
    fn the_symbols_listed_are_the_best_of_all_matches() {
        let letters = |mut n: usize| {
            let mut s = String::new();
            for _ in 0..3 {
                s.push(char::from(b'a' + (n % 26) as u8));
                n /= 26;
            }
            s
        };
        let mut kb = String::new();
        for i in 0..700 {
            // Longer names score lower; a name comes twice every 50.
            let j = if i % 50 == 49 { i - 49 } else { i };
            let name = format!("Orbit {}{} Group", letters(j), "x".repeat(j % 9));
            kb.push_str(&format!("[[entity]]\nid = \"o{i}\"\nname = \"{name}\"\nkind = \"organization\"\n\n"));
        }
        let corpus = Corpus::from_texts(Path::new("/corpus"), &[("entities.toml", &kb)]);
        let query = Query::new("orb g");
        let mut all: Vec<(i64, String, usize)> = corpus
            .lexicon
            .kb
            .entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((query.score(&e.name)?, e.name.clone(), i)))
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let expected: Vec<(String, FileRange)> = all
            .iter()
            .take(LISTED)
            .filter_map(|(_, name, i)| Some((name.clone(), declaration(&corpus, EntityRef::Kb(*i))?)))
            .collect();
        let listed: Vec<(String, FileRange)> =
            workspace_symbols(&corpus, "orb g").into_iter().map(|s| (s.name, s.location)).collect();
        assert_eq!(all.len(), 700);
        assert_eq!(expected.len(), LISTED);
        assert_eq!(listed, expected);
    }

    fn fuzzy_score(query: &str, candidate: &str) -> Option<i64> {
        Query::new(query).score(candidate)
    }

    /// The score as first written: the query lowercased and the candidate
    /// collected into characters for each candidate, every pair of
    /// characters compared by their lowercase forms.
    fn reference(query: &str, candidate: &str) -> Option<i64> {
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

    proptest! {
        /// The query lowercased once, ASCII compared as bytes: the same
        /// scores, for names with capitals, digits, accents, a dotted
        /// capital I, the Kelvin sign and the sharp s.
        #[test]
        fn a_query_scores_as_the_reference_does(
            query in "[a-zA-Z0-9 ÉéİıKßẞ.-]{0,6}",
            candidate in "[a-zA-Z0-9 ÉéİıKßẞ.'-]{0,24}",
        ) {
            prop_assert_eq!(fuzzy_score(&query, &candidate), reference(&query, &candidate));
        }

        /// The same, for queries picked from the candidate (so that most
        /// match, and every bonus is scored), their case flipped or not.
        #[test]
        fn a_picked_query_scores_as_the_reference_does(
            candidate in "[a-zA-Z0-9 ÉéİıKßẞ.'-]{0,24}",
            picks in proptest::collection::vec(any::<bool>(), 24),
            upper in any::<bool>(),
        ) {
            let picked: String = candidate.chars().zip(&picks).filter(|(_, p)| **p).map(|(c, _)| c).take(6).collect();
            let query = if upper { picked.to_uppercase() } else { picked };
            prop_assert_eq!(fuzzy_score(&query, &candidate), reference(&query, &candidate));
        }
    }

    #[test]
    fn fuzzy() {
        assert!(fuzzy_score("krs", "Larry Krasner").is_some());
        assert!(fuzzy_score("xyz", "Larry Krasner").is_none());
        assert!(fuzzy_score("lk", "Larry Krasner") > fuzzy_score("lk", "Dale Wilcox Link"));
    }
}
