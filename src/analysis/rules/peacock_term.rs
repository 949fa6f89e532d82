//! Rule `peacock-term` (information): praise without facts —
//! `world-renowned`, `legendary`, `award-winning` — Wikipedia's "puffery".
//! State the fact that earns the word and cite it, or drop the word.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "peacock-term",
    default_severity: Severity::Information,
    what: "peacock term",
    help: "state the fact plainly and cite a source with [^key]",
    attributable: false,
    // One per alternative of the pattern; `[- ]` joins exactly one
    // character, so both spellings are listed.
    triggers: &[
        "renowned",
        "legendary",
        "iconic",
        "acclaimed",
        "prestigious",
        "eminent",
        "unparalleled",
        "unrival",
        "groundbreaking",
        "ground-breaking",
        "visionary",
        "virtuoso",
        "world class",
        "world-class",
        "world famous",
        "world-famous",
        "world leading",
        "world-leading",
        "best known",
        "best-known",
        "award winning",
        "award-winning",
        "cutting edge",
        "cutting-edge",
        "the art",
        "the-art",
        "respected",
        "regarded",
        "recognized",
        "recognised",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:world[- ](?:renowned|class|famous|leading)|renowned|legendary|iconic|acclaimed|prestigious|pre-?eminent|unparalleled|unrivall?ed|groundbreaking|ground-breaking|visionary|virtuoso|best[- ]known|award[- ]winning|cutting[- ]edge|state[- ]of[- ]the[- ]art|highly\s+(?:respected|regarded|acclaimed)|widely\s+(?:respected|acclaimed|recognized|recognised))\b",
    )
    .map(WordRegex::matching_no_letters)
    .expect("peacock regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn puffery() {
        assert_eq!(
            run(&RULE, "A world-renowned, award-winning and highly respected lawyer."),
            vec!["world-renowned", "award-winning", "highly respected"]
        );
        assert!(run(&RULE, "A lawyer who won a case in 2019.").is_empty());
    }
}
