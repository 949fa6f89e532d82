//! Rule `vague-linkage` (warning): an association asserted without saying
//! what it is — `linked to`, `tied to`, `Soros-backed`, `Soros-linked`.
//! The reader needs the nature of the link and its source.
//!
//! The rule's pattern is [`PATTERN`], two alternatives: `linked to` (and
//! its kin) and a word glued to `-backed` (and its kin). The second starts
//! with any letter, so a regex search of it runs its automaton over every
//! word of the paragraph. [`find`] gives the pattern's matches without
//! that: the first alternative by its own regex (its words are literals to
//! skip to), the second from the `-backed` it ends with, found by literal,
//! and the word before it read backwards.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex};
use crate::analysis::chars;
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "vague-linkage",
    default_severity: Severity::Warning,
    what: "vague linkage",
    help: "say what the link is and cite a source with [^key]",
    attributable: false,
    triggers: &[
        "linked",
        "tied",
        "connected",
        "backed",
        "funded",
        "aligned",
        "affiliated",
        "allied",
        "financed",
        "bankrolled",
    ],
    find,
};

/// `linked to`, `closely tied with`, …
const LINKED_TO: &str = r"\b(?:(?:closely\s+|reportedly\s+)?(?:linked|tied|connected)\s+(?:to|with)\b)";

/// What ends a word glued to a link: `-backed`, …
const GLUED: &str = r"-(?:linked|backed|funded|aligned|affiliated|tied|connected|allied|financed|bankrolled)\b";

/// The rule's pattern: [`LINKED_TO`], or a letter, letters, marks and
/// apostrophes, then [`GLUED`]. The tests compare [`find`] with it.
#[cfg(test)]
static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(&format!(r"(?:{LINKED_TO}|[\p{{L}}][\p{{L}}\p{{M}}’']*{GLUED})")).expect("vague linkage regex")
});

// Both are ASCII letters, `\s` and `-`: exact on the ASCII twin.
static FIRST: LazyLock<WordRegex> =
    LazyLock::new(|| WordRegex::new(LINKED_TO).map(WordRegex::matching_no_letters).expect("linked-to regex"));
static SECOND: LazyLock<WordRegex> =
    LazyLock::new(|| WordRegex::new(GLUED).map(WordRegex::matching_no_letters).expect("glued link regex"));

/// The matches of [`PATTERN`] in the paragraph, as its `find_iter` finds
/// them: left to right, each at the leftmost position where either
/// alternative matches, the first alternative where both do.
///
/// The second alternative matches at a position exactly when a letter
/// stands there and the run of letters, marks and apostrophes from it is
/// followed by [`GLUED`] (the run holds no `-`, so it cannot give back a
/// character to find another). Its leftmost match from a position is
/// therefore at the first letter of the run before the first [`GLUED`]
/// that has one, counted from that position.
fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let haystack = &input.text[input.paragraph.clone()];
    // The regexes search the twin where that is exact (same offsets);
    // the letters before `-backed` are read from the paragraph.
    let (searched, first) = FIRST.pick_for(input);
    let (_, second) = SECOND.pick_for(input);
    // Each alternative's next match, searched again once passed.
    let mut one = first.find_at(searched, 0).map(|m| (m.start(), m.end()));
    let mut two = glued_from(second, searched, haystack, 0);
    loop {
        let (start, end) = match (one, two) {
            (Some(a), Some(b)) if b.0 < a.0 => b,
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => break,
        };
        out.push(base + start..base + end);
        if one.is_some_and(|(start, _)| start < end) {
            one = first.find_at(searched, end).map(|m| (m.start(), m.end()));
        }
        if two.is_some_and(|(start, _)| start < end) {
            two = glued_from(second, searched, haystack, end);
        }
    }
}

/// The leftmost match of the second alternative at or after `at`:
/// [`GLUED`] searched in `searched` (the paragraph or its ASCII twin),
/// the letters before it read in `haystack`, the paragraph.
fn glued_from(glued: &regex::Regex, searched: &str, haystack: &str, mut at: usize) -> Option<(usize, usize)> {
    while let Some(m) = glued.find_at(searched, at) {
        // Back over the run of letters, marks and apostrophes before the
        // hyphen, not past `at`; the match starts at its first letter.
        let mut letter = None;
        for (i, c) in haystack[at..m.start()].char_indices().rev() {
            let class = chars::classes(c);
            if class & (chars::L | chars::M) == 0 && c != '’' && c != '\'' {
                break;
            }
            if class & chars::L != 0 {
                letter = Some(at + i);
            }
        }
        if let Some(letter) = letter {
            return Some((letter, m.end()));
        }
        at = m.start() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn links() {
        assert_eq!(
            run(
                &RULE,
                "Krasner, who is linked to billionaire George Soros, took money from a Soros-linked group and Soros-backed attorneys."
            ),
            vec!["linked to", "Soros-linked", "Soros-backed"]
        );
        assert!(run(&RULE, "The bridge connected the towns; he linked arms.").is_empty());
    }

    /// The matches of the whole pattern, as the rule's regex found them.
    fn by_pattern(h: &str) -> Vec<&str> {
        PATTERN.find_iter(h).map(|m| m.as_str()).collect()
    }

    #[test]
    fn glued_words_start_at_their_first_letter() {
        for h in [
            "Soros-linked, ’’Soros-backed, O’Neil’s-funded x-tied-to tied-linked to",
            "é\u{301}-backed \u{301}x-backed ’-backed -backed a--backed a-backedx a-backed_ closely linked  with",
            "Gascón-aligned groups; reportedly tied with Soros-tied to them; Soros-linked-backed",
            "Soros-tied to",
        ] {
            let mut out = Vec::new();
            let unicode_words = super::super::has_non_ascii_word(h);
            let input = RuleInput {
                text: h,
                paragraph: 0..h.len(),
                quotes: &[],
                markers: &[],
                unicode_words,
                ascii_twin: None,
            };
            find(&input, &mut out);
            let got: Vec<&str> = out.into_iter().map(|r| &h[r]).collect();
            assert_eq!(got, by_pattern(h), "{h}");
        }
        assert_eq!(run(&RULE, "Soros-tied to x"), vec!["Soros-tied"]);
        assert_eq!(run(&RULE, "’é-backed"), vec!["é-backed"]);
    }

    proptest! {
        #[test]
        fn the_rule_finds_what_its_pattern_finds(
            words in prop::collection::vec(prop::sample::select(&[
                "Soros", "é", "\u{301}", "’", "'", "-", "linked", "tied", "backed", "to", "with", "closely",
                " ", "  ", ",", "x", "_", "1", "Gascón", "-linked", "-backed",
            ][..]), 0..14)
        ) {
            let h = words.concat();
            prop_assert_eq!(run(&RULE, &h), by_pattern(&h));
        }
    }
}
