//! The invariants that hostile input must not break, as plain functions
//! that panic with a message when one is broken.
//!
//! Used by the proptest suites (`tests/proptest_*.rs`) and, through a
//! `#[path]` module, by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`),
//! so a property checked by one is checked by the other. Depends on
//! `factls` and `std` only.
//!
//! Every function also serves as "never panics": it calls the code under
//! test on the input as given.

#![allow(dead_code)]

use std::ops::Range;
use std::sync::Arc;

use factls::analysis::citations::NoSources;
use factls::analysis::config::Config;
use factls::analysis::diagnostic::{Diagnostic, DiagnosticData};
use factls::analysis::kb::{self, KnowledgeBase};
use factls::analysis::names::lexicon::Lexicon;
use factls::analysis::text::{CharCounter, Encoding, LineCol, LineIndex};
use factls::analysis::{Analysis, MentionScope, SourceText, analyze, resolve_in_scope, source};
use factls::index::editable::EditableText;

pub const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

/// `range` lies within `text` and starts and ends on char boundaries.
pub fn check_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: range {range:?} is not within the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: range {range:?} is not on char boundaries"
    );
}

fn check_sorted_by<T, K: Ord + std::fmt::Debug>(items: &[T], key: impl Fn(&T) -> K, what: &str) {
    for pair in items.windows(2) {
        let (a, b) = (key(&pair[0]), key(&pair[1]));
        assert!(a <= b, "{what}: not sorted ({a:?} before {b:?})");
    }
}

fn check_disjoint(ranges: &[Range<usize>], what: &str) {
    for pair in ranges.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{what}: {:?} and {:?} overlap or are out of order", pair[0], pair[1]);
    }
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic], what: &str) {
    for d in diagnostics {
        check_range(text, &d.range, &format!("{what} `{}`", d.code));
        if let DiagnosticData::Claim { sentence } = &d.data {
            check_range(text, sentence, &format!("{what} `{}` data", d.code));
        }
        assert!(!d.message.is_empty(), "{what} `{}` has an empty message", d.code);
    }
}

/// Analyses `text` alone (empty knowledge base, no source files, default
/// configuration) and checks every range the analysis returns.
pub fn analysis(text: &str) -> Analysis {
    analysis_and_lexicon(text).0
}

/// [`analysis`] with the lexicon it was resolved with (which diagnostics
/// name speakers from).
pub fn analysis_and_lexicon(text: &str) -> (Analysis, Lexicon) {
    let config = Config::default();
    let (analysis, lexicon) = analyze(text, Arc::new(KnowledgeBase::default()), &NoSources, &config);
    check_analysis(text, &analysis, &lexicon);
    same_claims_with_mentions_on_demand(text, &analysis, &lexicon, &config);
    (analysis, lexicon)
}

/// `a` resolved again as `factls check` resolves, keeping only the
/// mentions its claims read (found on demand): the same claims and checks,
/// and mentions that are the document's.
pub fn same_claims_with_mentions_on_demand(text: &str, a: &Analysis, lexicon: &Lexicon, config: &Config) {
    let narrow = resolve_in_scope(text, a.scan.clone(), lexicon, &NoSources, config, MentionScope::Claims);
    assert!(narrow.claims == a.claims, "claims differ when mentions are found on demand in {text:?}");
    assert!(narrow.checks == a.checks, "checks differ when mentions are found on demand in {text:?}");
    assert!(
        narrow.mentions.iter().all(|m| a.mentions.contains(m)),
        "a mention found on demand is not one of the document's in {text:?}"
    );
}

/// Every range of `a` lies within `text` on char boundaries, and the lists
/// documented as sorted are sorted.
pub fn check_analysis(text: &str, a: &Analysis, lexicon: &Lexicon) {
    let scan = &a.scan;
    if let Some(h) = &scan.header {
        check_range(text, &h.range, "header");
        check_range(text, &h.date_range, "header date");
        assert_eq!(&text[h.date_range.clone()], h.date, "header date text");
    }
    for r in &scan.non_prose {
        check_range(text, r, "non-prose");
    }
    check_disjoint(&scan.non_prose, "non-prose");
    for p in &scan.segments.paragraphs {
        check_range(text, p, "paragraph");
    }
    check_disjoint(&scan.segments.paragraphs, "paragraphs");
    for s in &scan.segments.sentences {
        check_range(text, &s.range, "sentence");
        let p = scan.segments.paragraphs.get(s.paragraph).unwrap_or_else(|| {
            panic!("sentence {:?} names paragraph {} of {}", s.range, s.paragraph, scan.segments.paragraphs.len())
        });
        assert!(p.start <= s.range.start && s.range.end <= p.end, "sentence {:?} outside its paragraph {p:?}", s.range);
    }
    let sentence_ranges: Vec<Range<usize>> = scan.segments.sentences.iter().map(|s| s.range.clone()).collect();
    check_disjoint(&sentence_ranges, "sentences");
    for c in scan.discovery.candidates() {
        check_range(text, &c.range(), "candidate");
        check_range(text, &c.context_range(), "candidate context");
        // The names and contexts a discovery holds are the document's.
        assert_eq!(scan.discovery.name(c), &text[c.range()], "candidate name");
        assert_eq!(scan.discovery.context(c), &text[c.context_range()], "candidate context text");
    }
    for c in &scan.citations {
        check_range(text, &c.range, "citation");
        check_range(text, &c.key_range, "citation key");
        assert_eq!(&text[c.key_range.clone()], c.key, "citation key text");
    }
    check_sorted_by(&scan.citations, |c| c.range.start, "citations");
    for d in &scan.definitions {
        check_range(text, &d.range, "definition");
        check_range(text, &d.label_range, "definition label");
    }
    for u in &scan.urls {
        check_range(text, u, "url");
    }
    for q in scan.quotes.all() {
        check_range(text, &q.range, "quote");
    }
    // Each paragraph's quotations lie in it, and together they are all.
    assert_eq!(scan.quotes.paragraphs(), scan.segments.paragraphs.len(), "quotations: one list a paragraph");
    let mut quotes = 0;
    for (p, range) in scan.segments.paragraphs.iter().enumerate() {
        for q in scan.quotes.of(p) {
            assert!(
                range.start <= q.range.start && q.range.end <= range.end,
                "quote {:?} outside paragraph {p}",
                q.range
            );
        }
        quotes += scan.quotes.of(p).len();
    }
    assert_eq!(quotes, scan.quotes.all().len(), "quotations outside every paragraph");
    for h in &scan.hits {
        check_range(text, &h.range(), "rule hit");
    }
    check_sorted_by(&scan.hits, |h| h.range().start, "rule hits");
    for s in &scan.suppressions {
        check_range(text, &s.comment, "suppression comment");
        check_range(text, &s.scope, "suppression scope");
    }
    for m in &a.mentions {
        check_range(text, &m.range(), "mention");
    }
    check_sorted_by(&a.mentions, |m| m.start(), "mentions");
    for c in &a.claims {
        check_range(text, &c.range(), &format!("claim `{}`", c.rule));
        check_range(text, &c.sentences(), &format!("claim `{}` sentences", c.rule));
    }
    check_sorted_by(&a.claims, |c| c.range().start, "claims");
    let diagnostics = a.diagnostics(text, &Config::default(), lexicon);
    check_diagnostics(text, &diagnostics, "diagnostic");
    check_sorted_by(&diagnostics, |d| (d.range.start, d.range.end), "diagnostics");
}

/// Bytes as a file on disk: decoded (BOM dropped, binary and invalid UTF-8
/// refused), then analysed.
pub fn decode_and_analyze(bytes: &[u8]) {
    match source::decode(bytes.to_vec()) {
        Ok(text) => {
            assert!(!text.starts_with('\u{FEFF}') || bytes.starts_with(b"\xEF\xBB\xBF\xEF\xBB\xBF"));
            analysis(&text);
        }
        Err(source::DecodeError::Binary { offset } | source::DecodeError::InvalidUtf8 { offset }) => {
            assert!(offset <= bytes.len(), "decode error offset {offset} past {} bytes", bytes.len());
        }
    }
}

/// `text` as a knowledge-base file: parsed, built alone and twice (so ids
/// and aliases collide), every diagnostic and span checked.
pub fn knowledge_base(text: &str) {
    // Chunks of one table each give what one parse of the whole file gives.
    assert_eq!(kb::parse_file_in_chunks(text, 0, 1), kb::parse_file_in_chunks(text, 0, usize::MAX));
    let parsed = match kb::parse_file(text, 0) {
        Ok(p) => p,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a refused knowledge base says why");
            check_diagnostics(text, &diagnostics, "kb syntax diagnostic");
            return;
        }
    };
    check_diagnostics(text, &parsed.diagnostics, "kb diagnostic");
    for e in &parsed.entities {
        check_range(text, &e.spans.entry, "entity entry");
        check_range(text, &e.spans.id, "entity id");
        check_range(text, &e.spans.name, "entity name");
    }
    let again = kb::parse_file(text, 1).expect("the same text parses twice");
    let kb = KnowledgeBase::build(vec![("a.toml".into(), parsed), ("b.toml".into(), again)], &[text, text]);
    for file in &kb.files {
        check_diagnostics(text, &file.diagnostics, "kb build diagnostic");
    }
    for e in &kb.entities {
        assert!(kb.get(&e.id).is_some(), "entity `{}` is found by its id", e.id);
    }
    // The knowledge base in use: the analysis of a text naming its entities.
    let names: Vec<&str> = kb.entities.iter().flat_map(|e| e.forms()).take(50).collect();
    let prose = format!("{} said “it cost $1.7 million.”", names.join(" and "));
    let (a, lexicon) = analyze(&prose, Arc::new(kb), &NoSources, &Config::default());
    check_analysis(&prose, &a, &lexicon);
    same_claims_with_mentions_on_demand(&prose, &a, &lexicon, &Config::default());
}

/// `text` as `factls.toml`: parsed, every diagnostic checked, and a
/// parsed configuration used for one analysis.
pub fn config(text: &str) {
    match Config::parse(text) {
        Ok((config, diagnostics)) => {
            check_diagnostics(text, &diagnostics, "config diagnostic");
            let prose = "Some say it cost $1.7 million, “a record.” [claim]\n";
            let (a, lexicon) = analyze(prose, Arc::new(KnowledgeBase::default()), &NoSources, &config);
            check_analysis(prose, &a, &lexicon);
            same_claims_with_mentions_on_demand(prose, &a, &lexicon, &config);
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a refused config says why");
            check_diagnostics(text, &diagnostics, "config syntax diagnostic");
        }
    }
}

/// Lines of `text` as (content range, terminator length), computed
/// independently of `LineIndex`.
pub fn reference_lines(text: &str) -> Vec<(Range<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push((start..i, 2));
                i += 2;
                start = i;
            }
            b'\r' | b'\n' => {
                out.push((start..i, 1));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start..text.len(), 0));
    out
}

fn width(c: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// The clamped byte offset of a position, computed independently of
/// `LineIndex`: a line past the end is the text's end; a column past the
/// line's end is the line's end; a column inside a character is its start.
pub fn reference_offset(text: &str, lines: &[(Range<usize>, usize)], pos: LineCol, enc: Encoding) -> usize {
    let Some((content, _)) = lines.get(pos.line as usize) else { return text.len() };
    let want = pos.col as usize;
    let mut col = 0;
    let mut at = content.start;
    for c in text[content.clone()].chars() {
        if col + width(c, enc) > want {
            break;
        }
        col += width(c, enc);
        at += c.len_utf8();
    }
    at
}

/// The line/column of a char boundary, computed independently.
pub fn reference_line_col(text: &str, lines: &[(Range<usize>, usize)], offset: usize, enc: Encoding) -> LineCol {
    // The last line that starts at or before `offset`; an offset between
    // the two bytes of "\r\n" belongs at its line's end.
    let line = lines.partition_point(|(r, _)| r.start <= offset).saturating_sub(1);
    let content = &lines[line].0;
    let at = offset.min(content.end);
    let col: usize = text[content.start..at].chars().map(|c| width(c, enc)).sum();
    LineCol { line: line as u32, col: col as u32 }
}

/// `LineIndex` against the reference: every char boundary in `boundaries`
/// (all of them when `None`) round-trips in all three encodings, every
/// position in `positions` clamps as documented, and arbitrary offsets
/// neither panic nor leave the text.
pub fn positions(text: &str, offsets: &[usize], positions: &[LineCol]) {
    let index = LineIndex::new(text);
    let lines = reference_lines(text);
    assert_eq!(index.line_count(), lines.len(), "line count");
    assert_eq!(index.len(), text.len());
    for (line, (content, term)) in lines.iter().enumerate() {
        assert_eq!(index.line_content(line), content.clone(), "content of line {line}");
        assert_eq!(index.line_range(line), content.start..content.end + term, "range of line {line}");
    }
    // Round trips: every boundary of a short text, a sample of a long one.
    let boundaries: Vec<usize> = (0..=text.len()).filter(|&b| text.is_char_boundary(b)).collect();
    let stride = (boundaries.len() / 400).max(1);
    let sample = boundaries.iter().copied().step_by(stride).chain(boundaries.last().copied());
    let arbitrary = offsets.iter().map(|&o| if text.is_empty() { o } else { o % (text.len() + 2) });
    for b in sample.chain(arbitrary.clone().filter(|&o| text.is_char_boundary(o))) {
        let in_crlf = b > 0 && text.as_bytes()[b - 1] == b'\r' && text.as_bytes().get(b) == Some(&b'\n');
        for enc in ENCODINGS {
            let lc = index.line_col(text, b, enc);
            assert_eq!(lc, reference_line_col(text, &lines, b, enc), "line_col({b}, {enc:?})");
            let back = index.offset(text, lc, enc);
            let expected = if in_crlf { b - 1 } else { b };
            assert_eq!(back, expected, "offset(line_col({b}, {enc:?}) = {lc:?})");
        }
    }
    // Asking the memory ahead for a conversion is a hint: at any offset,
    // nothing panics.
    let src = SourceText::new(text);
    for o in arbitrary.clone().chain([0, text.len(), text.len() + 1, usize::MAX]) {
        src.prefetch(o);
        src.lines.prefetch(o);
    }
    // A range's two ends at once are its two ends one by one.
    let ends: Vec<usize> = arbitrary.clone().chain([0, text.len(), usize::MAX]).collect();
    let near = boundaries.iter().step_by(stride).zip(boundaries.iter().skip(3).step_by(stride));
    let pairs = ends.windows(2).map(|p| (p[0], p[1])).chain(near.map(|(&a, &b)| (a, b)));
    for (a, b) in pairs {
        let (a, b) = (a.min(b), a.max(b));
        for enc in ENCODINGS {
            assert_eq!(
                index.cursor(text, enc).range(&(a..b)),
                (index.line_col(text, a, enc), index.line_col(text, b, enc)),
                "range({a}..{b}, {enc:?})"
            );
        }
    }
    // A cursor gives what `line_col` gives: offsets in increasing order
    // (what it is quick for), then as they come, and ranges one after the
    // other.
    let mut sorted: Vec<usize> = boundaries.iter().copied().step_by(stride).chain(arbitrary.clone()).collect();
    sorted.sort_unstable();
    let unsorted = arbitrary.clone().chain([usize::MAX, 0, text.len() + 1]).chain(sorted.iter().rev().copied());
    for enc in ENCODINGS {
        let mut cursor = index.cursor(text, enc);
        for o in sorted.iter().copied().chain(unsorted.clone()) {
            assert_eq!(cursor.line_col(o), index.line_col(text, o, enc), "cursor at {o} ({enc:?})");
        }
        let mut cursor = index.cursor(text, enc);
        for (a, b) in ends.windows(2).map(|p| (p[0], p[1])).chain(sorted.windows(2).map(|p| (p[0], p[1]))) {
            let expected = (index.line_col(text, a, enc), index.line_col(text, b.max(a), enc));
            assert_eq!(cursor.range(&(a..b)), expected, "cursor over {a}..{b} ({enc:?})");
        }
    }
    // Offsets that are not boundaries (or past the end) act as the boundary
    // before them.
    for o in arbitrary.chain([usize::MAX, text.len() + 1]) {
        let floor = factls::analysis::text::floor_char_boundary(text, o);
        for enc in ENCODINGS {
            assert_eq!(index.line_col(text, o, enc), index.line_col(text, floor, enc), "line_col({o}) vs {floor}");
        }
        assert!(index.line_of(o) < index.line_count());
        let mut counter = CharCounter::new(text);
        assert_eq!(counter.char_offset(o), text[..floor].chars().count(), "char_offset({o})");
    }
    // Positions anywhere clamp as documented.
    let extra = lines.iter().enumerate().flat_map(|(line, (content, _))| {
        let line = line as u32;
        // Inside each surrogate pair, and just past the line's end.
        let pairs = text[content.clone()]
            .chars()
            .scan(0u32, |col, c| {
                let at = *col;
                *col += c.len_utf16() as u32;
                Some((at, c))
            })
            .filter(|(_, c)| c.len_utf16() == 2)
            .map(move |(at, _)| LineCol { line, col: at + 1 })
            .take(4);
        let end = (content.end - content.start) as u32;
        pairs.chain([LineCol { line, col: end + 1 }, LineCol { line, col: u32::MAX }])
    });
    let past = [LineCol { line: lines.len() as u32, col: 0 }, LineCol { line: u32::MAX, col: u32::MAX }];
    for pos in positions.iter().copied().chain(extra.take(200)).chain(past) {
        for enc in ENCODINGS {
            let got = index.offset(text, pos, enc);
            assert_eq!(got, reference_offset(text, &lines, pos, enc), "offset({pos:?}, {enc:?})");
            assert!(text.is_char_boundary(got));
        }
    }
}

/// One change as an editor sends it: a range in some encoding (or none,
/// for the whole document) and the new text.
#[derive(Clone, Debug)]
pub struct Edit {
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
    pub encoding: Encoding,
}

/// Applies `edits` to a rope and to a `String` through `LineIndex`
/// offsets; the texts agree after every edit, and the final text analyses
/// the same either way.
pub fn incremental(initial: &str, edits: &[Edit]) -> String {
    let mut rope = EditableText::new(initial);
    let mut model = initial.to_string();
    for (i, edit) in edits.iter().enumerate() {
        rope.apply(edit.range, &edit.text, edit.encoding);
        match edit.range {
            None => model = edit.text.clone(),
            Some((start, end)) => {
                let index = LineIndex::new(&model);
                let a = index.offset(&model, start, edit.encoding);
                let b = index.offset(&model, end, edit.encoding);
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                model.replace_range(a..b, &edit.text);
            }
        }
        let text = rope.text();
        assert_eq!(text, model, "after edit {i}: {edit:?}");
        assert_eq!(rope.len_bytes(), model.len());
    }
    let (edited, edited_lexicon) = analysis_and_lexicon(&model);
    let fresh_text = EditableText::new(&model).text();
    let (fresh, fresh_lexicon) = analysis_and_lexicon(&fresh_text);
    assert_eq!(
        edited.diagnostics(&model, &Config::default(), &edited_lexicon),
        fresh.diagnostics(&fresh_text, &Config::default(), &fresh_lexicon),
        "diagnostics of the edited text"
    );
    assert_eq!(edited.claims, fresh.claims, "claims of the edited text");
    assert_eq!(edited.mentions, fresh.mentions, "mentions of the edited text");
    model
}
