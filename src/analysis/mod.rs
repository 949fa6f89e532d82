//! The pure analysis: text, knowledge base and configuration in; names,
//! citations, claims and diagnostics out. No IO, no async, no protocol.
//!
//! A document is analysed in two steps so the corpus index can redo one
//! document without touching the rest:
//! - [`scan`] needs only the document, the knowledge base's forms and the
//!   configuration: structure (header, paragraphs, sentences), discovered
//!   names, citations, rule hits and the speaker cues found with them,
//!   suppressions;
//! - [`resolve`] adds what depends on the corpus: mentions (through the
//!   corpus lexicon), which citation keys resolve, and so each claim's
//!   status and the document's diagnostics.
//!
//! Start reading at [`analyze`], which does both for one document.

pub mod chars;
pub mod citations;
pub mod claims;
pub mod config;
pub mod diagnostic;
pub mod incremental;
pub mod kb;
pub mod literals;
pub mod names;
pub mod rules;
pub mod sentences;
pub mod source;
pub mod suppress;
pub mod text;

use std::collections::HashSet;
use std::sync::Arc;

use citations::{CitationUse, Sources};
use claims::{Claim, ClaimContext, ClaimStatus, Cue, RuleHit, SentenceMentions};
use config::{Config, RuleLevel};
use diagnostic::{Diagnostic, DiagnosticData, Severity};
use names::Mention;
use names::discover::{Discovery, discover};
use names::lexicon::Lexicon;
use rules::Quotes;
use sentences::Segments;
use source::{DateHeader, Definition};
use suppress::Suppression;
use text::{LineIndex, TextRange};

/// Everything about one document that depends on it alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub header: Option<DateHeader>,
    pub non_prose: Vec<TextRange>,
    pub segments: Segments,
    pub discovery: Discovery,
    pub citations: Vec<CitationUse>,
    pub definitions: Vec<Definition>,
    pub urls: Vec<TextRange>,
    pub quotes: Quotes,
    pub hits: Vec<RuleHit>,
    /// Where the speaker cues occur, found with the rule hits.
    pub cues: Vec<Cue>,
    /// Per paragraph, whether it holds a non-ASCII word character: found
    /// with the rule hits, read again when claims are attributed.
    pub unicode_words: Vec<bool>,
    pub suppressions: Vec<Suppression>,
}

/// A document fully analysed against a corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    pub scan: Scan,
    /// The document's mentions, in text order: every one, but where it was
    /// resolved for `factls check` ([`MentionScope::Claims`]), which keeps
    /// only those of the sentences where a speaker was looked for.
    pub mentions: Vec<Mention>,
    pub claims: Vec<Claim>,
    /// The diagnostics that are not claims (citations, source
    /// definitions), in the order found. [`Analysis::diagnostics`] has
    /// them all.
    pub checks: Vec<Diagnostic>,
    /// The [`Lexicon::generation`] the mentions were found with.
    pub forms: u64,
}

impl Analysis {
    /// Every diagnostic of the document, sorted by range: one per claim
    /// that is neither sourced nor suppressed, and the citation and source
    /// checks. Built on demand from the document's `text` and the corpus's
    /// `config` and `lexicon`, so no message is kept for long.
    pub fn diagnostics(&self, text: &str, config: &Config, lexicon: &Lexicon) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .claims
            .iter()
            .filter(|c| !c.suppressed && !matches!(c.status, ClaimStatus::Sourced { .. }))
            .map(|c| {
                let mut d = Diagnostic::new(c.range(), c.severity, &c.rule, c.message(text, config, lexicon));
                d.data = DiagnosticData::Claim { sentence: c.sentences() };
                d
            })
            .collect();
        out.extend(self.checks.iter().cloned());
        // Stable: at the same range, claims before checks.
        out.sort_by_key(|d| (d.range.start, d.range.end));
        out
    }
}

/// A document's text with its line index.
#[derive(Clone, Debug)]
pub struct SourceText {
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
}

impl SourceText {
    pub fn new(text: impl Into<Arc<str>>) -> SourceText {
        let text: Arc<str> = text.into();
        let lines = Arc::new(LineIndex::new(&text));
        SourceText { text, lines }
    }

    /// Asks the memory, without waiting, for what converting a position
    /// at `offset` reads first: the line index and the text around
    /// `offset` (a non-ASCII line is counted from its start, most often
    /// within the cache line before). Then, once they have come,
    /// [`LineIndex::prefetch`](text::LineIndex::prefetch) for its entries.
    /// A long references answer converts a position or two in each of
    /// thousands of documents no cache holds: asked for a few documents
    /// ahead, their misses overlap. A hint: it changes no result.
    pub fn prefetch(&self, offset: usize) {
        let text = self.text.as_bytes();
        let at = offset.min(text.len());
        text::prefetch(Arc::as_ptr(&self.lines));
        text::prefetch(text.as_ptr().wrapping_add(at));
        text::prefetch(text.as_ptr().wrapping_add(at.saturating_sub(64)));
    }
}

/// Step one: what the document says on its own.
pub fn scan(text: &str, kb_forms: &names::lexicon::KbForms, config: &Config) -> Scan {
    let mut scan = scan_structure(text, config);
    discover_names(text, &mut scan, kb_forms);
    scan
}

/// [`scan`] without name discovery (`discovery` is left empty), the only
/// part that needs the knowledge base: the corpus runs it while the
/// knowledge base is still being parsed.
pub fn scan_structure(text: &str, config: &Config) -> Scan {
    let mut scan = structure(text);
    scan.quotes = scan.segments.paragraphs.iter().map(|p| claims::quotes(text, p.clone())).collect();
    let found = claims::find(text, &scan.segments, &scan.quotes, config);
    (scan.hits, scan.cues, scan.unicode_words) = (found.hits, found.cues, found.unicode_words);
    scan
}

/// What a scan computes for the whole document at once (every paragraph
/// shares it): header, non-prose, paragraphs and sentences, citations,
/// definitions, URLs and suppressions. Quotes, rule hits and names are
/// left empty: they are found paragraph by paragraph.
pub(crate) fn structure(text: &str) -> Scan {
    let header = source::date_header(text);
    let non_prose = source::non_prose(text);
    let segments = sentences::segment(text, &non_prose);
    let citations = citations::uses(text, &non_prose);
    let definitions = source::definitions(text);
    let urls = segments
        .paragraphs
        .iter()
        .flat_map(|p| source::urls(&text[p.clone()]).map(move |r| p.start + r.start..p.start + r.end))
        .collect();
    let suppressions = suppress::suppressions(text, &segments);
    Scan {
        header,
        non_prose,
        segments,
        discovery: Discovery::default(),
        citations,
        definitions,
        urls,
        quotes: Quotes::default(),
        hits: Vec::new(),
        cues: Vec::new(),
        unicode_words: Vec::new(),
        suppressions,
    }
}

/// The rest of [`scan`]: discovers the names of every sentence into
/// `scan.discovery` (replacing what it held).
pub fn discover_names(text: &str, scan: &mut Scan, kb_forms: &names::lexicon::KbForms) {
    let sentences = &scan.segments.sentences;
    let in_order = |range: std::ops::Range<usize>| {
        let mut discovery = Discovery::default();
        for s in &sentences[range] {
            discover(text, s.range.clone(), kb_forms, &mut discovery);
        }
        discovery
    };
    // A long document's sentences in two halves on two cores: each
    // sentence adds its own names, in order, so the halves joined are the
    // whole.
    scan.discovery = match halfway(text) {
        Some(at) => {
            let k = sentences.partition_point(|s| s.range.start < at);
            let (mut first, second) = rayon::join(|| in_order(0..k), || in_order(k..sentences.len()));
            first.append(second);
            first
        }
        None => in_order(0..sentences.len()),
    };
}

/// Which mentions a resolution keeps ([`resolve_in_scope`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MentionScope {
    /// Every mention of the document: what hover, references and
    /// `factls names` read.
    #[default]
    All,
    /// Only the mentions of the sentences where claims look for a speaker,
    /// the only ones the claims and diagnostics read: `factls check`,
    /// which reports diagnostics and nothing else.
    Claims,
}

/// Step two: mentions, claim statuses and diagnostics, given the corpus's
/// lexicon and source files.
pub fn resolve(text: &str, scan: Scan, lexicon: &Lexicon, sources: &dyn Sources, config: &Config) -> Analysis {
    resolve_in_scope(text, scan, lexicon, sources, config, MentionScope::All)
}

/// [`resolve`], keeping the mentions of `scope`: with
/// [`MentionScope::Claims`] the claims and diagnostics are the same, and
/// [`Analysis::mentions`] holds only the mentions of the sentences where a
/// speaker was looked for.
pub fn resolve_in_scope(
    text: &str,
    scan: Scan,
    lexicon: &Lexicon,
    sources: &dyn Sources,
    config: &Config,
    scope: MentionScope,
) -> Analysis {
    if scope == MentionScope::Claims {
        let mut search = lexicon.mentions_on_demand(text, &scan.non_prose);
        let (claims, checks) =
            claims_and_checks(text, &scan, &mut SentenceMentions::OnDemand(&mut search), lexicon, sources, config);
        let mentions = search.into_found();
        return analysis(scan, mentions, claims, checks, lexicon);
    }
    let mentions = mentions(text, &scan, lexicon);
    resolve_with_mentions(text, scan, mentions, lexicon, sources, config)
}

/// [`resolve`] with the document's mentions already found.
pub(crate) fn resolve_with_mentions(
    text: &str,
    scan: Scan,
    mentions: Vec<Mention>,
    lexicon: &Lexicon,
    sources: &dyn Sources,
    config: &Config,
) -> Analysis {
    let (claims, checks) =
        claims_and_checks(text, &scan, &mut SentenceMentions::All(&mentions), lexicon, sources, config);
    analysis(scan, mentions, claims, checks, lexicon)
}

/// The claims of a scan, with their status and suppression, and the
/// checks of its citations and source definitions (the diagnostics that
/// are no claims).
fn claims_and_checks(
    text: &str,
    scan: &Scan,
    mentions: &mut SentenceMentions,
    lexicon: &Lexicon,
    sources: &dyn Sources,
    config: &Config,
) -> (Vec<Claim>, Vec<Diagnostic>) {
    let local: HashSet<&str> = scan.definitions.iter().map(|d| d.key.as_str()).collect();
    let resolves = |key: &str| local.contains(key) || sources.is_defined(key);
    let resolved: Vec<(TextRange, String)> =
        scan.citations.iter().filter(|c| resolves(&c.key)).map(|c| (c.range.clone(), c.key.clone())).collect();
    let ctx = ClaimContext {
        text,
        segments: &scan.segments,
        quotes: &scan.quotes,
        cues: &scan.cues,
        lexicon,
        config,
        resolved_citations: &resolved,
        urls: &scan.urls,
        unicode_words: &scan.unicode_words,
    };
    let mut claims = claims::resolve(&ctx, &scan.hits, mentions);
    for claim in &mut claims {
        claim.suppressed = suppress::is_suppressed(&scan.suppressions, &claim.rule, &claim.range());
    }
    let mut diagnostics = Vec::new();
    let push = |diagnostics: &mut Vec<Diagnostic>,
                range: TextRange,
                rule: &'static str,
                default: Severity,
                message: String,
                data| {
        if let RuleLevel::On(severity) = config.level(rule, default)
            && !suppress::is_suppressed(&scan.suppressions, rule, &range)
        {
            let mut d = Diagnostic::new(range, severity, rule, message);
            d.data = data;
            diagnostics.push(d);
        }
    };
    for c in &scan.citations {
        if !resolves(&c.key) {
            let key = &c.key;
            push(
                &mut diagnostics,
                c.range.clone(),
                "undefined-citation",
                Severity::Error,
                format!(
                    "citation `[^{key}]` is defined nowhere: add `[^{key}]: <url>` to this document or to a sources file"
                ),
                DiagnosticData::UndefinedCitation { key: key.clone() },
            );
        }
    }
    let used: HashSet<&str> = scan.citations.iter().map(|c| c.key.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for d in &scan.definitions {
        if d.body.trim().is_empty() {
            push(
                &mut diagnostics,
                d.label_range.clone(),
                "empty-source",
                Severity::Warning,
                format!("source `[^{}]` is empty: add its URL, title and date", d.key),
                DiagnosticData::None,
            );
        }
        if !seen.insert(d.key.as_str()) {
            push(
                &mut diagnostics,
                d.label_range.clone(),
                "duplicate-source",
                Severity::Warning,
                format!("source `[^{}]` is defined twice in this document; the first definition is used", d.key),
                DiagnosticData::None,
            );
        } else if !used.contains(d.key.as_str()) {
            push(
                &mut diagnostics,
                d.label_range.clone(),
                "unused-source",
                Severity::Hint,
                format!("source `[^{}]` is never cited in this document", d.key),
                DiagnosticData::None,
            );
        }
    }
    (claims, diagnostics)
}

/// The analysis of a resolved scan.
fn analysis(
    scan: Scan,
    mentions: Vec<Mention>,
    claims: Vec<Claim>,
    checks: Vec<Diagnostic>,
    lexicon: &Lexicon,
) -> Analysis {
    let mut analysis = Analysis { scan, mentions, claims, checks, forms: lexicon.generation() };
    analysis.shrink();
    analysis
}

impl Analysis {
    /// Gives back the spare capacity of every list: a corpus keeps one
    /// analysis per document for as long as it runs, and lists grown by
    /// doubling hold up to twice what they need.
    fn shrink(&mut self) {
        let scan = &mut self.scan;
        scan.non_prose.shrink_to_fit();
        scan.segments.paragraphs.shrink_to_fit();
        scan.segments.sentences.shrink_to_fit();
        scan.discovery.shrink_to_fit();
        scan.citations.shrink_to_fit();
        scan.definitions.shrink_to_fit();
        scan.urls.shrink_to_fit();
        scan.quotes.shrink_to_fit();
        scan.hits.shrink_to_fit();
        scan.cues.shrink_to_fit();
        scan.suppressions.shrink_to_fit();
        self.mentions.shrink_to_fit();
        self.claims.shrink_to_fit();
        self.checks.shrink_to_fit();
    }
}

/// Documents from this size on are searched on two cores, each taking
/// half of the paragraphs: what an editor's long document costs on every
/// keystroke. (Small ones are not worth the hand-over; a corpus is
/// already analysed a document per core.)
pub const SPLIT_BYTES: usize = 32 * 1024;

/// Where to cut a long text in two for separate searches: just after the
/// line break nearest before its middle. No name spans a line break
/// (unless a knowledge-base form does, see [`Lexicon::multiline_forms`]),
/// and a paragraph starts after one.
pub(crate) fn halfway(text: &str) -> Option<usize> {
    if text.len() < SPLIT_BYTES {
        return None;
    }
    let middle = text::floor_char_boundary(text, text.len() / 2);
    text[..middle].rfind('\n').map(|i| i + 1)
}

/// The document's mentions; a long one's two halves searched at once.
fn mentions(text: &str, scan: &Scan, lexicon: &Lexicon) -> Vec<Mention> {
    match halfway(text).filter(|_| !lexicon.multiline_forms()) {
        Some(at) => {
            let (mut first, second) = rayon::join(
                || lexicon.mentions_in(text, 0..at, &scan.non_prose),
                || lexicon.mentions_in(text, at..text.len(), &scan.non_prose),
            );
            first.extend(second);
            first
        }
        None => lexicon.mentions(text, &scan.non_prose),
    }
}

/// Both steps for one document, with a lexicon built from it alone.
pub fn analyze(text: &str, kb: Arc<kb::KnowledgeBase>, sources: &dyn Sources, config: &Config) -> (Analysis, Lexicon) {
    let scan = scan(text, kb.forms(), config);
    let doc: Arc<std::path::Path> = Arc::from(std::path::Path::new(""));
    let lexicon = Lexicon::build(kb, &[(doc, &scan.discovery)]);
    (resolve(text, scan, &lexicon, sources, config), lexicon)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long document is searched in two halves on two cores: the same
    /// mentions, rule hits and names as one pass over it.
    #[test]
    fn a_long_document_split_in_two_gives_what_one_pass_gives() {
        let article = include_str!("../../seeds/000_16a33d4f32bdc8d1.txt");
        let kb_text = include_str!("../../seeds/entities.toml");
        let Ok(parsed) = kb::parse_file(kb_text, 0) else { panic!("the seed knowledge base parses") };
        let kb = kb::KnowledgeBase::build(vec![("entities.toml".into(), parsed)], &[kb_text]);
        let mut text = String::new();
        while text.len() < 3 * SPLIT_BYTES {
            text.push_str(article);
            text.push_str("\n\n");
        }
        let config = Config::default();
        let (a, lexicon) = analyze(&text, Arc::new(kb), &citations::NoSources, &config);
        let at = halfway(&text).expect("long enough to split");
        assert!(at > SPLIT_BYTES && at < text.len() - SPLIT_BYTES);
        assert!(a.mentions.len() > 100);
        assert_eq!(a.mentions, lexicon.mentions(&text, &a.scan.non_prose));
        let all = 0..a.scan.segments.paragraphs.len();
        assert!(a.scan.hits.len() > 100);
        let whole = claims::find_in(&text, &a.scan.segments, &a.scan.quotes, &config, all);
        assert_eq!(a.scan.hits, whole.hits);
        assert!(a.scan.cues.len() > 10);
        assert_eq!(a.scan.cues, whole.cues);
        // Names: without the knowledge base, every name is discovered.
        let no_kb = names::lexicon::KbForms::default();
        let mut split = a.scan.clone();
        discover_names(&text, &mut split, &no_kb);
        let mut whole = Discovery::default();
        for s in &a.scan.segments.sentences {
            discover(&text, s.range.clone(), &no_kb, &mut whole);
        }
        assert!(whole.candidates().len() > 10);
        assert_eq!(split.discovery, whole);
    }
}
