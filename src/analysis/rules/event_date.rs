//! Rule `event-date` (information): the date of an event — `elected in
//! 2017`, `founded on March 3, 1990` — is a checkable fact. Dates alone
//! (`As of 2023`) are not.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "event-date",
    default_severity: Severity::Information,
    what: "event date",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &[
        "born",
        "died",
        "founded",
        "elected",
        "appointed",
        "established",
        "launched",
        "signed",
        "enacted",
        "arrested",
        "convicted",
        "sentenced",
        "indicted",
        "charged",
        "married",
        "created",
        "hired",
        "fired",
        "resigned",
        "retired",
        "killed",
        "sworn",
        "incorporated",
        "acquired",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"\b(?:born|died|founded|elected|re-elected|reelected|appointed|established|launched|signed|enacted|arrested|convicted|sentenced|indicted|charged|married|created|hired|fired|resigned|retired|killed|sworn in|incorporated|acquired)\s+(?:in|on)\s+(?:(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s+(?:\d{1,2},?\s+)?)?\d{4}\b",
    )
    .map(WordRegex::matching_no_letters)
    .expect("event date regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn events_with_dates() {
        assert_eq!(
            run(&RULE, "Krasner, elected in 2017, was sworn in on January 1, 2018. As of 2023, it holds."),
            vec!["elected in 2017", "sworn in on January 1, 2018"]
        );
    }
}
