//! Claims: what the rules found, with a status that says what backs it.
//!
//! A claim is **sourced** when a sentence it spans carries a citation that
//! resolves (in the document or in a source file) or an inline URL; it is
//! **attributed** when it is a quotation or allegation (or sits inside an
//! attributed quotation) whose speaker is a recognised name; otherwise it is
//! **unsourced**. Attributed claims are reported one severity lower.
//!
//! Finding the speaker, per sentence, outside quoted text:
//! - a reporting verb (`said`, `alleges`, `called`, `according to`, …) with
//!   a mention before it in the same clause (`Wilcox said`,
//!   `IRLI’s Matt O’Brien said`) or right after it (`said Wilcox`);
//! - `the investigation alleges`, where an earlier sentence introduced
//!   `an investigation from <name>` (source nouns are remembered per
//!   document);
//! - a quotation with no speaker of its own that opens a sentence right
//!   after an attributed quotation in the same paragraph continues it.
//!
//! The verbs and nouns are looked for where the scan found them
//! ([`Cue`]s, in the rule prefilter's walk over each paragraph), not by a
//! search of every sentence.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::config::{Config, RuleLevel};
use super::diagnostic::Severity;
use super::kb::EntityKind;
use super::literals::LiteralSet;
use super::names::lexicon::{Lexicon, MentionsOnDemand};
use super::names::{EntityRef, Mention};
use super::rules::{self, Quote, Quotes, RuleInput, WordRegex, quotation::SCARE_QUOTE_WORDS};
use super::sentences::{Segments, Sentence};
use super::text::{TextRange, floor_char_boundary};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Backed by a citation (its key) or an inline URL (`None`).
    Sourced {
        key: Option<String>,
    },
    /// Said by a recognised name (its name is the lexicon's: not kept
    /// here, a corpus holds many claims).
    Attributed {
        speaker: EntityRef,
    },
    Unsourced,
}

/// A claim. Sixty-four bytes (offsets as `u32`, as in its [`RuleHit`]): a
/// corpus keeps every claim of every document, about thirty a document.
#[derive(Clone, PartialEq, Eq)]
pub struct Claim {
    /// Rule id (built-in or custom).
    pub rule: RuleName,
    start: u32,
    end: u32,
    sentences_start: u32,
    sentences_end: u32,
    pub status: ClaimStatus,
    /// Severity after configuration and attribution.
    pub severity: Severity,
    pub suppressed: bool,
}

impl Claim {
    /// `None` when an offset does not fit in 32 bits (a document over
    /// 4 GiB, whose hits are dropped already).
    pub fn new(
        rule: RuleName,
        range: TextRange,
        sentences: TextRange,
        status: ClaimStatus,
        severity: Severity,
    ) -> Option<Claim> {
        let offset = |o: usize| u32::try_from(o).ok();
        Some(Claim {
            rule,
            start: offset(range.start)?,
            end: offset(range.end)?,
            sentences_start: offset(sentences.start)?,
            sentences_end: offset(sentences.end)?,
            status,
            severity,
            suppressed: false,
        })
    }

    /// What the rule found.
    pub fn range(&self) -> TextRange {
        self.start as usize..self.end as usize
    }

    /// The sentences the claim spans; a citation goes after them.
    pub fn sentences(&self) -> TextRange {
        self.sentences_start as usize..self.sentences_end as usize
    }

    /// What the rule says is missing: `{what} `{excerpt}` has no source:
    /// {help}`, or who it is attributed to. Written when asked for (a
    /// diagnostic is rendered), not kept: a corpus holds many claims.
    /// `text` is the document's text, `config` and `lexicon` the
    /// corpus's.
    pub fn message(&self, text: &str, config: &Config, lexicon: &Lexicon) -> String {
        let (what, help) = match self.rule.builtin() {
            Some(r) => (r.what, r.help),
            None => {
                let custom = config.custom_rules.iter().find(|c| *c.id == *self.rule);
                (custom.map_or("claim", |c| c.message.as_str()), CUSTOM_HELP)
            }
        };
        let excerpt = text.get(self.range()).unwrap_or("");
        let mut message = String::with_capacity(what.len() + 48 * 3 + 64);
        message.push_str(what);
        message.push_str(" `");
        push_excerpt(excerpt, &mut message);
        message.push('`');
        match &self.status {
            ClaimStatus::Attributed { speaker } => {
                message.push_str(" is attributed to ");
                message.push_str(lexicon.name(*speaker));
                message.push_str(" but has no source: cite where it was said with [^key]");
            }
            _ => {
                message.push_str(" has no source: ");
                message.push_str(help);
            }
        }
        message
    }
}

impl std::fmt::Debug for Claim {
    /// As the struct with public ranges printed (what tests compare).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim")
            .field("rule", &self.rule)
            .field("range", &self.range())
            .field("sentences", &self.sentences())
            .field("status", &self.status)
            .field("severity", &self.severity)
            .field("suppressed", &self.suppressed)
            .finish()
    }
}

/// A claim's rule: a built-in one, or a custom one by its id. Sixteen
/// bytes; reads as the id (`&*name`, `{name}`), and two are equal when
/// their ids are.
#[derive(Clone)]
pub enum RuleName {
    Builtin(&'static rules::Rule),
    Custom(Arc<str>),
}

impl RuleName {
    /// The built-in rule, if it is one.
    pub fn builtin(&self) -> Option<&'static rules::Rule> {
        match self {
            RuleName::Builtin(r) => Some(r),
            RuleName::Custom(_) => None,
        }
    }
}

impl PartialEq for RuleName {
    fn eq(&self, other: &RuleName) -> bool {
        **self == **other
    }
}

impl Eq for RuleName {}

impl std::ops::Deref for RuleName {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            RuleName::Builtin(r) => r.id,
            RuleName::Custom(id) => id,
        }
    }
}

impl std::fmt::Display for RuleName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for RuleName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl From<&RuleName> for Cow<'static, str> {
    fn from(name: &RuleName) -> Cow<'static, str> {
        match name {
            RuleName::Builtin(r) => Cow::Borrowed(r.id),
            RuleName::Custom(id) => Cow::Owned(id.to_string()),
        }
    }
}

/// What a custom rule's message ends with.
const CUSTOM_HELP: &str = "cite a source with [^key] in this sentence";

/// A rule's raw finding, before status. Sixteen bytes: a corpus keeps
/// every document's hits for re-resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleHit {
    start: u32,
    end: u32,
    rule: u32,
    paragraph: u32,
}

impl RuleHit {
    /// `rule`: index into `rules::builtin()`, or `builtin().len() + i` for
    /// custom rule `i`. `None` when a number does not fit in 32 bits (a
    /// document over 4 GiB).
    pub fn new(rule: usize, range: TextRange, paragraph: usize) -> Option<RuleHit> {
        Some(RuleHit {
            start: u32::try_from(range.start).ok()?,
            end: u32::try_from(range.end).ok()?,
            rule: u32::try_from(rule).ok()?,
            paragraph: u32::try_from(paragraph).ok()?,
        })
    }

    pub fn rule(&self) -> usize {
        self.rule as usize
    }

    pub fn range(&self) -> TextRange {
        self.start as usize..self.end as usize
    }

    pub fn paragraph(&self) -> usize {
        self.paragraph as usize
    }
}

/// Where a speaker cue ([`cue_words`]: a reporting verb or a source
/// noun) occurs, up to ASCII case and whole word or not: found by the
/// rule prefilter's walk over each paragraph, looked at by the speaker
/// search. Eight bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cue {
    start: u32,
    len: u16,
    word: u16,
}

impl Cue {
    /// `None` past 4 GiB (as [`RuleHit::new`]).
    pub fn new(range: TextRange, word: usize) -> Option<Cue> {
        Some(Cue {
            start: u32::try_from(range.start).ok()?,
            len: u16::try_from(range.len()).ok()?,
            word: u16::try_from(word).ok()?,
        })
    }

    pub fn range(&self) -> TextRange {
        self.start as usize..self.start as usize + self.len as usize
    }

    /// An index into [`cue_words`].
    pub fn word(&self) -> usize {
        self.word as usize
    }
}

/// Whether the occurrence of cue `word` (an index into [`cue_words`]) at
/// `range` of `text` is one the speaker search takes, `sentence` the
/// range of the sentence that holds it (whose ends count as non-word):
/// no word character right after it, and for a verb its exact case and no
/// word character right before it. The scan keeps only these (most
/// occurrences are inside longer words: `reporter`, `memorial`), and
/// [`cues`] takes them by the same test.
fn is_cue(text: &str, sentence: &TextRange, range: &TextRange, word: usize) -> bool {
    let glued_after = range.end < sentence.end && text[range.end..].chars().next().is_some_and(rules::is_word_char);
    if glued_after {
        return false;
    }
    match REPORTING_VERBS.get(word) {
        Some(verb) => {
            let glued_before = range.start > sentence.start
                && text[..range.start].chars().next_back().is_some_and(rules::is_word_char);
            !glued_before && text[range.clone()] == **verb
        }
        None => true,
    }
}

/// [`is_cue`] in whichever of `sentences` (in text order) holds `range`;
/// `false` when none does (the speaker search looks in sentences only).
fn is_cue_in_its_sentence(text: &str, sentences: &[Sentence], range: &TextRange, word: usize) -> bool {
    let i = sentences.partition_point(|s| s.range.end <= range.start);
    sentences.get(i).is_some_and(|s| {
        s.range.start <= range.start && range.end <= s.range.end && is_cue(text, &s.range, range, word)
    })
}

/// What [`find`] finds: the rule hits, sorted, the speaker cues, by end,
/// and for each paragraph searched, in order, whether it holds a
/// non-ASCII word character ([`rules::has_non_ascii_word`]; kept, so
/// that the attribution of claims need not ask again).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub hits: Vec<RuleHit>,
    pub cues: Vec<Cue>,
    pub unicode_words: Vec<bool>,
}

/// Quotations in a paragraph: curly `“…”` pairs (an unclosed one runs to
/// the paragraph's end) and straight `"…"` pairs.
pub fn quotes(text: &str, paragraph: TextRange) -> Vec<Quote> {
    let para = &text[paragraph.clone()];
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut straight: Option<usize> = None;
    // Only `"` and the bytes starting `“` and `”` (0xE2) can start a
    // quotation mark: skip to them, and decode only there.
    let bytes = para.as_bytes();
    let mut at = 0;
    while let Some(k) = memchr::memchr2(b'"', 0xE2, &bytes[at..]) {
        let i = at + k;
        let Some(c) = para[i..].chars().next() else { break };
        at = i + c.len_utf8();
        match c {
            '“' if open.is_none() => open = Some(i),
            '”' => {
                if let Some(s) = open.take() {
                    out.push(s..i + c.len_utf8());
                }
            }
            '"' if open.is_none() => match straight.take() {
                Some(s) => out.push(s..i + 1),
                None => straight = Some(i),
            },
            _ => {}
        }
    }
    if let Some(s) = open {
        out.push(s..para.len());
    }
    out.sort_by_key(|r| r.start);
    out.into_iter()
        .map(|r| Quote {
            words: para[r.clone()].split_whitespace().take(SCARE_QUOTE_WORDS + 1).count(),
            range: paragraph.start + r.start..paragraph.start + r.end,
        })
        .collect()
}

/// Runs every enabled rule over every paragraph, and finds the speaker
/// cues in the same walk as the rules' triggers.
pub fn find(text: &str, segments: &Segments, quotes: &Quotes, config: &Config) -> Found {
    let all = 0..segments.paragraphs.len();
    find_split(text, segments, quotes, config, super::halfway(text))
        .unwrap_or_else(|| find_in(text, segments, quotes, config, all))
}

/// [`find`] on two cores, the paragraphs before and from `at`.
fn find_split(text: &str, segments: &Segments, quotes: &Quotes, config: &Config, at: Option<usize>) -> Option<Found> {
    let at = at?;
    let k = segments.paragraphs.partition_point(|p| p.start < at);
    let n = segments.paragraphs.len();
    let (mut first, second) =
        rayon::join(|| find_in(text, segments, quotes, config, 0..k), || find_in(text, segments, quotes, config, k..n));
    // Each half is sorted and every hit and cue of the first lies before
    // the second's (their paragraphs do): together they are sorted too.
    first.hits.extend(second.hits);
    first.cues.extend(second.cues);
    first.unicode_words.extend(second.unicode_words);
    Some(first)
}

/// The rule hits (sorted) and speaker cues (by end) of paragraphs `range`.
pub(crate) fn find_in(
    text: &str,
    segments: &Segments,
    quotes: &Quotes,
    config: &Config,
    range: std::ops::Range<usize>,
) -> Found {
    let builtin = rules::builtin();
    let mut hits = Vec::new();
    let mut cues = Vec::new();
    let mut paragraph_words = Vec::with_capacity(range.len());
    let mut paragraph_cues = Vec::new();
    let mut ranges = Vec::new();
    let enabled: Vec<bool> =
        builtin.iter().map(|rule| config.level(rule.id, rule.default_severity) != RuleLevel::Off).collect();
    for (p, paragraph) in segments.paragraphs.iter().enumerate().skip(range.start).take(range.len()) {
        let para = &text[paragraph.clone()];
        let unicode_words = rules::has_non_ascii_word(para);
        paragraph_words.push(unicode_words);
        let twin = if unicode_words { rules::ascii_twin(para) } else { None };
        let input = RuleInput {
            text,
            paragraph: paragraph.clone(),
            quotes: quotes.of(p),
            markers: &config.markers,
            unicode_words,
            ascii_twin: twin.as_deref(),
        };
        // Rules none of whose trigger words occur cannot match here.
        paragraph_cues.clear();
        let mask = rules::trigger_mask_and_cues(para, unicode_words, &mut paragraph_cues);
        let sentences = segments.of_paragraph(p);
        cues.extend(
            paragraph_cues
                .iter()
                .map(|&(start, end, word)| (paragraph.start + start..paragraph.start + end, word))
                .filter(|(range, word)| is_cue_in_its_sentence(text, sentences, range, *word))
                .filter_map(|(range, word)| Cue::new(range, word)),
        );
        for (r, rule) in builtin.iter().enumerate() {
            if mask & (1 << r) == 0 || !enabled[r] {
                continue;
            }
            ranges.clear();
            (rule.find)(&input, &mut ranges);
            hits.extend(ranges.drain(..).filter_map(|range| RuleHit::new(r, range, p)));
        }
        for (c, custom) in config.custom_rules.iter().enumerate() {
            if config.rules.get(&*custom.id) == Some(&RuleLevel::Off) {
                continue;
            }
            for m in custom.regex.find_iter(&text[paragraph.clone()]) {
                if m.is_empty() {
                    continue;
                }
                let range = paragraph.start + m.start()..paragraph.start + m.end();
                hits.extend(RuleHit::new(builtin.len() + c, range, p));
            }
        }
    }
    hits.sort_by_key(|h| (h.start, h.rule));
    Found { hits, cues, unicode_words: paragraph_words }
}

/// What a claim's status depends on besides the text.
pub struct ClaimContext<'a> {
    pub text: &'a str,
    pub segments: &'a Segments,
    pub quotes: &'a Quotes,
    /// The speaker cues, by end ([`find`]).
    pub cues: &'a [Cue],
    pub lexicon: &'a Lexicon,
    pub config: &'a Config,
    /// Citation ranges whose key resolves, with the key.
    pub resolved_citations: &'a [(TextRange, String)],
    pub urls: &'a [TextRange],
    /// Per paragraph, whether it holds a non-ASCII word character
    /// ([`Scan::unicode_words`](super::Scan::unicode_words)).
    pub unicode_words: &'a [bool],
}

/// The reporting verbs, matched case-sensitively as whole words.
const REPORTING_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "wrote",
    "writes",
    "stated",
    "states",
    "added",
    "adds",
    "argued",
    "argues",
    "called",
    "calls",
    "asked",
    "asks",
    "explained",
    "explains",
    "noted",
    "notes",
    "claimed",
    "claims",
    "alleged",
    "alleges",
    "suggests",
    "suggested",
    "testified",
    "tweeted",
    "posted",
    "warned",
    "warns",
    "insisted",
    "insists",
    "contends",
    "contended",
    "maintains",
    "maintained",
    "acknowledged",
    "conceded",
    "concluded",
    "concludes",
    "found",
    "finds",
    "reported",
    "reports",
    "announced",
    "declared",
    "replied",
    "responded",
    "according to",
    "accused",
    "accuses",
];

static SOURCE_NOUN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(r"(?i)\b(?:an?|the|this|its|their|his|her)\s+(?:new\s+|recent\s+)?(investigation|report|study|analysis|audit|survey|poll|review|lawsuit|complaint|probe|memo|letter|filing|statement|indictment|ruling)\b").expect("source noun regex")
});

/// The nouns of [`SOURCE_NOUN`].
const SOURCE_NOUNS: &[&str] = &[
    "investigation",
    "report",
    "study",
    "analysis",
    "audit",
    "survey",
    "poll",
    "review",
    "lawsuit",
    "complaint",
    "probe",
    "memo",
    "letter",
    "filing",
    "statement",
    "indictment",
    "ruling",
];

/// The speaker cues: the reporting verbs (word `i` is verb `i`), then
/// the source nouns.
pub fn cue_words() -> impl Iterator<Item = &'static str> {
    REPORTING_VERBS.iter().chain(SOURCE_NOUNS).copied()
}

/// What the speaker search looks for in a sentence, in one literal
/// automaton: [`REPORTING_VERBS`] (literal `i` is verb `i`), then
/// [`SOURCE_NOUNS`]; ASCII-case-insensitive, all occurrences (overlapping,
/// so none hides a whole-word one).
static CUES: LazyLock<LiteralSet> =
    LazyLock::new(|| LiteralSet::new(cue_words().map(|w| (w, 0))).expect("speaker cue automaton"));

/// What one pass of [`CUES`] found in a sentence.
#[derive(Default)]
struct Cues {
    /// The reporting verbs, in text order, with their word.
    verbs: Vec<(usize, usize, &'static str)>,
    /// The source nouns that end a word, `(start, end)`, by end: a match
    /// of [`SOURCE_NOUN`] ends with one of them…
    nouns: Vec<(usize, usize)>,
    /// … unless Unicode case folding is at play (`ſ`, `K`: see
    /// [`rules::has_unicode_only_fold`]).
    fold: bool,
}

impl Cues {
    /// Whether [`SOURCE_NOUN`] may match.
    fn noun(&self) -> bool {
        self.fold || !self.nouns.is_empty()
    }
}

/// Finds the cues of `sentence` (`unicode_words` as for it) into `out`,
/// from `occurrences`: those of [`CUES`] in it, as
/// [`LiteralSet::occurrences`] gives them, offsets into the sentence.
///
/// The verbs are the matches of `\b(?:said|says|…|according to|…)\b`
/// (case-sensitive, Unicode `\b`, the sentence's ends count as non-word):
/// every verb is letters (`according to` letters, a space and letters),
/// so two whole-word occurrences never overlap and at most one verb is a
/// whole word at a position; the regex's leftmost-first matches are then
/// exactly the whole-word, same-case occurrences.
///
/// The nouns are exact as a filter: a match of [`SOURCE_NOUN`] ends with
/// a noun followed by a non-word character, equal to it up to ASCII case
/// unless Unicode case folding is at play.
fn cues(sentence: &str, unicode_words: bool, occurrences: impl Iterator<Item = (usize, usize, usize)>, out: &mut Cues) {
    out.verbs.clear();
    out.nouns.clear();
    out.fold = unicode_words && rules::has_unicode_only_fold(sentence);
    let whole = 0..sentence.len();
    for (start, end, literal) in occurrences {
        if !is_cue(sentence, &whole, &(start..end), literal) {
            continue;
        }
        match REPORTING_VERBS.get(literal) {
            Some(verb) => out.verbs.push((start, end, verb)),
            None => out.nouns.push((start, end)),
        }
    }
    // Occurrences come in order of their ends.
    out.verbs.sort_unstable_by_key(|v| v.0);
    out.nouns.dedup_by_key(|n| n.1);
}

/// [`cues`] with the occurrences found in `sentence` itself.
fn cues_of(sentence: &str, unicode_words: bool, out: &mut Cues) {
    let mut occurrences = Vec::new();
    CUES.occurrences(sentence.as_bytes(), &mut occurrences);
    cues(sentence, unicode_words, occurrences.into_iter(), out);
}

/// The cues that lie in `within`, as occurrences of [`CUES`] in
/// `text[within]` ([`cues`]' input): `cues` are those of the paragraph
/// that holds `within`, or of all paragraphs, by end.
fn cues_within(cues: &[Cue], within: &TextRange) -> impl Iterator<Item = (usize, usize, usize)> {
    let lo = cues.partition_point(|c| c.range().end <= within.start);
    let hi = cues.partition_point(|c| c.range().end <= within.end);
    let from = within.start;
    cues[lo..hi].iter().filter(move |c| c.range().start >= from).map(move |c| {
        let r = c.range();
        (r.start - from, r.end - from, c.word())
    })
}

/// The matches of `re` (a variant of [`SOURCE_NOUN`]) in `sentence`, as
/// `re.find_iter` finds them, searched only just before the nouns of
/// `cues`: `(start, end)` into `out`.
///
/// Exact: matches (`det \s+ [new|recent \s+] noun \b`) never overlap and
/// at most one starts at a position, so `find_iter` finds every position
/// where the pattern matches. One ending at a noun starts at most two
/// ASCII words before it ([`noun_window_start`]); it is searched in the
/// text up to the noun's end, where `\b` holds as in the whole sentence
/// (a non-word character follows the noun). Where case folding is at
/// play, the whole sentence is searched.
fn source_noun_matches(re: &regex::Regex, sentence: &str, cues: &Cues, out: &mut Vec<(usize, usize)>) {
    out.clear();
    if cues.fold {
        out.extend(re.find_iter(sentence).map(|m| (m.start(), m.end())));
        return;
    }
    for &(noun_start, noun_end) in &cues.nouns {
        let upto = &sentence[..noun_end];
        let mut at = noun_window_start(upto.as_bytes(), noun_start);
        while let Some(m) = re.find_at(upto, at) {
            if m.end() == noun_end {
                out.push((m.start(), m.end()));
                break;
            }
            at = m.end();
        }
    }
}

/// The start of the second run of ASCII letters before `at`: where a
/// [`SOURCE_NOUN`] match ending with the noun at `at` starts at the
/// earliest (its determiner, or `new`/`recent`, is ASCII letters after
/// whitespace or a non-word character).
fn noun_window_start(bytes: &[u8], at: usize) -> usize {
    let mut i = at;
    for _ in 0..2 {
        while i > 0 && !bytes[i - 1].is_ascii_alphabetic() {
            i -= 1;
        }
        while i > 0 && bytes[i - 1].is_ascii_alphabetic() {
            i -= 1;
        }
    }
    i
}

/// Computes every claim's status and severity.
pub fn resolve(ctx: &ClaimContext, hits: &[RuleHit], mentions: &mut SentenceMentions) -> Vec<Claim> {
    let builtin = rules::builtin();
    let speakers = Speakers::find(ctx, mentions);
    let mut claims = Vec::with_capacity(hits.len());
    for hit in hits {
        let range = hit.range();
        let (id, default, attributable) = match builtin.get(hit.rule()) {
            Some(r) => (RuleName::Builtin(r), r.default_severity, r.attributable),
            None => {
                let Some(c) = ctx.config.custom_rules.get(hit.rule() - builtin.len()) else { continue };
                (RuleName::Custom(c.id.clone()), c.severity, false)
            }
        };
        let severity = match ctx.config.level(&id, default) {
            RuleLevel::Off => continue,
            RuleLevel::On(s) => s,
        };
        let Some(first) = ctx.segments.sentence_at(range.start) else { continue };
        let last = ctx.segments.sentence_at(range.end.saturating_sub(1)).unwrap_or(first).max(first);
        let sentences = ctx.segments.sentences[first].range.start..ctx.segments.sentences[last].range.end;
        let quote = ctx.quotes.of(hit.paragraph()).iter().find(|q| q.range == range);
        let is_quotation = &*id == "quotation";
        let status = if let Some((_, key)) =
            ctx.resolved_citations.iter().find(|(r, _)| sentences.start <= r.start && r.end <= sentences.end)
        {
            ClaimStatus::Sourced { key: Some(key.clone()) }
        } else if ctx.urls.iter().any(|r| sentences.start <= r.start && r.end <= sentences.end) {
            ClaimStatus::Sourced { key: None }
        } else {
            let speaker = if attributable { speakers.for_claim(&range, first..=last, is_quotation) } else { None };
            let speaker = speaker.or_else(|| speakers.of_enclosing_quote(&range));
            match speaker {
                Some(s) => ClaimStatus::Attributed { speaker: s },
                None => ClaimStatus::Unsourced,
            }
        };
        if is_quotation && status == ClaimStatus::Unsourced && quote.is_some_and(|q| q.words <= SCARE_QUOTE_WORDS) {
            continue; // scare quotes
        }
        let severity = match &status {
            ClaimStatus::Attributed { .. } => severity.lowered(),
            _ => severity,
        };
        claims.extend(Claim::new(id, range, sentences, status, severity));
    }
    claims
}

/// The mentions the speaker search reads, a sentence at a time.
pub enum SentenceMentions<'m, 'a> {
    /// Every mention of the document, in text order.
    All(&'m [Mention]),
    /// Searched as the sentences ask (`factls check`, which keeps no
    /// other).
    OnDemand(&'m mut MentionsOnDemand<'a>),
}

impl SentenceMentions<'_, '_> {
    /// Mentions in text order, among them every one that starts in
    /// `sentence` (sentences are asked for in text order).
    fn around(&mut self, sentence: &TextRange) -> &[Mention] {
        match self {
            SentenceMentions::All(all) => all,
            SentenceMentions::OnDemand(search) => search.cover(sentence.clone()),
        }
    }
}

/// Speakers found per sentence and per quotation.
struct Speakers {
    /// (reporting-verb range, speaker), in text order.
    verbs: Vec<(TextRange, EntityRef, usize)>,
    /// Quotations with their speaker.
    quotes: Vec<(TextRange, EntityRef)>,
}

impl Speakers {
    fn find(ctx: &ClaimContext, sentence_mentions: &mut SentenceMentions) -> Speakers {
        let mut verbs = Vec::new();
        let mut nouns: HashMap<String, EntityRef> = HashMap::new();
        let all_quotes = ctx.quotes.all();
        // Buffers reused from sentence to sentence.
        let mut mentions: Vec<Mention> = Vec::new();
        let mut found = Cues::default();
        let mut noun_matches = Vec::new();
        // The paragraph last seen: its index, and whether it holds a
        // non-ASCII word character.
        let mut paragraph_seen: Option<usize> = None;
        let mut paragraph_words = false;
        // Quotations do not overlap and are in text order: binary search.
        let in_quote = |at: usize| {
            let i = all_quotes.partition_point(|q| q.range.start < at);
            i > 0 && at < all_quotes[i - 1].range.end
        };
        let speaker_kind = |e: EntityRef| {
            matches!(ctx.lexicon.kind(e), EntityKind::Person | EntityKind::Organization | EntityKind::Other)
        };
        for (s, sentence) in ctx.segments.sentences.iter().enumerate() {
            let range = sentence.range.clone();
            let sentence_text = &ctx.text[range.clone()];
            // A sentence lies in its paragraph: where the paragraph holds
            // no non-ASCII word character, the sentence holds none either.
            let paragraph = ctx
                .segments
                .paragraphs
                .get(sentence.paragraph)
                .filter(|p| p.start <= range.start && range.end <= p.end);
            let unicode_words = match paragraph {
                Some(p) => {
                    if paragraph_seen != Some(sentence.paragraph) {
                        paragraph_seen = Some(sentence.paragraph);
                        paragraph_words = match ctx.unicode_words.get(sentence.paragraph) {
                            Some(&known) => known,
                            None => rules::has_non_ascii_word(&ctx.text[p.clone()]),
                        };
                    }
                    let unicode_words = paragraph_words && rules::has_non_ascii_word(sentence_text);
                    // The prefilter found the cues of the paragraph, so of
                    // the sentence in it.
                    cues(sentence_text, unicode_words, cues_within(ctx.cues, &range), &mut found);
                    unicode_words
                }
                None => {
                    let unicode_words = rules::has_non_ascii_word(sentence_text);
                    cues_of(sentence_text, unicode_words, &mut found);
                    unicode_words
                }
            };
            if found.verbs.is_empty() && !found.noun() {
                continue; // nothing to attribute or remember here
            }
            // Mentions are in text order (`Lexicon::mentions`), so a
            // sentence's are one slice: no scan of the whole document per
            // sentence (quadratic on a 10 MB document).
            let around = sentence_mentions.around(&range);
            let lo = around.partition_point(|m| m.start() < range.start);
            let hi = lo + around[lo..].partition_point(|m| m.start() < range.end);
            mentions.clear();
            mentions.extend(
                around[lo..hi]
                    .iter()
                    .filter(|m| m.end() <= range.end && !in_quote(m.start()))
                    .filter(|m| speaker_kind(m.entity())),
            );
            // Remember `an investigation from <name>`.
            let source_noun = SOURCE_NOUN.pick(unicode_words);
            // Groups only for the matches: the match at `whole_start` is
            // the same match again.
            source_noun_matches(source_noun, sentence_text, &found, &mut noun_matches);
            for &(whole_start, whole_end) in &noun_matches {
                let after = range.start + whole_end;
                let window = range.start + (whole_end + 60).min(sentence_text.len());
                let by = &sentence_text[whole_end..floor_char_boundary(sentence_text, whole_end + 20)];
                let introduces = ["from", "by", "of", "published", "conducted", "commissioned"]
                    .iter()
                    .any(|w| by.trim_start().starts_with(w));
                // The noun group only for a source that is remembered.
                if introduces
                    && let Some(m) = mentions.iter().find(|m| m.start() >= after && m.start() < window)
                    && let Some(c) = source_noun.captures_at(sentence_text, whole_start)
                    && let Some(noun) = c.get(1)
                {
                    nouns.insert(noun.as_str().to_lowercase(), m.entity());
                }
            }
            for &(start, end, word) in &found.verbs {
                let verb = range.start + start..range.start + end;
                if in_quote(verb.start) {
                    continue;
                }
                let speaker = subject_by_noun(ctx.text, range.start, verb.start, &nouns)
                    .or_else(|| subject_before(ctx.text, range.start, verb.start, &mentions, all_quotes))
                    .or_else(|| subject_after(ctx.text, verb.end, range.end, &mentions, word));
                if let Some(sp) = speaker {
                    verbs.push((verb, sp, s));
                }
            }
        }
        // Quotations: a speaker in their sentences, or continuation.
        let mut quotes = Vec::new();
        for p in 0..ctx.quotes.paragraphs() {
            let qs = ctx.quotes.of(p);
            let mut previous: Option<EntityRef> = None;
            for q in qs {
                let Some(first) = ctx.segments.sentence_at(q.range.start) else { continue };
                let last = ctx.segments.sentence_at(q.range.end.saturating_sub(1)).unwrap_or(first).max(first);
                // Verbs are in sentence order.
                let v = verbs.partition_point(|(_, _, s)| *s < first);
                let own = verbs.get(v).filter(|(_, _, s)| *s <= last).map(|(_, sp, _)| *sp);
                let opens_sentence = ctx.segments.sentences[first].range.start == q.range.start;
                let speaker = own.or(if opens_sentence { previous } else { None });
                if let Some(sp) = speaker {
                    quotes.push((q.range.clone(), sp));
                }
                previous = speaker.filter(|_| ctx.segments.sentences[last].paragraph == p);
            }
        }
        Speakers { verbs, quotes }
    }

    fn for_claim(
        &self,
        claim: &TextRange,
        sentences: std::ops::RangeInclusive<usize>,
        is_quotation: bool,
    ) -> Option<EntityRef> {
        // Quotes and verbs are in text order: binary searches, so a long
        // paragraph of claims is not quadratic.
        if is_quotation {
            let i = self.quotes.partition_point(|(r, _)| r.start < claim.start);
            return self.quotes.get(i).filter(|(r, _)| r == claim).map(|(_, s)| *s);
        }
        // The reporting verb that is the claim, else the nearest one in its sentences.
        let i = self.verbs.partition_point(|(v, _, _)| v.end <= claim.start);
        if let Some((v, s, _)) = self.verbs.get(i)
            && v.start < claim.end
        {
            return Some(*s);
        }
        let lo = self.verbs.partition_point(|(_, _, s)| s < sentences.start());
        let hi = self.verbs.partition_point(|(_, _, s)| s <= sentences.end());
        self.verbs[lo..hi].iter().min_by_key(|(v, _, _)| v.start.abs_diff(claim.start)).map(|(_, s, _)| *s)
    }

    fn of_enclosing_quote(&self, claim: &TextRange) -> Option<EntityRef> {
        // The last quote starting at or before the claim is the only one
        // that can enclose it (quotes do not overlap).
        let i = self.quotes.partition_point(|(r, _)| r.start <= claim.start);
        let (r, s) = self.quotes.get(i.checked_sub(1)?)?;
        (claim.end <= r.end && r != claim).then_some(*s)
    }
}

/// `the investigation alleges`: a remembered source noun just before the verb.
fn subject_by_noun(
    text: &str,
    sentence_start: usize,
    verb: usize,
    nouns: &HashMap<String, EntityRef>,
) -> Option<EntityRef> {
    let before = &text[sentence_start..verb];
    let words: Vec<&str> = before.split_whitespace().rev().take(2).collect();
    match words.as_slice() {
        [noun, det] if ["the", "this", "that", "its"].contains(&det.to_lowercase().as_str()) => {
            nouns.get(&noun.to_lowercase()).copied()
        }
        _ => None,
    }
}

/// The nearest mention before the verb in the same clause: no quotation,
/// semicolon or colon in between, at most twelve words away.
fn subject_before(
    text: &str,
    sentence_start: usize,
    verb: usize,
    mentions: &[Mention],
    quotes: &[Quote],
) -> Option<EntityRef> {
    // The nearest mention before the verb; an earlier one could only be
    // farther and behind the same boundaries.
    let i = mentions.partition_point(|m| m.end() <= verb);
    let m = mentions.get(i.checked_sub(1)?)?;
    if m.start() < sentence_start || text[m.end()..verb].split_whitespace().take(13).count() > 12 {
        return None;
    }
    // No quotation ends, and no `;` or `:` stands, between it and the verb.
    let q = quotes.partition_point(|q| q.range.end <= verb);
    let quote_between = q > 0 && quotes[q - 1].range.end > m.start();
    if quote_between || text[m.start()..verb].contains([';', ':']) {
        return None;
    }
    Some(m.entity())
}

/// `said Wilcox`, `according to IRLI`: a mention right after the verb.
fn subject_after(
    text: &str,
    verb_end: usize,
    sentence_end: usize,
    mentions: &[Mention],
    verb: &str,
) -> Option<EntityRef> {
    let reach = if verb == "according to" { 6 } else { 3 };
    if !["said", "says", "told", "wrote", "added", "asked", "according to", "argued", "noted", "explained"]
        .contains(&verb)
    {
        return None;
    }
    let i = mentions.partition_point(|m| m.start() < verb_end);
    let m = mentions.get(i)?;
    let near = m.end() <= sentence_end && text[verb_end..m.start()].split_whitespace().take(reach + 1).count() <= reach;
    near.then_some(m.entity())
}

/// Appends `s` with its whitespace runs made single spaces (and trimmed),
/// cut to 45 characters and `…` when longer than 48.
///
/// Word by word, each pushed whole: only the words up to the 49th
/// character are read (a quotation runs to hundreds). ASCII text is split
/// by bytes (`split_ascii_whitespace` leaves out the vertical tab, which
/// `split_whitespace` splits at).
fn push_excerpt(s: &str, out: &mut String) {
    if s.is_ascii() && !s.contains('\x0B') {
        push_words(s.split_ascii_whitespace(), out);
    } else {
        push_words(s.split_whitespace(), out);
    }
}

/// [`push_excerpt`] of the text whose words are `words`.
fn push_words<'a>(words: impl Iterator<Item = &'a str>, out: &mut String) {
    let start = out.len();
    // Characters written so far (at most 48 between words).
    let mut chars = 0;
    for word in words {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        let n = char_count(word);
        if chars + n <= 48 {
            out.push_str(word);
            chars += n;
            continue;
        }
        // Longer than 48: the first 45 characters, trimmed, and `…`.
        if chars < 45 {
            let take = word.char_indices().nth(45 - chars).map_or(word.len(), |(i, _)| i);
            out.push_str(&word[..take]);
        } else {
            let cut = out[start..].char_indices().nth(45).map_or(out.len(), |(i, _)| start + i);
            out.truncate(cut);
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('…');
        return;
    }
}

/// The characters of `s`: its bytes but UTF-8 continuation bytes. (For
/// words a few bytes long, `chars().count()` cost 5 M more instructions
/// at seeds 1,000.)
fn char_count(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.bytes().filter(|&b| (b as i8) >= -0x40).count() }
}

#[cfg(test)]
fn excerpt(s: &str) -> String {
    let mut out = String::new();
    push_excerpt(s, &mut out);
    out
}

/// The excerpt as first written, for comparison with [`push_excerpt`].
#[cfg(test)]
fn excerpt_by_collecting(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 48 {
        flat
    } else {
        let head: String = flat.chars().take(45).collect();
        format!("{}…", head.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_pack_into_sixty_four_bytes_and_keep_what_they_say() {
        assert_eq!(std::mem::size_of::<RuleName>(), 16);
        assert_eq!(std::mem::size_of::<Claim>(), 64);
        let builtin = rules::find_rule("money-figure").expect("a built-in rule");
        let status = ClaimStatus::Attributed { speaker: EntityRef::Kb(3) };
        let c = Claim::new(RuleName::Builtin(builtin), 7..19, 0..40, status.clone(), Severity::Warning).expect("fits");
        assert_eq!(
            (c.range(), c.sentences(), &*c.rule, c.rule.to_string()),
            (7..19, 0..40, "money-figure", "money-figure".to_string())
        );
        assert_eq!((c.status, c.severity, c.suppressed), (status, Severity::Warning, false));
        assert_eq!(c.rule.builtin().map(|r| r.id), Some("money-figure"));
        // A custom rule reads as its id, and equals another name with that id.
        let custom = RuleName::Custom(Arc::from("house-style"));
        assert_eq!(
            (&*custom, custom.builtin().is_none(), format!("{custom:?}")),
            ("house-style", true, "\"house-style\"".to_string())
        );
        assert_eq!(Cow::from(&custom), Cow::<str>::Owned("house-style".into()));
        assert!(matches!(Cow::from(&RuleName::Builtin(builtin)), Cow::Borrowed("money-figure")));
        assert_eq!(RuleName::Custom(Arc::from("money-figure")), RuleName::Builtin(builtin));
        // Past 4 GiB there is no claim (its hit was dropped already).
        let far = u32::MAX as usize + 1;
        assert!(Claim::new(custom, far..far + 1, 0..1, ClaimStatus::Unsourced, Severity::Hint).is_none());
    }

    #[test]
    fn quotes_pair_up_and_unclosed_ones_run_to_the_end() {
        let text = "“One,” he said. \"Two words\" and “three";
        let got: Vec<&str> = quotes(text, 0..text.len()).iter().map(|q| &text[q.range.clone()]).collect();
        assert_eq!(got, vec!["“One,”", "\"Two words\"", "“three"]);
    }

    #[test]
    fn long_excerpts_are_shortened() {
        assert_eq!(excerpt("nearly $1.7 million"), "nearly $1.7 million");
        assert_eq!(excerpt(&"word ".repeat(20)).chars().count(), 45);
    }

    /// The reporting-verb regex the literal search replaces.
    static REPORTING_REGEX: LazyLock<WordRegex> =
        LazyLock::new(|| WordRegex::new(&format!(r"\b(?:{})\b", REPORTING_VERBS.join("|"))).expect("reporting regex"));

    fn verbs_by_regex(h: &str) -> Vec<(usize, usize, &str)> {
        REPORTING_REGEX.find_iter(h).map(|m| (m.start(), m.end(), m.as_str())).collect()
    }

    fn verbs_by_literals(h: &str) -> Vec<(usize, usize, &str)> {
        let mut out = Cues::default();
        cues_of(h, rules::has_non_ascii_word(h), &mut out);
        out.verbs
    }

    /// The cues the rule prefilter finds, cut to each sentence, are the
    /// sentence's own: the speaker search takes them from there.
    #[test]
    fn the_prefilters_cues_cut_to_a_sentence_are_the_sentences_own() {
        let seed = include_str!("../../seeds/000_16a33d4f32bdc8d1.txt");
        let text = format!(
            "{seed}\n\nHe said: “They reported it.” The report says so, according to Reuters. A reporter Said so.Said"
        );
        let segments = super::super::sentences::segment(&text, &super::super::source::non_prose(&text));
        let quotes: Quotes = segments.paragraphs.iter().map(|p| quotes(&text, p.clone())).collect();
        let found = find(&text, &segments, &quotes, &Config::default());
        let mut checked = 0;
        for sentence in &segments.sentences {
            let h = &text[sentence.range.clone()];
            let unicode_words = rules::has_non_ascii_word(h);
            let (mut cut, mut own) = (Cues::default(), Cues::default());
            cues(h, unicode_words, cues_within(&found.cues, &sentence.range), &mut cut);
            cues_of(h, unicode_words, &mut own);
            assert_eq!((&cut.verbs, &cut.nouns, cut.fold), (&own.verbs, &own.nouns, own.fold), "{h:?}");
            checked += own.verbs.len() + own.nouns.len();
        }
        // Occurrences inside longer words are not kept.
        assert!(!found.cues.iter().any(|c| text[c.range().end..].starts_with("er")), "reporter");
        assert!(checked >= 8, "only {checked} cues in the seed");
        assert!(found.cues.windows(2).all(|w| w[0].range().end <= w[1].range().end), "by end");
    }

    /// Whether the cues let a sentence where [`SOURCE_NOUN`] matches through.
    fn check_noun_filter(h: &str) {
        let mut out = Cues::default();
        cues_of(h, rules::has_non_ascii_word(h), &mut out);
        assert!(out.noun() || !SOURCE_NOUN.is_match(h), "{h:?}");
        let re = SOURCE_NOUN.get(h);
        let mut got = Vec::new();
        source_noun_matches(re, h, &out, &mut got);
        let want: Vec<(usize, usize)> = re.find_iter(h).map(|m| (m.start(), m.end())).collect();
        assert_eq!(got, want, "{h:?}");
    }

    #[test]
    fn the_noun_filter_lets_source_nouns_through() {
        for h in [
            "An investigation from ProPublica",
            "the REPORT, this Study; its new ſtudy",
            "a review’s end",
            "the report_ and the reported story",
            "their recent \u{212A}probe",
        ] {
            check_noun_filter(h);
        }
        check_noun_filter("The report: a new  study, the the report; its\u{a0}recent\tprobe and their memo-ruling");
        check_noun_filter("Reports say the report. Its letter, an Analysis, the new new report, a recent study’s end");
        let mut out = Cues::default();
        cues_of("It was reported, and reports came in.", false, &mut out);
        assert!(!out.noun());
    }

    #[test]
    fn reporting_verbs_are_whole_words() {
        for h in [
            "He said, says, say and according to; unsaid saidó ósaid said_ 2said says’ “said” according to",
            "saysay sayssays according  to according to_ Said SAID said",
            "",
        ] {
            assert_eq!(verbs_by_literals(h), verbs_by_regex(h), "{h}");
        }
    }

    const VERB_VOCAB: &[&str] = &[
        "said",
        "says",
        "say",
        "according",
        "to",
        "according to",
        "un",
        "s",
        "ó",
        "é",
        "_",
        "1",
        " ",
        " ",
        "’",
        "—",
        "“",
        "finds",
        "found",
        "notes",
        "claimed",
        "alleges",
        "Said",
        "x",
        "\u{300}",
        "٣",
        "the",
        "a",
        "new",
        "report",
        "REPORT",
        "reported",
        "study",
        "ſtudy",
        "Reports",
        "recent",
        "its",
        "An",
        "memo",
        "-",
        ".",
        "\u{a0}",
    ];

    proptest::proptest! {
        #[test]
        fn the_literal_search_finds_what_the_regex_finds(words in proptest::collection::vec(proptest::sample::select(VERB_VOCAB), 0..16)) {
            let h = words.concat();
            proptest::prop_assert_eq!(verbs_by_literals(&h), verbs_by_regex(&h));
            check_noun_filter(&h);
            check_noun_filter(&words.join(" "));
        }

        #[test]
        fn the_excerpt_is_the_collected_one(s in "[a-z \t\n\u{b}\u{c}\u{a0}\u{2003}óé’—]{0,80}") {
            proptest::prop_assert_eq!(excerpt(&s), excerpt_by_collecting(&s));
        }

        /// ASCII text, split by bytes: the vertical tab too.
        #[test]
        fn an_ascii_excerpt_is_the_collected_one(s in "[a-z \t\n\r\u{b}\u{c}]{0,80}") {
            proptest::prop_assert_eq!(excerpt(&s), excerpt_by_collecting(&s));
        }

        #[test]
        fn a_plain_excerpt_is_the_collected_one(s in "[a-z$%,.]{1,9}( [a-z0-9]{1,9}){0,10}") {
            proptest::prop_assert_eq!(excerpt(&s), excerpt_by_collecting(&s));
        }

        /// Around the 49th character, where an excerpt is cut or not.
        #[test]
        fn an_excerpt_past_49_bytes_is_the_collected_one(
            head in "[a-z]{44}[a-z ]{4}", at_49 in "[a-z ]", tail in "[a-z \t\u{a0}é’]{0,6}"
        ) {
            let s = format!("{head}{at_49}{tail}");
            proptest::prop_assert_eq!(excerpt(&s), excerpt_by_collecting(&s));
        }
    }
}
