//! Paragraphs and sentences of a document's prose.
//!
//! A paragraph ends at a blank line, at a Markdown block start (heading,
//! list item, block quote) and around non-prose (header, definitions,
//! comments, code). A sentence ends at `.`, `!`, `?` or `…` (with any
//! closing quotes and brackets after it) followed by space and a capital,
//! digit or opening quote — except after an abbreviation:
//!
//! - titles, months and the like (`Mr.`, `Dr.`, `Sen.`, `Jan.`, `No.`) and
//!   single initials (`George W. Bush`) never end a sentence;
//! - dotted acronyms and company suffixes (`U.S.`, `D.C.`, `Inc.`) end one
//!   when a common sentence opener follows (`… the U.S. As of 2023`) or a
//!   capitalised common noun does (`… the U.S. Sanctuary cities`), not when
//!   a name continues (`U.S. Immigration Court`);
//! - footnote markers right after the period belong to the sentence before
//!   them and always end it: `… across the U.S.[^key] As of 2023, …`.

use super::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub range: TextRange,
    pub paragraph: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segments {
    pub paragraphs: Vec<TextRange>,
    pub sentences: Vec<Sentence>,
}

impl Segments {
    /// Index of the sentence containing (or, in a gap, following) `offset`.
    pub fn sentence_at(&self, offset: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.range.end <= offset);
        (i < self.sentences.len()).then_some(i)
    }

    /// The sentences of paragraph `k`.
    pub fn of_paragraph(&self, k: usize) -> &[Sentence] {
        let lo = self.sentences.partition_point(|x| x.paragraph < k);
        let hi = self.sentences.partition_point(|x| x.paragraph <= k);
        &self.sentences[lo..hi]
    }
}

const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt", "Sgt", "Cmdr", "Adm", "St",
    "Rev", "Hon", "Pres", "Supt", "Det", "Insp", "vs", "v", "etc", "e.g", "i.e", "cf", "No", "Nos", "Vol", "pp", "p",
    "Fig", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mt", "Ft", "Ave",
    "Blvd", "approx", "est", "Ph.D", "Gov't", "Atty", "Dist", "Ct", "Dept", "Univ", "Assn",
];

const AMBIGUOUS: &[&str] = &["Inc", "Co", "Corp", "Ltd", "LLC", "Jr", "Sr", "Bros", "a.m", "p.m"];

/// Words that open sentences and rarely continue a name.
pub const SENTENCE_OPENERS: &[&str] = &[
    "A",
    "An",
    "The",
    "As",
    "In",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "This",
    "That",
    "These",
    "Those",
    "But",
    "And",
    "Or",
    "So",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "However",
    "Meanwhile",
    "Still",
    "Yet",
    "Also",
    "Then",
    "There",
    "Here",
    "His",
    "Her",
    "Their",
    "Our",
    "Its",
    "My",
    "Your",
    "On",
    "At",
    "For",
    "From",
    "By",
    "With",
    "To",
    "Of",
    "Since",
    "Because",
    "Although",
    "Though",
    "Despite",
    "Typically",
    "What",
    "Why",
    "How",
    "Who",
    "Where",
    "One",
    "Some",
    "Many",
    "Most",
    "All",
    "Each",
    "Every",
    "No",
    "Not",
    "Now",
    "Today",
    "Last",
    "Next",
    "Such",
    "Other",
    "Another",
    "Both",
    "Under",
    "Over",
    "According",
];

const CONNECTORS: &[&str] = &["and", "of", "for", "the", "de", "del", "la", "von", "van", "on", "&"];

/// Splits `text` into paragraphs and sentences, skipping `non_prose`
/// ranges (sorted, as `source::non_prose` returns them).
pub fn segment(text: &str, non_prose: &[TextRange]) -> Segments {
    // Sized for prose (sentences of 100–200 bytes): grown once at most,
    // not from empty, copied at every doubling.
    let mut segments = Segments { paragraphs: Vec::new(), sentences: Vec::with_capacity(text.len() / 160) };
    for block in blocks(text, non_prose) {
        let paragraph = segments.paragraphs.len();
        segments.paragraphs.push(block.clone());
        split_sentences(text, block, paragraph, &mut segments.sentences);
    }
    segments
}

/// Paragraph ranges: maximal runs of prose lines.
fn blocks(text: &str, non_prose: &[TextRange]) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut current: Option<TextRange> = None;
    let mut skip = non_prose.iter().peekable();
    let mut offset = 0;
    let bytes = text.as_bytes();
    let mut pieces: Vec<TextRange> = Vec::new();
    while offset < text.len() {
        // One line, up to and including its terminator.
        let mut end = memchr::memchr2(b'\n', b'\r', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
        let content_end = end;
        if end < bytes.len() {
            end += if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { 2 } else { 1 };
        }
        // Prose parts of this line (the buffer is reused line to line).
        pieces.clear();
        let mut from = offset;
        while let Some(r) = skip.peek() {
            if r.end <= from {
                skip.next();
                continue;
            }
            if r.start >= content_end {
                break;
            }
            if r.start > from {
                pieces.push(from..r.start);
            }
            from = r.end.max(from);
            if r.end > content_end {
                break;
            }
            skip.next();
        }
        if from < content_end {
            pieces.push(from..content_end);
        }
        let line = &text[offset..content_end];
        let trimmed = line.trim_start();
        let block_start = trimmed.starts_with('#')
            || trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed.starts_with("> ")
            || trimmed.starts_with('|')
            || ordered_item(trimmed);
        let interrupted = pieces.len() != 1 || pieces[0] != (offset..content_end);
        let has_prose = pieces.iter().any(|p| !text[p.clone()].trim().is_empty());
        if (!has_prose || block_start || interrupted)
            && let Some(c) = current.take()
        {
            out.push(c);
        }
        for p in pieces.drain(..) {
            let t = &text[p.clone()];
            if t.trim().is_empty() {
                continue;
            }
            let start = p.start + (t.len() - t.trim_start().len());
            let stop = p.start + t.trim_end().len();
            match &mut current {
                Some(c) if !interrupted => c.end = stop,
                _ => {
                    if let Some(c) = current.take() {
                        out.push(c);
                    }
                    current = Some(start..stop);
                }
            }
        }
        if interrupted && let Some(c) = current.take() {
            out.push(c);
        }
        offset = end;
    }
    if let Some(c) = current {
        out.push(c);
    }
    out
}

fn ordered_item(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(". ")
}

fn split_sentences(text: &str, block: TextRange, paragraph: usize, out: &mut Vec<Sentence>) {
    let bytes = text.as_bytes();
    let mut start = block.start;
    let mut i = block.start;
    // The next `.`, `!` or `?`, and the next 0xE2 (which starts `…`), from
    // `i` on: each found by memchr and kept until `i` passes it.
    let ascii_from = |i: usize| memchr::memchr3(b'.', b'!', b'?', &bytes[i..block.end]).map(|k| i + k);
    let e2_from = |i: usize| memchr::memchr(0xE2, &bytes[i..block.end]).map(|k| i + k);
    let (mut ascii, mut e2) = (ascii_from(i), e2_from(i));
    while i < block.end {
        // Skip to the next byte that can start a terminator: the bytes
        // skipped are no terminator, and the byte found starts a
        // character.
        if ascii.is_some_and(|at| at < i) {
            ascii = ascii_from(i);
        }
        if e2.is_some_and(|at| at < i) {
            e2 = e2_from(i);
        }
        match (ascii, e2) {
            (Some(a), Some(e)) => i = a.min(e),
            (Some(k), None) | (None, Some(k)) => i = k,
            (None, None) => break,
        }
        let c = match text[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        let is_term = matches!(c, '.' | '!' | '?' | '…');
        if !is_term {
            i += c.len_utf8();
            continue;
        }
        let term_at = i;
        let mut j = i + c.len_utf8();
        // Runs of terminators and closers: `?!`, `...`, `.”`, `.)`.
        while j < block.end {
            let Some(n) = text[j..].chars().next() else { break };
            if matches!(n, '.' | '!' | '?' | '…' | '"' | '”' | '’' | '\'' | ')' | ']') && !text[j..].starts_with("[^")
            {
                j += n.len_utf8();
            } else {
                break;
            }
        }
        // Footnote markers glued to the punctuation.
        let mut footnote = false;
        while text[j..block.end].starts_with("[^") {
            match text[j..block.end].find(']') {
                Some(k) => {
                    j += k + 1;
                    footnote = true;
                }
                None => break,
            }
        }
        let after_space = j;
        let mut k = j;
        while k < block.end && (bytes[k] == b' ' || bytes[k] == b'\t' || bytes[k] == b'\n' || bytes[k] == b'\r') {
            k += 1;
        }
        if k == block.end {
            i = k;
            continue;
        }
        if k == after_space {
            // No space after the punctuation: `3.5`, `U.S.A`, `e.g.,`.
            i = j.max(term_at + 1);
            continue;
        }
        let next_word = word_at(text, k, block.end);
        let opens = next_word.chars().next().is_some_and(|n| {
            n.is_uppercase() || n.is_ascii_digit() || matches!(n, '“' | '"' | '‘' | '(' | '[' | '¿' | '¡')
        });
        let mut boundary = opens;
        if boundary && !footnote && c == '.' && term_at + 1 == j {
            let before = word_before(text, block.start, term_at);
            boundary = !abbreviation_continues(text, before, next_word, k, block.end);
        }
        if boundary {
            out.push(Sentence { range: start..after_space, paragraph });
            start = k;
        }
        i = k;
    }
    if start < block.end {
        let end = start + text[start..block.end].trim_end().len();
        if end > start {
            out.push(Sentence { range: start..end, paragraph });
        }
    }
}

/// Whether the period after `before` is an abbreviation inside a sentence.
fn abbreviation_continues(text: &str, before: &str, next: &str, next_at: usize, end: usize) -> bool {
    let bare = before.trim_start_matches(['(', '“', '"', '‘', '[']);
    if bare.is_empty() {
        return false;
    }
    if TITLES.contains(&bare) {
        return true;
    }
    let letters: Vec<char> = bare.chars().collect();
    if letters.len() == 1 && letters[0].is_uppercase() {
        return true; // an initial
    }
    let dotted = bare.contains('.') && bare.split('.').all(|p| p.chars().count() <= 2 && !p.is_empty());
    if !(dotted || AMBIGUOUS.contains(&bare)) {
        return false;
    }
    // Ambiguous: decide by what follows.
    let next_clean = next.trim_matches(|c: char| !c.is_alphanumeric());
    if SENTENCE_OPENERS.contains(&next_clean) || next.starts_with(['“', '"', '(']) {
        return false;
    }
    let after_word = word_at(text, skip_space(text, next_at + next.len(), end), end);
    after_word.chars().next().is_some_and(|c| c.is_uppercase()) || CONNECTORS.contains(&after_word)
}

fn skip_space(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while at < end && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

fn word_at(text: &str, at: usize, end: usize) -> &str {
    let at = at.min(end);
    let rest = &text[at..end];
    let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    &rest[..len]
}

fn word_before(text: &str, block_start: usize, at: usize) -> &str {
    let slice = &text[block_start..at];
    // The whitespace may be wider than a byte (U+2028, U+00A0).
    let w = slice.rsplit(char::is_whitespace).next().unwrap_or(slice);
    // Drop a glued opening like `(Jan`.
    w.trim_start_matches(['(', '[', '“', '"'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        segment(text, &[]).sentences.iter().map(|s| &text[s.range.clone()]).collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences(
                "Mr. Smith met Dr. Jones on Jan. 5 in Washington, D.C. Mayor Muriel Bowser spoke. George W. Bush left."
            ),
            vec![
                "Mr. Smith met Dr. Jones on Jan. 5 in Washington, D.C. Mayor Muriel Bowser spoke.",
                "George W. Bush left."
            ]
        );
    }

    #[test]
    fn dotted_acronyms_end_a_sentence_before_an_opener() {
        assert_eq!(
            sentences("They were elected across the U.S. As of 2023, they won."),
            vec!["They were elected across the U.S.", "As of 2023, they won."]
        );
        assert_eq!(
            sentences("Deportation from the U.S. Sanctuary cities, like Philadelphia, hope."),
            vec!["Deportation from the U.S.", "Sanctuary cities, like Philadelphia, hope."]
        );
        assert_eq!(
            sentences("He sued the U.S. Immigration Court today."),
            vec!["He sued the U.S. Immigration Court today."]
        );
    }

    #[test]
    fn footnote_after_the_period_belongs_to_the_sentence_before() {
        let text = "Soros spent more than $40 million across the U.S.[^key] As of 2023, twenty percent.";
        assert_eq!(
            sentences(text),
            vec!["Soros spent more than $40 million across the U.S.[^key]", "As of 2023, twenty percent."]
        );
    }

    #[test]
    fn quotations_and_paragraphs() {
        let text = "“He is wrong,” Wilcox said. “Krasner’s approach failed.”\n\nNext one! And more?\nStill here";
        assert_eq!(
            sentences(text),
            vec!["“He is wrong,” Wilcox said.", "“Krasner’s approach failed.”", "Next one!", "And more?", "Still here"]
        );
        let seg = segment(text, &[]);
        assert_eq!(seg.paragraphs.len(), 2);
        assert_eq!(seg.sentences[2].paragraph, 1);
    }

    #[test]
    fn non_prose_is_skipped() {
        let text = " date 2024-05-30 Krasner spoke. He left.";
        let seg = segment(text, &crate::analysis::source::non_prose(text));
        assert_eq!(
            seg.sentences.iter().map(|s| &text[s.range.clone()]).collect::<Vec<_>>(),
            vec!["Krasner spoke.", "He left."]
        );
    }

    #[test]
    fn decimals_and_lowercase_continuations() {
        assert_eq!(sentences("It rose 3.5 percent. “Wow!” he said."), vec!["It rose 3.5 percent.", "“Wow!” he said."]);
    }
}
