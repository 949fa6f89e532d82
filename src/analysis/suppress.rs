//! Suppression comments: a reviewer's word that a rule is silenced here.
//!
//! - `<!-- factls-ignore RULE[, RULE…] -->` silences the named rules (all
//!   rules when none is named) on the line that holds the comment; a
//!   comment alone on its line applies to the next paragraph.
//! - `<!-- factls-ignore-next-line [RULE…] -->` silences them on the next
//!   line.

use std::sync::LazyLock;

use regex::Regex;

use super::sentences::Segments;
use super::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The comment itself.
    pub comment: TextRange,
    /// Where it applies.
    pub scope: TextRange,
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
}

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*factls-ignore(?P<next>-next-line)?(?P<rules>(?:[\s,]+[A-Za-z0-9_-]+)*)\s*-->")
        .expect("suppression regex")
});

pub fn suppressions(text: &str, segments: &Segments) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in COMMENT.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        let rules: Vec<String> = c
            .name("rules")
            .map(|r| {
                r.as_str().split([',', ' ', '\t', '\n', '\r']).filter(|s| !s.is_empty()).map(String::from).collect()
            })
            .unwrap_or_default();
        let line_start = text[..whole.start()].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = text[whole.end()..].find(['\n', '\r']).map_or(text.len(), |i| whole.end() + i);
        let alone = text[line_start..whole.start()].trim().is_empty() && text[whole.end()..line_end].trim().is_empty();
        let scope = if c.name("next").is_some() {
            let next_start = skip_terminator(text, line_end);
            let next_end = text[next_start..].find(['\n', '\r']).map_or(text.len(), |i| next_start + i);
            next_start..next_end
        } else if alone {
            match segments.paragraphs.iter().find(|p| p.start >= line_end) {
                Some(p) => p.clone(),
                None => continue,
            }
        } else {
            line_start..line_end
        };
        out.push(Suppression { comment: whole.range(), scope, rules });
    }
    out
}

fn skip_terminator(text: &str, at: usize) -> usize {
    let rest = &text[at..];
    if rest.starts_with("\r\n") {
        at + 2
    } else if rest.starts_with('\n') || rest.starts_with('\r') {
        at + 1
    } else {
        at
    }
}

/// Whether `rule` is silenced at `range`.
pub fn is_suppressed(suppressions: &[Suppression], rule: &str, range: &TextRange) -> bool {
    suppressions.iter().any(|s| {
        s.scope.start <= range.start
            && range.start <= s.scope.end
            && (s.rules.is_empty() || s.rules.iter().any(|r| r == rule))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sentences::segment;
    use crate::analysis::source::non_prose;

    #[test]
    fn scopes() {
        let text = "It cost $3 million. <!-- factls-ignore money-figure -->\n\n<!-- factls-ignore -->\nNext $4 million.\n<!-- factls-ignore-next-line quotation -->\n“Quoted words here,” he said.\nOther $5 million.\n";
        let seg = segment(text, &non_prose(text));
        let s = suppressions(text, &seg);
        let at = |needle: &str| {
            let i = text.find(needle).expect("needle");
            i..i + needle.len()
        };
        assert!(is_suppressed(&s, "money-figure", &at("$3 million")));
        assert!(!is_suppressed(&s, "count", &at("$3 million")));
        assert!(is_suppressed(&s, "money-figure", &at("$4 million")));
        assert!(is_suppressed(&s, "quotation", &at("“Quoted")));
        assert!(!is_suppressed(&s, "money-figure", &at("$5 million")));
    }
}
