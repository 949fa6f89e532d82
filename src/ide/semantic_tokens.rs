//! Semantic tokens: names by kind (knowledge base or discovered), claims by
//! status, citations. Tokens never overlap and never cross a line break:
//! a claim around a name is cut around it, and multi-line claims are split
//! per line, so every client can render them.

use crate::analysis::claims::ClaimStatus;
use crate::analysis::kb::EntityKind;
use crate::analysis::names::EntityRef;
use crate::analysis::text::TextRange;
use crate::index::{Corpus, Document};

/// Token types, in legend order.
pub const TYPES: [&str; 8] = ["variable", "class", "namespace", "interface", "event", "enumMember", "string", "macro"];
/// Token modifiers, in legend order (bit i is modifier i).
pub const MODIFIERS: [&str; 5] = ["knowledgeBase", "discovered", "unsourced", "attributed", "sourced"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: TextRange,
    /// Index into [`TYPES`].
    pub kind: u32,
    /// Bit set over [`MODIFIERS`].
    pub modifiers: u32,
}

fn kind_index(kind: EntityKind) -> u32 {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Organization => 1,
        EntityKind::Place => 2,
        EntityKind::Law => 3,
        EntityKind::Event => 4,
        EntityKind::Other => 5,
    }
}

pub fn tokens(corpus: &Corpus, doc: &Document, within: Option<TextRange>) -> Vec<Token> {
    let mut fixed: Vec<Token> = Vec::new();
    for m in doc.analysis.mentions.iter().filter(|m| !m.nested) {
        let modifier = match m.entity() {
            EntityRef::Kb(_) => 1,
            EntityRef::Discovered(_) => 2,
        };
        fixed.push(Token { range: m.range(), kind: kind_index(corpus.lexicon.kind(m.entity())), modifiers: modifier });
    }
    for c in &doc.analysis.scan.citations {
        fixed.push(Token { range: c.range.clone(), kind: 7, modifiers: 0 });
    }
    fixed.sort_by_key(|t| t.range.start);
    let mut out = Vec::new();
    for claim in &doc.analysis.claims {
        let modifiers = match claim.status {
            ClaimStatus::Unsourced => 1 << 2,
            ClaimStatus::Attributed { .. } => 1 << 3,
            ClaimStatus::Sourced { .. } => 1 << 4,
        };
        // Cut around names and citations.
        let range = claim.range();
        let mut from = range.start;
        for t in fixed.iter().filter(|t| t.range.start < range.end && t.range.end > range.start) {
            if t.range.start > from {
                out.push(Token { range: from..t.range.start, kind: 6, modifiers });
            }
            from = from.max(t.range.end);
        }
        if from < range.end {
            out.push(Token { range: from..range.end, kind: 6, modifiers });
        }
    }
    out.extend(fixed);
    out.sort_by_key(|t| (t.range.start, t.range.end));
    // Claims may overlap each other: keep the first that starts.
    let mut last_end = 0;
    out.retain(|t| {
        let keep = t.range.start >= last_end;
        if keep {
            last_end = t.range.end;
        }
        keep
    });
    if let Some(w) = within {
        out.retain(|t| t.range.end > w.start && t.range.start < w.end);
    }
    split_lines(doc, out)
}

fn split_lines(doc: &Document, tokens: Vec<Token>) -> Vec<Token> {
    let lines = &doc.source.lines;
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let mut start = t.range.start;
        let last_line = lines.line_of(t.range.end);
        let mut line = lines.line_of(start);
        while line < last_line {
            let content = lines.line_content(line);
            if content.end > start {
                out.push(Token { range: start..content.end, ..t.clone() });
            }
            line += 1;
            start = lines.line_range(line).start;
        }
        if t.range.end > start {
            out.push(Token { range: start..t.range.end, ..t });
        }
    }
    out
}
