//! Rule `ranking` (warning): a rank — `the third-largest`, `ranked No. 1`,
//! `top 10` — needs a source.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "ranking",
    default_severity: Severity::Warning,
    what: "ranking",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &[
        "largest",
        "biggest",
        "highest",
        "lowest",
        "most",
        "best",
        "worst",
        "richest",
        "poorest",
        "oldest",
        "busiest",
        "deadliest",
        "smallest",
        "fastest",
        "ranked",
        "no.",
        "number",
        "top",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))[- ](?:largest|biggest|highest|lowest|most|best|worst|richest|poorest|oldest|busiest|deadliest|smallest|fastest)|ranked\s+(?:No\.\s?\d+|number\s+\w+|first|second|third|last|\d+(?:st|nd|rd|th)|top|among)|(?:No\.|number)\s?(?:1|one)\s+(?:in|among|on)\b|top[- ](?:\d+|five|ten|twenty|fifty|hundred)\b)",
    )
    // Ranges only: `number\s+\w+` may cover a replaced word.
    .map(WordRegex::matching_words_by_class)
    .expect("ranking regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn ranks() {
        assert_eq!(
            run(&RULE, "It is the third-largest county, ranked No. 1 in crime and in the top 10 nationally."),
            vec!["third-largest", "ranked No. 1", "top 10"]
        );
        assert!(run(&RULE, "The first time he spoke, on the second floor.").is_empty());
    }

    #[test]
    fn ranks_next_to_non_ascii_words() {
        // `run` also finds them on the paragraph's ASCII twin and compares.
        assert_eq!(
            run(
                &RULE,
                "Gascón’s office ranked number één, ranked No. 1 among São Paulo’s, ranked number ñandú-ish; \
                 Zürich’s third-largest, the top-ten, ranked numberé and top-five."
            ),
            vec!["ranked number één", "ranked No. 1", "ranked number ñandú", "third-largest", "top-ten", "top-five"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// The matches on the ASCII twin are the exact variant's (`run`
        /// asserts it), in text of the pattern's words, non-ASCII letters,
        /// marks and digits, glued or spaced.
        #[test]
        fn the_twin_finds_the_exact_matches(words in proptest::collection::vec(proptest::sample::select(VOCAB), 0..14)) {
            let text: String = words.concat();
            run(&RULE, &text);
        }
    }

    const VOCAB: &[&str] = &[
        "ranked number ",
        "ranked ",
        "No. ",
        "number ",
        "top",
        "-",
        " ",
        "\u{a0}",
        "1",
        "one ",
        "among ",
        "third",
        "largest",
        "2nd",
        "é",
        "één",
        "ó",
        "e\u{301}",
        "ß",
        "_",
        "ǅ",
        "Ⅷ",
        "٣",
        "’",
        "“",
        ".",
        "ſ",
        "x",
    ];
}
