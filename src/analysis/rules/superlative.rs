//! Rule `superlative` (warning): a superlative stated as a fact — `X is the
//! largest city`, `the deadliest year on record`, `the most common crime in
//! the country` — needs a source. The superlative must be asserted (after
//! `is`, `was`, `became`, `ranks as`, …) or given a scope that makes it
//! checkable (`in history`, `ever`, `in the world`, `on record`, `since
//! 1990`, `of any …`). Aspirations and quantities are not claims: "demand
//! the highest quality", "the best possible", "most of the day", "the most
//! recent report".

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "superlative",
    default_severity: Severity::Warning,
    what: "superlative",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &[
        "most",
        "least",
        "largest",
        "biggest",
        "smallest",
        "greatest",
        "highest",
        "lowest",
        "best",
        "worst",
        "richest",
        "poorest",
        "oldest",
        "youngest",
        "fastest",
        "slowest",
        "strongest",
        "weakest",
        "longest",
        "shortest",
        "deadliest",
        "safest",
        "wealthiest",
        "cheapest",
        "costliest",
        "tallest",
        "busiest",
        "heaviest",
        "hottest",
        "coldest",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:the|its|their|his|her|our)\s+(?:single\s+|very\s+)?(?:(?:most|least)\s+(?P<adj>[a-z]+)|(?:largest|biggest|smallest|greatest|highest|lowest|best|worst|richest|poorest|oldest|youngest|fastest|slowest|strongest|weakest|longest|shortest|deadliest|safest|wealthiest|cheapest|costliest|tallest|busiest|heaviest|hottest|coldest))\b",
    )
    // Its classes are ASCII letters and `\s`: exact on the ASCII twin,
    // and a match holds no replaced character.
    .map(WordRegex::matching_no_letters)
    .expect("superlative regex")
});

/// Words after `the most` that make no superlative claim.
const NOT_CLAIMS: &[&str] = &["of", "part", "recent", "recently", "likely", "time", "out", "and", "or", "to", "in"];

/// A verb that asserts what follows: `is the largest`.
static ASSERTED: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:is|was|are|were|be|been|being|became|becomes|remains|remained|ranks as|ranked as|'s|’s)\s*$",
    )
    .expect("superlative assertion regex")
});

/// A scope that makes a superlative checkable: `in history`, `ever`.
static SCOPED: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(r"(?i)^(?:\s+[\p{L}-]+){0,4}?\s+(?:ever\b|in\s+(?:history|the\s+world|the\s+nation|the\s+country|the\s+state|the\s+city|america|the\s+united\s+states|the\s+u\.s\.|europe|decades|years|a\s+generation|\d+\s+years|recorded\s+history|modern\s+history)|on\s+(?:record|earth|the\s+planet)|of\s+all\s+time|of\s+any\b|since\s+(?:\d{4}|the\b|records)|to\s+date\b|nationwide\b|worldwide\b)")
        .expect("superlative scope regex")
});

/// Words after the superlative that make it an aspiration: `the best
/// possible`, `the highest standard`.
const ASPIRATIONS: &[&str] = &[
    "possible",
    "interests",
    "interest",
    "standard",
    "standards",
    "quality",
    "degree",
    "point",
    "level",
    "efficiency",
    "way",
    "thing",
    "things",
];

/// Whether [`ASSERTED`] matches `before`, asked of its end only: a match
/// is a verb of at most 9 characters (at most 3 bytes each, case folding
/// included) and the whitespace after it, and the character before the
/// verb decides its `\b`. Asking the whole text before a superlative
/// cost a scan of the paragraph's start for each one.
fn asserted(before: &str) -> bool {
    const VERB_BYTES: usize = 9 * 3 + 4;
    let verb_end = before.trim_end().len();
    let from = crate::analysis::text::floor_char_boundary(before, verb_end.saturating_sub(VERB_BYTES));
    ASSERTED.is_match(&before[from..])
}

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let para = &input.text[input.paragraph.clone()];
    // Matches at the same offsets and with the same text on the twin.
    let (haystack, re) = PATTERN.pick_for(input);
    for m in re.find_iter(haystack) {
        let Some(c) = re.captures_at(haystack, m.start()) else { continue };
        if c.name("adj").is_some_and(|a| NOT_CLAIMS.contains(&a.as_str().to_lowercase().as_str())) {
            continue;
        }
        let after = &para[m.end()..];
        let next = after.split_whitespace().next().unwrap_or("").trim_matches(|ch: char| !ch.is_alphanumeric());
        if ASPIRATIONS.contains(&next.to_lowercase().as_str()) {
            continue;
        }
        let window_end = crate::analysis::text::floor_char_boundary(after, 80);
        let window = &after[..after[..window_end].find(['.', ';', '!', '?']).unwrap_or(window_end)];
        if !(asserted(&para[..m.start()]) || SCOPED.is_match(window)) {
            continue;
        }
        out.push(base + m.start()..base + m.end());
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn asserted_or_scoped_superlatives() {
        assert_eq!(
            run(
                &RULE,
                "It is the most common crime. Philadelphia became the largest city in the state. It was the single deadliest year on record. This is the best record of price stability of any industrial nation."
            ),
            vec!["the most common", "the largest", "the single deadliest", "the best"]
        );
        assert_eq!(run(&RULE, "They saw the worst flooding in a generation."), vec!["the worst"]);
    }

    #[test]
    fn aspirations_and_quantities_are_not_claims() {
        assert!(run(&RULE, "He worked most of the day; the most recent report; the most of it.").is_empty());
        assert!(
            run(&RULE, "We demand the highest quality of service and the best possible conditions for the best men.")
                .is_empty()
        );
        assert!(run(&RULE, "Keep the Navy at the highest point of efficiency.").is_empty());
    }

    #[test]
    fn superlatives_next_to_non_ascii_words() {
        // `run` also finds them on the paragraph's ASCII twin and compares.
        assert_eq!(
            run(
                &RULE,
                "Gascón’s is the largest office. São Paulo became the most populous city in the world. Zürich’s \
                 the best. Él es the worst."
            ),
            vec!["the largest", "the most populous", "the best"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1024, ..Default::default() })]

        /// The end of the text before a superlative tells what the whole
        /// of it tells.
        #[test]
        fn asserted_reads_the_end_of_the_text_before(words in proptest::collection::vec(proptest::sample::select(BEFORE), 0..16)) {
            let before: String = words.concat();
            proptest::prop_assert_eq!(asserted(&before), ASSERTED.is_match(&before), "{:?}", before);
        }
    }

    const BEFORE: &[&str] = &[
        "is", "was", "ranks as", "ranked", " as", "remained", "’s", "'s", "ſ", "K", "REMAINS", " ", "  ", "\n",
        "\u{a0}", "\u{2003}", "é", "x", "_", "“", "-", "Gascón", "this", "1",
    ];
}
