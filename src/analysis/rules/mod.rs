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
    /// Number of words between the marks, counted up to
    /// [`SCARE_QUOTE_WORDS`](quotation::SCARE_QUOTE_WORDS)` + 1`: all a
    /// scare quote is told by. (Counting on would be a pass over every
    /// long quotation, for nothing.)
    pub words: usize,
}

/// A document's quotations, paragraph by paragraph, in one list: a list
/// per paragraph cost 24 bytes for each of the many paragraphs without a
/// quotation (4.7 MB at seeds 10,000).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quotes {
    all: Vec<Quote>,
    /// Where each paragraph's quotations end in `all` (they start where
    /// the previous paragraph's end).
    ends: Vec<u32>,
}

impl Quotes {
    /// The quotations of paragraph `p` (none past the last paragraph).
    pub fn of(&self, p: usize) -> &[Quote] {
        let end = self.ends.get(p).map_or(0, |&e| e as usize);
        let start = p.checked_sub(1).and_then(|q| self.ends.get(q)).map_or(0, |&e| e as usize);
        self.all.get(start..end).unwrap_or_default()
    }

    /// Every quotation, in text order.
    pub fn all(&self) -> &[Quote] {
        &self.all
    }

    /// The number of paragraphs.
    pub fn paragraphs(&self) -> usize {
        self.ends.len()
    }

    /// Adds the next paragraph's quotations. Past four billion in a
    /// document (over 8 GiB of text), no more are kept.
    pub fn push_paragraph(&mut self, quotes: impl IntoIterator<Item = Quote>) {
        self.all.extend(quotes);
        self.all.truncate(u32::MAX as usize);
        self.ends.push(self.all.len() as u32);
    }

    pub fn shrink_to_fit(&mut self) {
        self.all.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl FromIterator<Vec<Quote>> for Quotes {
    fn from_iter<I: IntoIterator<Item = Vec<Quote>>>(paragraphs: I) -> Quotes {
        let mut quotes = Quotes::default();
        for p in paragraphs {
            quotes.push_paragraph(p);
        }
        quotes
    }
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
    /// The paragraph with its non-ASCII word characters made `_`s, when
    /// it has some and none is a digit or folds to ASCII: see
    /// [`ascii_twin`].
    pub ascii_twin: Option<&'a str>,
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
    /// Literals one of which every match of the rule contains, compared
    /// ASCII-case-insensitively (see [`trigger_mask_and_cues`]); empty: the rule
    /// always runs.
    pub triggers: &'static [&'static str],
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

/// The prefilter of all rules: every rule's triggers in one
/// [`LiteralSet`](super::literals::LiteralSet), a rule's index its group;
/// and the speaker cues ([`claims::cue_words`](super::claims::cue_words)),
/// in group [`CUE_GROUP`], found in the same walk.
struct Triggers {
    set: super::literals::LiteralSet,
    /// Rules with no triggers (always run).
    always: u32,
    /// The index of the first cue among the set's literals.
    first_cue: usize,
}

/// The prefilter's group of the speaker cues (no rule's: there are fewer
/// than 31 rules).
const CUE_GROUP: u32 = 31;

static TRIGGERS: std::sync::LazyLock<Triggers> = std::sync::LazyLock::new(|| {
    let mut literals = Vec::new();
    let mut always = 0u32;
    for (r, rule) in builtin().iter().enumerate() {
        if rule.triggers.is_empty() {
            always |= 1 << r;
        }
        literals.extend(rule.triggers.iter().map(|t| (*t, r as u32)));
    }
    let first_cue = literals.len();
    literals.extend(super::claims::cue_words().map(|w| (w, CUE_GROUP)));
    let set = super::literals::LiteralSet::new(literals).expect("trigger automaton");
    Triggers { set, always, first_cue }
});

/// The rules (bit `r` for `builtin()[r]`) that can match in `paragraph`:
/// those with a trigger in it, or no triggers at all; and in the same walk
/// the occurrences of the speaker cues in it pushed onto `cues`: `(start,
/// end, cue)`, offsets into the paragraph, `cue` an index into
/// [`claims::cue_words`](super::claims::cue_words), as
/// [`LiteralSet::occurrences`](super::literals::LiteralSet::occurrences)
/// orders them. One pass over the paragraph instead of one regex search
/// per rule and one more search for the cues.
///
/// Exact as a filter: every match of a rule contains one of its triggers,
/// up to case. The rules' case-insensitive parts fold Unicode case, where
/// `ſ` matches `s` and the Kelvin sign `K` matches `k`, and their `\d` is
/// any Unicode digit; the ASCII comparison sees neither, so a paragraph
/// holding such a character (only possible when `unicode_words`) runs
/// every rule.
pub fn trigger_mask_and_cues(paragraph: &str, unicode_words: bool, cues: &mut Vec<(usize, usize, usize)>) -> u32 {
    let t = &*TRIGGERS;
    let all = (1u32 << builtin().len()) - 1;
    let first = cues.len();
    let found = t.set.groups_and_occurrences(paragraph.as_bytes(), 1 << CUE_GROUP, cues);
    for cue in &mut cues[first..] {
        cue.2 -= t.first_cue;
    }
    if unicode_words && has_unicode_only_fold(paragraph) {
        return u32::MAX;
    }
    t.always | (found & all)
}

/// [`trigger_mask_and_cues`]'s mask alone.
#[cfg(test)]
fn trigger_mask(paragraph: &str, unicode_words: bool) -> u32 {
    trigger_mask_and_cues(paragraph, unicode_words, &mut Vec::new())
}

/// Whether `haystack` holds a character an ASCII-case-insensitive literal
/// search cannot stand for: `ſ` and `K`, which a case-insensitive regex
/// folds to `s` and `k`, or a non-ASCII digit, which `\d` matches.
pub(crate) fn has_unicode_only_fold(haystack: &str) -> bool {
    haystack.chars().any(|c| !c.is_ascii() && (c == 'ſ' || c == '\u{212A}' || c.is_numeric()))
}

/// Pushes the ranges of `group` (0 for the whole match) of every match of
/// `re` inside the paragraph.
pub(crate) fn push_matches(re: &WordRegex, input: &RuleInput, group: usize, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let (haystack, re) = re.pick_for(input);
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
/// figures) has no literal for the regex crate to skip ahead with: it
/// runs only on the paragraphs where one of its triggers occurs
/// ([`trigger_mask_and_cues`]), a literal its every match contains.
///
/// A paragraph with a non-ASCII word character (`Gascón`) would need the
/// exact variant, which the lazy DFA cannot run past the first non-ASCII
/// byte (a curly quote, often), so the slow engines scan the paragraph. A
/// pattern that can match no non-ASCII word character and no `_`
/// ([`WordRegex::matching_no_letters`]), or one that sees them only as
/// word characters ([`WordRegex::matching_words_by_class`]), instead runs
/// its ASCII variant on the paragraph's [`ascii_twin`].
pub struct WordRegex {
    /// The pattern as written, compiled on first use: most paragraphs
    /// need only the ASCII variant.
    pattern: String,
    exact: std::sync::OnceLock<Regex>,
    ascii: Regex,
    /// Whether the pattern can match no non-ASCII word character (other
    /// than through `\d` or Unicode case folding) and no `_`.
    no_letters: bool,
    /// Whether the pattern tells a non-ASCII word character from `_` in
    /// no class (see [`WordRegex::matching_words_by_class`]).
    words_by_class: bool,
}

/// `paragraph` with each non-ASCII word character replaced by as many
/// `_` as it has bytes, or `None` when one of them is numeric or folds to
/// ASCII (`ſ`, `K`).
///
/// For a pattern that can match neither a non-ASCII word character (but
/// through `\d` or case folding) nor `_`, the ASCII variant on the twin
/// finds the exact variant's matches on the paragraph: offsets are
/// unchanged, `_` is a word character for an ASCII `\b` as the replaced
/// character is for a Unicode one (so every `\b` agrees), and the
/// replaced characters, like `_`, are matched by nothing, so no match
/// includes or starts inside them.
pub fn ascii_twin(paragraph: &str) -> Option<String> {
    let mut twin = String::with_capacity(paragraph.len());
    for c in paragraph.chars() {
        if c.is_ascii() || !is_non_ascii_word_char(c) {
            twin.push(c);
        } else if c.is_numeric() || c == 'ſ' || c == '\u{212A}' {
            return None;
        } else {
            twin.extend(std::iter::repeat_n('_', c.len_utf8()));
        }
    }
    Some(twin)
}

/// What [`has_non_ascii_word`] looks for (the tests' oracle).
#[cfg(test)]
static NON_ASCII_WORD: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| Regex::new(r"[\w&&[^\x00-\x7F]]").expect("non-ASCII word regex"));

/// Whether `haystack` holds a character that is a word character for a
/// Unicode `\b` but not for an ASCII one: a match of `[\w&&[^\x00-\x7F]]`.
///
/// A byte loop instead of a regex search: ASCII bytes are skipped eight
/// at a time (one test of their high bits), and only non-ASCII characters
/// are looked up in the regex's own `\w` ([`chars`](super::chars)); the
/// first word character ends the scan.
pub fn has_non_ascii_word(haystack: &str) -> bool {
    let bytes = haystack.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII eight bytes at a time: to the first byte with its high bit
        // set, which starts a character (`i` is always a char boundary).
        if let Some(word) = bytes.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
            if high == 0 {
                i += 8;
                continue;
            }
            i += (high.trailing_zeros() / 8) as usize;
        } else if bytes[i].is_ascii() {
            i += 1;
            continue;
        }
        let Some(c) = haystack[i..].chars().next() else { break };
        if is_non_ascii_word_char(c) {
            return true;
        }
        i += c.len_utf8();
    }
    false
}

/// Whether `c`, a non-ASCII character, is a word character for a Unicode
/// `\b`.
fn is_non_ascii_word_char(c: char) -> bool {
    super::chars::is(c, super::chars::W)
}

/// Whether `c` is a word character for a Unicode `\b` (what `\w` matches).
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { is_non_ascii_word_char(c) }
}

impl WordRegex {
    pub fn new(pattern: &str) -> Result<WordRegex, regex::Error> {
        let ascii = Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))?;
        // The exact variant compiles when the ASCII one does: they differ
        // in their word boundaries only.
        Ok(WordRegex {
            pattern: pattern.to_string(),
            exact: std::sync::OnceLock::new(),
            ascii,
            no_letters: false,
            words_by_class: false,
        })
    }

    /// The exact variant, compiled on first use.
    fn exact(&self) -> &Regex {
        self.exact.get_or_init(|| Regex::new(&self.pattern).expect("a pattern whose ASCII variant compiles compiles"))
    }

    /// Declares that the pattern matches no non-ASCII word character but
    /// through `\d` or Unicode case folding, and no `_`: its classes are
    /// ASCII letters, `\d`, `\s` and symbols (see [`ascii_twin`]).
    pub fn matching_no_letters(mut self) -> WordRegex {
        self.no_letters = true;
        self
    }

    /// Declares that the pattern sees a non-ASCII word character only
    /// through classes that hold `_` alike (`\w`, `\W`, `\s`, `\S`, ASCII
    /// letters and digits), never through `.` or a counted repetition, and
    /// matches no non-ASCII character through `\d` or case folding but
    /// those [`ascii_twin`] refuses. On the twin, whose replaced characters
    /// are as many `_` bytes, every class then answers as on the paragraph
    /// and every `\b` agrees (the ASCII one sees `_` as a word character),
    /// so its matches lie at the same offsets; unlike
    /// [`WordRegex::matching_no_letters`]'s, a match may cover replaced
    /// characters (`ranked number één`), so its ranges are what to read,
    /// not its text.
    pub fn matching_words_by_class(mut self) -> WordRegex {
        self.words_by_class = true;
        self
    }

    /// The haystack and variant to run on `input`'s paragraph: its ASCII
    /// twin and the ASCII variant where that is exact, else the paragraph
    /// and [`WordRegex::pick`].
    pub fn pick_for<'h>(&self, input: &RuleInput<'h>) -> (&'h str, &Regex) {
        match input.ascii_twin {
            Some(twin) if (self.no_letters || self.words_by_class) && input.unicode_words => (twin, &self.ascii),
            _ => (&input.text[input.paragraph.clone()], self.pick(input.unicode_words)),
        }
    }

    /// The variant to run on `haystack` (same results as the exact one).
    pub fn get(&self, haystack: &str) -> &Regex {
        self.pick(has_non_ascii_word(haystack))
    }

    /// The variant for a haystack that does (`true`) or does not hold a
    /// non-ASCII word character.
    pub fn pick(&self, unicode_words: bool) -> &Regex {
        if unicode_words { self.exact() } else { &self.ascii }
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
        let unicode_words = super::has_non_ascii_word(text);
        let twin = if unicode_words { super::ascii_twin(text) } else { None };
        let mut input = RuleInput {
            text,
            paragraph: 0..text.len(),
            quotes: &quotes,
            markers: &markers,
            unicode_words,
            ascii_twin: twin.as_deref(),
        };
        let mut out = Vec::new();
        (rule.find)(&input, &mut out);
        // The twin changes nothing.
        input.ascii_twin = None;
        let mut exact = Vec::new();
        (rule.find)(&input, &mut exact);
        assert_eq!(out, exact, "{} with and without the ASCII twin on {text:?}", rule.id);
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
        r"(?i)\bk\w*\s+[^a-z\s]+\B",
        r"(?:\p{Lu}\.){2,}|\w+’\w|[\p{Greek}]|\s{2}\S",
    ];

    #[test]
    fn both_variants_agree_next_to_accents_and_punctuation() {
        for p in PATTERNS {
            let re = WordRegex::new(p).expect("pattern");
            for h in ["Gascón said — “linked to” Soros-linked, Gascón-linked", "ósaid saidé 20% 20percent", "x—said’s"]
            {
                assert_eq!(all(re.get(h), h), all(re.exact(), h), "{p} on {h}");
            }
        }
    }

    proptest! {
        #[test]
        fn the_chosen_variant_matches_like_the_exact_one(h in "[a-zK0-9 óéΩ’—%.\u{a0}\u{2003}_-]{0,40}") {
            for p in PATTERNS {
                let re = WordRegex::new(p).expect("pattern");
                prop_assert_eq!(all(re.get(&h), &h), all(re.exact(), &h));
            }
        }
    }
}

#[cfg(test)]
mod non_ascii_word_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_characters_are_those_of_the_regex() {
        let w = Regex::new(r"^\w$").expect("regex");
        for c in ['a', 'Z', '0', '_', ' ', '-', 'ó', 'ж', '’', '—', '٣', '\u{300}', '‿', '½', '²', 'ſ', '😀']
        {
            assert_eq!(is_word_char(c), w.is_match(&c.to_string()), "{c:?}");
        }
    }

    #[test]
    fn the_ascii_twin_keeps_offsets_and_refuses_digits_and_folds() {
        assert_eq!(ascii_twin("Gascón’s “x”").as_deref(), Some("Gasc__n’s “x”"));
        assert_eq!(ascii_twin("٣ in ٥"), None);
        assert_eq!(ascii_twin("ſay"), None);
        assert_eq!(ascii_twin("\u{212A}"), None);
    }

    proptest! {
        #[test]
        fn the_byte_loop_answers_like_the_regex(h in "[a-z0-9 óé’“”—…٣\u{300}½😀-]{0,80}") {
            prop_assert_eq!(has_non_ascii_word(&h), NON_ASCII_WORD.is_match(&h));
        }
    }
}

#[cfg(test)]
mod trigger_tests {
    use super::test_support::run;
    use super::*;
    use proptest::prelude::*;

    /// Whether a rule that matches in `text` is let through by the mask.
    fn check(text: &str) {
        let mask = trigger_mask(text, has_non_ascii_word(text));
        for (r, rule) in builtin().iter().enumerate() {
            let found = run(rule, text);
            assert!(found.is_empty() || mask & (1 << r) != 0, "{} found {found:?} in {text:?}", rule.id);
        }
    }

    #[test]
    fn the_mask_never_hides_a_match_in_the_seeds() {
        let seed = include_str!("../../../seeds/000_16a33d4f32bdc8d1.txt");
        for paragraph in seed.split("\n\n") {
            check(paragraph);
        }
        check(seed);
    }

    #[test]
    fn unicode_case_folds_and_digits_run_every_rule() {
        assert_eq!(trigger_mask("Some people ſay so.", true), u32::MAX);
        assert_eq!(trigger_mask("It is the \u{212A}ind of thing.", true), u32::MAX);
        assert_eq!(trigger_mask("٣ in ٥ agree.", true), u32::MAX);
        check("Some people ſay so; it is widely ſeen; unqueſtionably.");
        check("Gascón’s 300 immigrants, “nearly $1.7 million” and 20% — some people say so_ _said é5 cases");
        check("٣ in ٥ voters and ٣٠٠ immigrants.");
        assert_eq!(trigger_mask("Plain words only.", false) & (1 << 0), 0);
    }

    const VOCAB: &[&str] = &[
        "the",
        "most",
        "largest",
        "is",
        "was",
        "in",
        "history",
        "it",
        "some",
        "many",
        "people",
        "experts",
        "say",
        "said",
        "widely",
        "believed",
        "$",
        "€",
        "5",
        "1,200",
        "20",
        "%",
        "percent",
        "per",
        "cent",
        "one",
        "out",
        "of",
        "five",
        "dozens",
        "cases",
        "years",
        "nearly",
        "more",
        "than",
        "million",
        "dollars",
        "elected",
        "January",
        "2017",
        "third-largest",
        "ranked",
        "No.",
        "top",
        "10",
        "alleges",
        "according",
        "to",
        "linked",
        "Soros-backed",
        "everyone",
        "knows",
        "has",
        "always",
        "been",
        "undeniably",
        "world-renowned",
        "award-winning",
        "highly",
        "respected",
        "[claim]",
        "[CN]",
        "“quoted",
        "words”",
        "Gascón",
        "Gascón’s",
        "é",
        "_",
        "ſay",
        "\u{212A}",
        "٣",
        "Studies",
        "show",
        "no",
        "one",
        "agrees",
        "it is",
        "claimed",
        "that",
        "tied",
        "with",
        "state-of-the-art",
        "state of the art",
        "best-known",
        "best known",
        "world-class",
        "world",
        "class",
        "cutting edge",
        "all",
        "every",
        "voters",
        "Americans",
        "agree",
        "know",
        "nobody",
        "everybody",
        "doubts",
        "beyond",
        "doubt",
        "obvious",
        "widely",
        "recognized",
        "highly",
        "regarded",
        "ground-breaking",
        "without",
        "exception",
    ];

    /// The mask as an overlapping Aho-Corasick search of every trigger
    /// gives it.
    fn mask_by_automaton(text: &str) -> u32 {
        static AUTOMATON: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<usize>, u32)> =
            std::sync::LazyLock::new(|| {
                let mut patterns = Vec::new();
                let mut rule_of = Vec::new();
                let mut always = 0;
                for (r, rule) in builtin().iter().enumerate() {
                    if rule.triggers.is_empty() {
                        always |= 1 << r;
                    }
                    patterns.extend(rule.triggers.iter().copied());
                    rule_of.extend(rule.triggers.iter().map(|_| r));
                }
                let ac = aho_corasick::AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&patterns)
                    .expect("automaton");
                (ac, rule_of, always)
            });
        let (ac, rule_of, always) = &*AUTOMATON;
        ac.find_overlapping_iter(text).fold(*always, |m, hit| m | 1 << rule_of[hit.pattern().as_usize()])
    }

    proptest! {
        #[test]
        fn the_mask_never_hides_a_match(words in prop::collection::vec(prop::sample::select(VOCAB), 0..14)) {
            let text = words.join(" ");
            check(&text);
            if !has_unicode_only_fold(&text) {
                prop_assert_eq!(trigger_mask(&text, true), mask_by_automaton(&text));
            }
        }
    }
}
