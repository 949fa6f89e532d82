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
    /// Whether the paragraph holds a non-ASCII word character (see
    /// [`WordRegex`]); computed once per paragraph.
    pub unicode_words: bool,
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
pub(crate) fn push_matches(re: &WordRegex, input: &RuleInput, group: usize, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let haystack = &input.text[input.paragraph.clone()];
    if re.ruled_out(haystack) {
        return;
    }
    let re = re.pick(input.unicode_words);
    if group == 0 {
        // Same matches as group 0 of `captures_iter`, without running a
        // capture engine.
        out.extend(re.find_iter(haystack).map(|m| base + m.start()..base + m.end()));
        return;
    }
    for c in re.captures_iter(haystack) {
        if let Some(m) = c.get(group) {
            out.push(base + m.start()..base + m.end());
        }
    }
}

/// A regex with word boundaries (`\b`), compiled twice so it stays fast on
/// prose with curly quotes and dashes.
///
/// The `regex` crate's fast engine (the lazy DFA) gives up on a Unicode
/// `\b` as soon as it meets a non-ASCII byte, and the slow engines then
/// dominate a scan. An ASCII `\b` and a Unicode one agree at every
/// position unless a non-ASCII *word* character (`ó`, `é`, `ж`) is next to
/// it: curly quotes, dashes and other punctuation are non-word for both.
/// So the ASCII variant runs on every haystack with no non-ASCII word
/// character, the exact one on the rest: the results are identical.
///
/// A rule whose pattern starts with an optional part (the qualifiers of
/// figures) has no literal for the regex crate to skip ahead with; it may
/// give a `required` regex that every match contains (`[$€£¥]|…` for money),
/// a cheap literal search that rules most paragraphs out.
pub struct WordRegex {
    exact: Regex,
    ascii: Regex,
    required: Option<Regex>,
}

static NON_ASCII_WORD: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| Regex::new(r"[\w&&[^\x00-\x7F]]").expect("non-ASCII word regex"));

/// Whether `haystack` holds a character that is a word character for a
/// Unicode `\b` but not for an ASCII one.
pub fn has_non_ascii_word(haystack: &str) -> bool {
    !haystack.is_ascii() && NON_ASCII_WORD.is_match(haystack)
}

impl WordRegex {
    pub fn new(pattern: &str) -> Result<WordRegex, regex::Error> {
        let exact = Regex::new(pattern)?;
        let ascii = Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))?;
        Ok(WordRegex { exact, ascii, required: None })
    }

    /// With a regex that matches inside every match of the pattern: a
    /// paragraph where it does not match is skipped.
    pub fn with_required(pattern: &str, required: &str) -> Result<WordRegex, regex::Error> {
        let mut re = WordRegex::new(pattern)?;
        re.required = Some(Regex::new(required)?);
        Ok(re)
    }

    /// The variant to run on `haystack` (same results as the exact one).
    pub fn get(&self, haystack: &str) -> &Regex {
        self.pick(has_non_ascii_word(haystack))
    }

    /// The variant for a haystack that does (`true`) or does not hold a
    /// non-ASCII word character.
    pub fn pick(&self, unicode_words: bool) -> &Regex {
        if unicode_words { &self.exact } else { &self.ascii }
    }

    /// Whether the pattern cannot match in `haystack` (its required part
    /// is absent).
    pub fn ruled_out(&self, haystack: &str) -> bool {
        self.required.as_ref().is_some_and(|r| !r.is_match(haystack))
    }

    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h str) -> regex::Matches<'r, 'h> {
        self.get(haystack).find_iter(haystack)
    }

    pub fn captures_iter<'r, 'h>(&'r self, haystack: &'h str) -> regex::CaptureMatches<'r, 'h> {
        self.get(haystack).captures_iter(haystack)
    }

    pub fn is_match(&self, haystack: &str) -> bool {
        self.get(haystack).is_match(haystack)
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
        let input = RuleInput {
            text,
            paragraph: 0..text.len(),
            quotes: &quotes,
            markers: &markers,
            unicode_words: super::has_non_ascii_word(text),
        };
        let mut out = Vec::new();
        (rule.find)(&input, &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }
}

#[cfg(test)]
mod word_regex_tests {
    use super::WordRegex;
    use proptest::prelude::*;

    fn all(re: &regex::Regex, h: &str) -> Vec<(usize, usize)> {
        re.find_iter(h).map(|m| (m.start(), m.end())).collect()
    }

    const PATTERNS: &[&str] = &[
        r"\b(?:said|linked to)\b",
        r"[\p{L}][\p{L}\p{M}’']*-(?:linked|backed)\b",
        r"(?i)\b\d+(?:[.,]\d+)?\s?(?:%|percent\b)",
    ];

    #[test]
    fn both_variants_agree_next_to_accents_and_punctuation() {
        for p in PATTERNS {
            let re = WordRegex::new(p).expect("pattern");
            for h in ["Gascón said — “linked to” Soros-linked, Gascón-linked", "ósaid saidé 20% 20percent", "x—said’s"]
            {
                assert_eq!(all(re.get(h), h), all(&re.exact, h), "{p} on {h}");
            }
        }
    }

    proptest! {
        #[test]
        fn the_chosen_variant_matches_like_the_exact_one(h in "[a-z0-9 óé’—%-]{0,40}") {
            for p in PATTERNS {
                let re = WordRegex::new(p).expect("pattern");
                prop_assert_eq!(all(re.get(&h), &h), all(&re.exact, &h));
            }
        }
    }
}
