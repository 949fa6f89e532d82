//! Rule `count` (warning): a counted quantity of people or things —
//! `1,200 cases`, `more than 300 immigrants`, `thousands of voters` — needs
//! a source. Durations (`20 years`), money and percentages are left to their
//! own rules; years are not counts.

use std::sync::LazyLock;

use super::{QUALIFIER, Rule, RuleInput, WordRegex};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "count",
    default_severity: Severity::Warning,
    what: "count",
    help: "cite a source with [^key] in this sentence",
    attributable: false,
    triggers: &[
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "dozens",
        "hundreds",
        "thousands",
        "millions",
        "billions",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::with_required(&format!(
        r"{QUALIFIER}(?:\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\s(?:million|billion|thousand|hundred))?|\b(?:dozens|hundreds|thousands|millions|billions|tens of thousands|hundreds of thousands) of)\s(?:[a-z]*[a-rt-z][- ])?(?P<noun>[a-z]{{3,}}s)\b"
    ), r"\d|dozens|hundreds|thousands|millions|billions")
    .expect("count regex")
});

const NOT_COUNTED: &[&str] = &[
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "decades",
    "centuries",
    "times",
    "percents",
    "dollars",
    "euros",
    "pounds",
    "cents",
    "points",
    "miles",
    "kilometers",
    "meters",
    "feet",
    "inches",
    "pages",
    "degrees",
    "bytes",
    "kilobytes",
    "megabytes",
    "gigabytes",
    "bits",
    "characters",
    "chars",
    "lines",
    "words",
    "columns",
    "rows",
];

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let base = input.paragraph.start;
    let para = &input.text[input.paragraph.clone()];
    if PATTERN.ruled_out(para) {
        return;
    }
    let re = PATTERN.pick(input.unicode_words);
    // Groups only for the matches (rare), not a capture search of the
    // whole paragraph: the match found at `m.start()` is `m` again.
    for m in re.find_iter(para) {
        let Some(c) = re.captures_at(para, m.start()) else { continue };
        let Some(noun) = c.name("noun") else { continue };
        if NOT_COUNTED.contains(&noun.as_str()) {
            continue;
        }
        // `$40 millions`, `No. 5 cases`: money and labels are not counts.
        if para[..m.start()].ends_with(['$', '€', '£', '#']) || para[..m.start()].ends_with("No. ") {
            continue;
        }
        if let Some(n) = c.name("n") {
            let digits = n.as_str();
            let year_like = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
            if year_like {
                continue;
            }
        }
        out.push(base + m.start()..base + m.end());
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(
            run(
                &RULE,
                "The office reviewed 1,200 cases and more than 300 criminal immigrants; thousands of voters agreed."
            ),
            vec!["1,200 cases", "more than 300 criminal immigrants", "thousands of voters"]
        );
    }

    #[test]
    fn durations_years_and_money_are_not_counts() {
        assert!(run(&RULE, "For 20 years, since 2017 elections, $40 millions went by 3 times.").is_empty());
        assert!(run(&RULE, "The emoji is 4 bytes and 2 characters over 3 lines.").is_empty());
    }
}
