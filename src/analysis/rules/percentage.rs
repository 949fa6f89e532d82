//! Rule `percentage` (warning): a percentage or share — `at least 20
//! percent`, `41%`, `one in five` — needs a source.

use std::sync::LazyLock;

use super::{QUALIFIER, Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "percentage",
    default_severity: Severity::Warning,
    what: "percentage",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &[
        "%",
        "percent",
        "per cent",
        "one in ",
        "two in ",
        "three in ",
        "four in ",
        "five in ",
        "six in ",
        "seven in ",
        "eight in ",
        "nine in ",
        "one out of ",
        "two out of ",
        "three out of ",
        "four out of ",
        "five out of ",
        "six out of ",
        "seven out of ",
        "eight out of ",
        "nine out of ",
        "0 in ",
        "1 in ",
        "2 in ",
        "3 in ",
        "4 in ",
        "5 in ",
        "6 in ",
        "7 in ",
        "8 in ",
        "9 in ",
        "0 out of ",
        "1 out of ",
        "2 out of ",
        "3 out of ",
        "4 out of ",
        "5 out of ",
        "6 out of ",
        "7 out of ",
        "8 out of ",
        "9 out of ",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(&format!(
        r"{QUALIFIER}(?:\b\d+(?:[.,]\d+)?\s?(?:%|(?i:percent|per cent|percentage points?)\b)|\b(?i:one|two|three|four|five|six|seven|eight|nine|\d+) (?i:in|out of) (?i:every )?(?i:two|three|four|five|six|seven|eight|nine|ten|\d+)\b)"
    ))
    .map(WordRegex::matching_no_letters)
    .expect("percentage regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn percentages_and_shares() {
        assert_eq!(
            run(
                &RULE,
                "They represented at least 20 percent of Americans; 41% agree; one in five voters; 3.5 percentage points."
            ),
            vec!["at least 20 percent", "41%", "one in five", "3.5 percentage points"]
        );
    }

    #[test]
    fn ordinary_numbers_are_not_percentages() {
        assert!(run(&RULE, "In 2023, five people met in room 20.").is_empty());
    }
}
