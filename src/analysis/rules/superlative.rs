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

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let para = &input.text[input.paragraph.clone()];
    let re = PATTERN.pick(input.unicode_words);
    for m in re.find_iter(para) {
        let Some(c) = re.captures_at(para, m.start()) else { continue };
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
        if !(ASSERTED.is_match(&para[..m.start()]) || SCOPED.is_match(window)) {
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
}
