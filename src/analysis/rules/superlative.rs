//! Rule `superlative` (warning): a superlative claim — `the largest`, `the
//! most common`, `the deadliest` — needs a source. `most` as a quantity
//! ("most of the day") and time words ("the most recent") are not claims.

use std::sync::LazyLock;

use regex::Regex;

use super::{Rule, RuleInput};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "superlative",
    default_severity: Severity::Warning,
    what: "superlative",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    find,
};

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:the|its|their|his|her|our)\s+(?:single\s+|very\s+)?(?:(?:most|least)\s+(?P<adj>[a-z]+)|(?:largest|biggest|smallest|greatest|highest|lowest|best|worst|richest|poorest|oldest|youngest|fastest|slowest|strongest|weakest|longest|shortest|deadliest|safest|wealthiest|cheapest|costliest|tallest|busiest|heaviest|hottest|coldest))\b",
    )
    .expect("superlative regex")
});

/// Words after `the most` that make no superlative claim.
const NOT_CLAIMS: &[&str] = &["of", "part", "recent", "recently", "likely", "time", "out", "and", "or", "to", "in"];

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    for c in PATTERN.captures_iter(&input.text[input.paragraph.clone()]) {
        let Some(m) = c.get(0) else { continue };
        if c.name("adj").is_some_and(|a| NOT_CLAIMS.contains(&a.as_str().to_lowercase().as_str())) {
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
    fn superlatives() {
        assert_eq!(
            run(&RULE, "It is the most common crime and the largest city, the single deadliest year."),
            vec!["the most common", "the largest", "the single deadliest"]
        );
        assert!(run(&RULE, "He worked most of the day; the most recent report; the most of it.").is_empty());
    }
}
