//! Rule `vague-linkage` (warning): an association asserted without saying
//! what it is — `linked to`, `tied to`, `Soros-backed`, `Soros-linked`.
//! The reader needs the nature of the link and its source.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
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

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"\b(?:(?:closely\s+|reportedly\s+)?(?:linked|tied|connected)\s+(?:to|with)\b|[\p{L}][\p{L}\p{M}’']*-(?:linked|backed|funded|aligned|affiliated|tied|connected|allied|financed|bankrolled)\b)",
    )
    .expect("vague linkage regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

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
}
