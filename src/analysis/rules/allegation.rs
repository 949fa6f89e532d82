//! Rule `allegation` (warning; information when attributed): words that
//! report an allegation — `alleges`, `suggests that`, `according to`,
//! `reportedly`, `accused of`. When the sentence names who alleges it (`an
//! investigation from the Immigration Reform Law Institute (IRLI) alleges`)
//! the claim is attributed and reported with lower severity; `reportedly`
//! never names anyone.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "allegation",
    default_severity: Severity::Warning,
    what: "allegation",
    help: "name who alleges it and cite a source with [^key]",
    attributable: true,
    triggers: &["alleg", "suggest", "according to", "reportedly", "purportedly", "supposedly", "accuse", "claimed"],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"\b(?:alleges?|alleged(?:ly)?|allegations?|suggests?(?:\s+that)?|suggested\s+that|according to|reportedly|purportedly|supposedly|accuse[sd]?\s+of|claimed\s+that)\b",
    )
    .map(WordRegex::matching_no_letters)
    .expect("allegation regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn allegation_words() {
        assert_eq!(
            run(
                &RULE,
                "The investigation alleges it; the report suggests that he lied, according to IRLI, and he reportedly left."
            ),
            vec!["alleges", "suggests that", "according to", "reportedly"]
        );
        assert!(run(&RULE, "He made claims about the suggestion box.").is_empty());
    }
}
