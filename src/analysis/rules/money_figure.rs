//! Rule `money-figure` (warning): an amount of money — `nearly $1.7
//! million`, `more than $40 million`, `€3bn`, `5 million dollars` — is a
//! checkable figure and needs a source. A qualifier in front belongs to
//! the claim.

use std::sync::LazyLock;

use super::{QUALIFIER, Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "money-figure",
    default_severity: Severity::Warning,
    what: "money figure",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &["$", "€", "£", "¥", "dollars", "euros", "pounds", "yen"],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(&format!(
        r"{QUALIFIER}(?:(?:US|A|C)?[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?i:million|billion|trillion|thousand|bn|mn|m|k)\b)?|\b\d[\d,]*(?:\.\d+)?\s(?:(?i:million|billion|trillion|thousand)\s)?(?i:dollars|euros|pounds|yen)\b)"
    ))
    .map(WordRegex::matching_no_letters)
    .expect("money regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn figures_with_their_qualifiers() {
        assert_eq!(
            run(&RULE, "Krasner raked in nearly $1.7 million, then more than $40 million, €3bn and 5 million dollars."),
            vec!["nearly $1.7 million", "more than $40 million", "€3bn", "5 million dollars"]
        );
    }

    #[test]
    fn plain_numbers_are_not_money() {
        assert!(run(&RULE, "He was elected in 2017 with 20 percent.").is_empty());
    }
}
