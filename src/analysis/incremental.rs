//! Analysing a document again after an edit, reusing what the edit cannot
//! have changed.
//!
//! An edit changes one stretch of a document; the paragraphs around it
//! read as before. [`analyze_after`] pairs each paragraph of the new text
//! with the paragraph of the previous analysis that has the same text, the
//! same sentences and the same surroundings, and takes that paragraph's
//! quotes, rule hits, names and mentions from the previous analysis
//! (shifted); only the other paragraphs are searched. The rest is found
//! for the whole document each time: the structure (paragraphs, sentences,
//! non-prose, citations, definitions, URLs, suppressions), which is cheap
//! and on which everything depends, and the claims, which look across
//! paragraphs (a source noun remembered from one, a quotation continued in
//! the next).
//!
//! Why it is exact: a paragraph's quotes, hits, names and mentions depend
//! only on its text and on at most [`MARGIN`] bytes around it. Rules and
//! quotes read the paragraph alone; discovery reads a little around a
//! name (a descriptor before it, bounded by `DESCRIPTOR_BYTES`; a party
//! or an acronym after it, a few dozen bytes); whole words read a
//! character or two. A paragraph is taken over only when it lies, with
//! that margin, in the text before the edit or in the text after it, and
//! its mentions only when the lexicon is the one they were found with (or
//! was rebuilt from it, every document that holds a form it changed then
//! resolved again: `Lexicon::finds_as`) and no form spans a line. A
//! proptest compares every re-analysis with a fresh one.
//!
//! Start reading at [`analyze_after`].

use super::citations::Sources;
use super::config::Config;
use super::names::Mention;
use super::names::discover::{Discovery, discover};
use super::names::lexicon::{KbForms, Lexicon};
use super::rules::Quote;
use super::sentences::Segments;
use super::text::TextRange;
use super::{Analysis, Scan, claims};

/// Bytes around a paragraph that its analysis may read.
pub const MARGIN: usize = 256;

/// A document's previous text and its analysis.
pub struct Previous<'a> {
    pub text: &'a str,
    pub analysis: &'a Analysis,
}

/// [`scan`](super::scan) and [`resolve`](super::resolve) of `text`, reusing
/// what `previous` found in the paragraphs the edit left alone: the same
/// analysis as a fresh one.
pub fn analyze_after(
    text: &str,
    previous: &Previous,
    kb_forms: &KbForms,
    lexicon: &Lexicon,
    sources: &dyn Sources,
    config: &Config,
) -> Analysis {
    let mut scan = super::structure(text);
    let reuse = Reuse::new(previous, text, &scan.segments);
    let old = &previous.analysis.scan;
    scan.quotes = scan
        .segments
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| match reuse.map[i] {
            Some((j, shift)) => {
                old.quotes.of(j).iter().map(|q| Quote { range: moved(&q.range, shift), words: q.words }).collect()
            }
            None => claims::quotes(text, p.clone()),
        })
        .collect();
    let found = hits(text, &scan, &reuse, old, config);
    (scan.hits, scan.cues, scan.unicode_words) = (found.hits, found.cues, found.unicode_words);
    scan.discovery = discovery(text, &scan, &reuse, old, kb_forms);
    let mentions = mentions(text, &scan, &reuse, previous.analysis, lexicon);
    super::resolve_with_mentions(text, scan, mentions, lexicon, sources, config)
}

/// Which paragraph of the previous analysis each paragraph of the new
/// text is.
struct Reuse {
    /// New paragraph → (old paragraph, new offset − old offset).
    map: Vec<Option<(usize, isize)>>,
}

impl Reuse {
    fn new(previous: &Previous, text: &str, segments: &Segments) -> Reuse {
        let (old_text, old) = (previous.text, &previous.analysis.scan.segments);
        let (a, b) = (old_text.as_bytes(), text.as_bytes());
        let prefix = common_prefix(a, b);
        let most = a.len().min(b.len()) - prefix;
        let suffix = common_suffix(a, b).min(most);
        let shift = b.len() as isize - a.len() as isize;
        // The edit replaced old[prefix..a.len() - suffix] with
        // new[prefix..b.len() - suffix].
        let edited_until = b.len() - suffix;
        let map = segments
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let shift = if p.end + MARGIN <= prefix {
                    0
                } else if p.start >= edited_until + MARGIN {
                    shift
                } else {
                    return None;
                };
                let at = moved(p, -shift);
                let j = old.paragraphs.binary_search_by_key(&at.start, |q| q.start).ok()?;
                (old.paragraphs[j] == at && same_sentences(segments, i, p.start, old, j, at.start))
                    .then_some((j, shift))
            })
            .collect();
        Reuse { map }
    }

    /// Consecutive paragraphs with nothing to reuse, as index ranges.
    fn fresh_runs(&self) -> Vec<std::ops::Range<usize>> {
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, m) in self.map.iter().enumerate() {
            if m.is_some() {
                continue;
            }
            match runs.last_mut() {
                Some(r) if r.end == i => r.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        runs
    }
}

/// Whether paragraph `i` of `new` (starting at `start`) is cut into
/// sentences where paragraph `j` of `old` (starting at `old_start`) is.
fn same_sentences(new: &Segments, i: usize, start: usize, old: &Segments, j: usize, old_start: usize) -> bool {
    let (a, b) = (new.of_paragraph(i), old.of_paragraph(j));
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.range.start - start == y.range.start - old_start && x.range.end - start == y.range.end - old_start
        })
}

/// Rule hits, speaker cues and which paragraphs hold non-ASCII word
/// characters: those of reused paragraphs shifted, the others found.
fn hits(text: &str, scan: &Scan, reuse: &Reuse, old: &Scan, config: &Config) -> claims::Found {
    let mut fresh = reuse.fresh_runs().into_iter().peekable();
    let mut out = claims::Found::default();
    let mut i = 0;
    while i < reuse.map.len() {
        match reuse.map[i] {
            Some((j, shift)) => {
                let p = &old.segments.paragraphs[j];
                out.hits.extend(
                    starting_in(&old.hits, p, |h| h.range().start)
                        .iter()
                        .filter(|h| h.paragraph() == j)
                        .filter_map(|h| claims::RuleHit::new(h.rule(), moved(&h.range(), shift), i)),
                );
                // Cues are by end, and each lies in its paragraph.
                let lo = old.cues.partition_point(|c| c.range().end <= p.start);
                let hi = old.cues.partition_point(|c| c.range().end <= p.end);
                out.cues.extend(
                    old.cues[lo..hi].iter().filter_map(|c| claims::Cue::new(moved(&c.range(), shift), c.word())),
                );
                let words = old.unicode_words.get(j).copied();
                let new_paragraph = &text[scan.segments.paragraphs[i].clone()];
                out.unicode_words
                    .push(words.unwrap_or_else(|| crate::analysis::rules::has_non_ascii_word(new_paragraph)));
                i += 1;
            }
            None => {
                let Some(run) = fresh.next() else { break };
                let found = claims::find_in(text, &scan.segments, &scan.quotes, config, run.clone());
                out.hits.extend(found.hits);
                out.cues.extend(found.cues);
                out.unicode_words.extend(found.unicode_words);
                i = run.end;
            }
        }
    }
    out
}

/// Names: those of reused paragraphs shifted, the others discovered.
fn discovery(text: &str, scan: &Scan, reuse: &Reuse, old: &Scan, kb_forms: &KbForms) -> Discovery {
    let mut out = Discovery::default();
    let sentences = &scan.segments.sentences;
    for (i, p) in scan.segments.paragraphs.iter().enumerate() {
        match reuse.map[i] {
            Some((j, shift)) => {
                let q = &old.segments.paragraphs[j];
                let d = &old.discovery;
                for c in starting_in(d.candidates(), q, |c| c.range().start) {
                    out.push_moved(d, c, shift);
                }
                let lo = d.kb_acronyms.partition_point(|a| a.at < q.start);
                let hi = d.kb_acronyms.partition_point(|a| a.at <= q.end);
                out.kb_acronyms.extend(d.kb_acronyms[lo..hi].iter().map(|a| {
                    let mut a = a.clone();
                    a.at = a.at.saturating_add_signed(shift);
                    a
                }));
            }
            None => {
                let lo = sentences.partition_point(|s| s.range.start < p.start);
                for s in sentences[lo..].iter().take_while(|s| s.range.start < p.end) {
                    discover(text, s.range.clone(), kb_forms, &mut out);
                }
            }
        }
    }
    out
}

/// Mentions: those of reused paragraphs shifted when the lexicon is the
/// one they were found with, the rest of the text searched.
fn mentions(text: &str, scan: &Scan, reuse: &Reuse, old: &Analysis, lexicon: &Lexicon) -> Vec<Mention> {
    if !lexicon.finds_as(old.forms) || lexicon.multiline_forms() {
        return super::mentions(text, scan, lexicon);
    }
    let mut out = Vec::new();
    let mut from = 0;
    for (i, p) in scan.segments.paragraphs.iter().enumerate() {
        let Some((j, shift)) = reuse.map[i] else { continue };
        out.extend(lexicon.mentions_in(text, from..p.start, &scan.non_prose));
        let q = &old.scan.segments.paragraphs[j];
        out.extend(
            starting_in(&old.mentions, q, Mention::start)
                .iter()
                .filter_map(|m| Mention::new(moved(&m.range(), shift), m.entity(), m.nested)),
        );
        from = p.end;
    }
    out.extend(lexicon.mentions_in(text, from..text.len(), &scan.non_prose));
    out
}

/// The part of `items` (sorted by `start`) that starts inside `p`.
fn starting_in<'t, T>(items: &'t [T], p: &TextRange, start: impl Fn(&T) -> usize) -> &'t [T] {
    let lo = items.partition_point(|x| start(x) < p.start);
    let hi = items.partition_point(|x| start(x) < p.end);
    &items[lo..hi]
}

fn moved(r: &TextRange, shift: isize) -> TextRange {
    r.start.saturating_add_signed(shift)..r.end.saturating_add_signed(shift)
}

/// The length of the longest common prefix of `a` and `b`, compared a
/// block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The length of the longest common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 64 <= n && a[n - i - 64..n - i] == b[n - i - 64..n - i] {
        i += 64;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::citations::NoSources;
    use crate::analysis::kb::{self, KnowledgeBase};
    use proptest::prelude::*;

    fn kb() -> Arc<KnowledgeBase> {
        let text = include_str!("../../seeds/entities.toml");
        let Ok(parsed) = kb::parse_file(text, 0) else { panic!("the seed knowledge base parses") };
        Arc::new(KnowledgeBase::build(vec![("entities.toml".into(), parsed)], &[text]))
    }

    /// The previous text's analysis, and the new text's, fresh and after.
    fn check(old_text: &str, text: &str) -> usize {
        let kb = kb();
        let forms = kb.forms();
        let config = Config::default();
        let (old, lexicon) = crate::analysis::analyze(old_text, kb.clone(), &NoSources, &config);
        let fresh =
            crate::analysis::resolve(text, crate::analysis::scan(text, forms, &config), &lexicon, &NoSources, &config);
        let previous = Previous { text: old_text, analysis: &old };
        let after = analyze_after(text, &previous, forms, &lexicon, &NoSources, &config);
        assert_eq!(after, fresh, "{old_text:?} -> {text:?}");
        let segments = &fresh.scan.segments;
        Reuse::new(&previous, text, segments).map.iter().filter(|m| m.is_some()).count()
    }

    fn article() -> String {
        let seed = include_str!("../../seeds/000_16a33d4f32bdc8d1.txt");
        format!("{seed}\n\n{seed}")
    }

    #[test]
    fn mentions_are_not_reused_from_another_lexicon() {
        let (kb, config) = (kb(), Config::default());
        // Paragraphs longer than the margin, so the first is taken over.
        let filler = "The council met on Monday and talked about roads. ".repeat(8);
        let old_text = format!("Roe spoke. {filler}\n\n{filler}\n\nMore.\n");
        let text = format!("Roe spoke. {filler}\n\n{filler}\n\nMore here.\n");
        let (old_text, text) = (old_text.as_str(), text.as_str());
        // Found with a lexicon that does not know Jane Roe; the edit is
        // read with one that does (the first paragraph is taken over).
        let (old, _) = crate::analysis::analyze(old_text, kb.clone(), &NoSources, &config);
        let (_, lexicon) = crate::analysis::analyze("Mayor Jane Roe said so.\n", kb.clone(), &NoSources, &config);
        let fresh = crate::analysis::resolve(
            text,
            crate::analysis::scan(text, kb.forms(), &config),
            &lexicon,
            &NoSources,
            &config,
        );
        let previous = Previous { text: old_text, analysis: &old };
        assert!(Reuse::new(&previous, text, &fresh.scan.segments).map[0].is_some(), "the first paragraph taken over");
        let after = analyze_after(text, &previous, kb.forms(), &lexicon, &NoSources, &config);
        assert_eq!(after.mentions.len(), 1, "Roe, Jane Roe's surname");
        assert_eq!(after, fresh);
    }

    #[test]
    fn an_edit_in_one_paragraph_reuses_the_others() {
        let old = article();
        let at = old.find("The investigation looked").expect("seed text");
        let mut new = old.clone();
        new.insert_str(at + 4, "new ");
        let reused = check(&old, &new);
        let paragraphs = crate::analysis::structure(&new).segments.paragraphs.len();
        assert!(reused >= paragraphs - 3, "{reused} of {paragraphs}");
    }

    #[test]
    fn edits_that_move_names_quotes_and_structure() {
        let old = article();
        let cases: Vec<(usize, usize, &str)> = vec![
            (0, 0, "Intro. "),
            (old.len() / 2, old.len() / 2, "\n\n"),
            (old.len() / 3, old.len() / 3 + 40, ""),
            (100, 100, "<!-- "),
            (old.len() / 2, old.len() / 2, "“"),
            (200, 230, "Larry Krasner (D) said"),
            (old.len() - 10, old.len(), "[^k]\n\n[^k]: https://x.org"),
            (0, old.len(), "Replaced."),
        ];
        for (a, b, insert) in cases {
            let (a, b) = (
                crate::analysis::text::floor_char_boundary(&old, a),
                crate::analysis::text::floor_char_boundary(&old, b),
            );
            let mut new = old.clone();
            new.replace_range(a..b, insert);
            check(&old, &new);
        }
    }

    const PIECES: &[&str] = &[
        "Larry Krasner",
        "Krasner’s office",
        "George Gascón (D)",
        " said ",
        "“He is directly contradicting the law,” Wilcox said.",
        "an investigation from the Immigration Reform Law Institute (IRLI) alleges",
        "nearly $1.7 million",
        " at least 20 percent ",
        ". ",
        "\n\n",
        "\n",
        "<!-- factls-ignore -->",
        "<!--",
        "-->",
        "`code`",
        "[^key]",
        "\n[^key]: https://example.org\n",
        " the most common ",
        "Soros-backed",
        "U.S. ",
        "é",
        "billionaire George Soros",
        "IRLI Executive Director Dale Wilcox",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..300).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn an_analysis_after_an_edit_is_a_fresh_analysis(
            old in text(),
            at in 0usize..4000,
            len in 0usize..300,
            insert in prop::collection::vec(prop::sample::select(PIECES), 0..4),
        ) {
            let a = crate::analysis::text::floor_char_boundary(&old, at);
            let b = crate::analysis::text::floor_char_boundary(&old, a + len);
            let mut new = old.clone();
            new.replace_range(a..b, &insert.concat());
            check(&old, &new);
        }
    }
}
