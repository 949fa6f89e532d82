//! The built-in claim rules. Each rule lives in its own file named after
//! its stable id (`money_figure.rs` is `money-figure`), with its doc header,
//! its pattern and its tests; this module lists them and holds the little
//! they share.
//!
//! A rule finds *claim markers*: the words that make a sentence a claim that
//! needs a source. Whether the claim is sourced, attributed or suppressed is
//! decided afterwards, in `claims`, the same way for every rule.
//!
//! Precision first: each rule fires on the claim, not on the mere word
//! (`most` in "most of the day" is no superlative).

mod allegation;
mod claim_marker;
mod count;
mod event_date;
mod money_figure;
mod peacock_term;
mod percentage;
pub mod quotation;
mod ranking;
mod superlative;
mod sweeping_generalization;
mod vague_linkage;
mod weasel_words;

use regex::Regex;

use super::diagnostic::Severity;
use super::text::TextRange;

/// A quotation in a paragraph, marks included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub range: TextRange,
    /// Number of words between the marks.
    pub words: usize,
}

/// What a rule sees: one paragraph.
pub struct RuleInput<'a> {
    pub text: &'a str,
    pub paragraph: TextRange,
    pub quotes: &'a [Quote],
    pub markers: &'a [String],
}

/// A built-in claim rule.
pub struct Rule {
    /// Stable kebab-case id, used in diagnostics, `factls.toml` and
    /// suppression comments.
    pub id: &'static str,
    pub default_severity: Severity,
    /// What the claim is, for messages: "money figure".
    pub what: &'static str,
    /// What is missing and how to supply it.
    pub help: &'static str,
    /// Whether naming the speaker lowers the severity (quotations,
    /// allegations).
    pub attributable: bool,
    pub find: fn(&RuleInput, &mut Vec<TextRange>),
}

/// All built-in rules, in the order their diagnostics are reported.
pub fn builtin() -> &'static [&'static Rule] {
    static RULES: [&Rule; 13] = [
        &money_figure::RULE,
        &percentage::RULE,
        &count::RULE,
        &event_date::RULE,
        &ranking::RULE,
        &allegation::RULE,
        &quotation::RULE,
        &vague_linkage::RULE,
        &weasel_words::RULE,
        &superlative::RULE,
        &peacock_term::RULE,
        &sweeping_generalization::RULE,
        &claim_marker::RULE,
    ];
    &RULES
}

pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    builtin().iter().map(|r| r.id).chain(OTHER_RULE_IDS.iter().copied())
}

/// Rules that are not claim rules but can be configured like them.
pub const OTHER_RULE_IDS: &[&str] = &["undefined-citation", "unused-source", "duplicate-source", "empty-source"];

pub fn find_rule(id: &str) -> Option<&'static Rule> {
    builtin().iter().copied().find(|r| r.id == id)
}

/// Pushes the ranges of `group` (0 for the whole match) of every match of
/// `re` inside the paragraph.
pub(crate) fn push_matches(re: &Regex, input: &RuleInput, group: usize, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    for c in re.captures_iter(&input.text[input.paragraph.clone()]) {
        if let Some(m) = c.get(group) {
            out.push(base + m.start()..base + m.end());
        }
    }
}

/// Qualifiers that belong to a figure: `nearly $1.7 million`.
pub(crate) const QUALIFIER: &str = r"(?:(?i:nearly|almost|about|around|approximately|roughly|some|over|under|more than|less than|fewer than|at least|at most|up to|as much as|as many as|as little as|close to|just over|just under|well over)\s+)?";

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Runs one rule over `text` as a single paragraph; returns the matched
    /// strings.
    pub fn run<'t>(rule: &Rule, text: &'t str) -> Vec<&'t str> {
        let quotes = crate::analysis::claims::quotes(text, 0..text.len());
        let markers: Vec<String> = crate::analysis::config::Config::default().markers;
        let input = RuleInput { text, paragraph: 0..text.len(), quotes: &quotes, markers: &markers };
        let mut out = Vec::new();
        (rule.find)(&input, &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }
}
