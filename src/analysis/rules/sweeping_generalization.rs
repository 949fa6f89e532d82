//! Rule `sweeping-generalization` (warning): claims about everyone or all
//! time — `everyone knows`, `all experts agree`, `has always been`,
//! `undeniably`. The bare words `always`, `never` and `everyone` are not
//! enough ("should apply equally to everyone" claims nothing).

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "sweeping-generalization",
    default_severity: Severity::Warning,
    what: "sweeping generalization",
    help: "narrow it to what a source shows and cite it with [^key]",
    attributable: false,
    // One per alternative of the pattern (the verb after `everyone`, the
    // noun after `all`, …).
    triggers: &[
        "knows",
        "agrees",
        "believes",
        "understands",
        "accepts",
        "denies",
        "disputes",
        "doubts",
        "questions",
        "expert",
        "scientist",
        "economist",
        "doctor",
        "historian",
        "american",
        "voter",
        "studies",
        "researcher",
        "always",
        "never",
        "exception",
        "undeniabl",
        "unquestionabl",
        "indisputabl",
        "irrefutabl",
        "obvious",
        "doubt",
        "universally",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:(?:everyone|everybody|nobody|no\s+one)\s+(?:knows|agrees|believes|understands|accepts|denies|disputes|doubts|questions)|(?:all|every)\s+(?:experts?|scientists?|economists?|doctors?|historians?|Americans?|voters?|studies|researchers?)\s+(?:agrees?|knows?|says?|believes?|shows?)|(?:has|have|had)\s+(?:always|never)\s+been|(?:always|never)\s+(?:has|have|had)\s+been|without\s+exception|undeniabl[ey]|unquestionabl[ey]|indisputabl[ey]|irrefutabl[ey]|it\s+is\s+(?:obvious|undeniable|beyond\s+doubt)\s+that|universally\s+(?:accepted|acknowledged|recognized|recognised|agreed))\b",
    )
    .map(WordRegex::matching_no_letters)
    .expect("sweeping regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn generalizations() {
        assert_eq!(
            run(&RULE, "Everyone knows it; all experts agree; the city has always been safe, undeniably."),
            vec!["Everyone knows", "all experts agree", "has always been", "undeniably"]
        );
        assert!(run(&RULE, "It should apply equally to everyone; they are never turned over.").is_empty());
    }
}
