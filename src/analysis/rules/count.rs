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
    WordRegex::new(&format!(
        r"{QUALIFIER}(?:\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\s(?:million|billion|thousand|hundred))?|\b(?:dozens|hundreds|thousands|millions|billions|tens of thousands|hundreds of thousands) of)\s(?:[a-z]*[a-rt-z][- ])?(?P<noun>[a-z]{{3,}}s)\b"
    ))
    .map(WordRegex::matching_no_letters)
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
    // The ASCII twin where that is exact: same offsets, and a match holds
    // none of the replaced characters, so its text is the paragraph's.
    let (haystack, re) = PATTERN.pick_for(input);
    for m in re.find_iter(haystack) {
        let Some((noun, n)) = groups(re, haystack, m) else { continue };
        if NOT_COUNTED.contains(&noun) {
            continue;
        }
        // `$40 millions`, `No. 5 cases`: money and labels are not counts.
        if para[..m.start()].ends_with(['$', '€', '£', '#']) || para[..m.start()].ends_with("No. ") {
            continue;
        }
        if let Some(digits) = n {
            let year_like = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
            if year_like {
                continue;
            }
        }
        out.push(base + m.start()..base + m.end());
    }
}

/// The `noun` and `n` groups of match `m` of `re`.
///
/// An ASCII match is read without a capture search: `noun` ends the match
/// and follows a space or `-`, so it is the match's trailing run of
/// `a`–`z`; `n` is there exactly when the match holds a digit (neither the
/// qualifier, nor `dozens of`, nor the noun part has one), starts at its
/// first digit and, being digits and commas followed by a space, runs to
/// the first other byte. Any other match asks the regex for its groups
/// (the match found at `m.start()` is `m` again).
fn groups<'h>(re: &regex::Regex, para: &'h str, m: regex::Match<'h>) -> Option<(&'h str, Option<&'h str>)> {
    let s = m.as_str();
    if s.is_ascii() {
        let b = s.as_bytes();
        let noun_start = b.iter().rposition(|c| !c.is_ascii_lowercase()).map_or(0, |i| i + 1);
        let n = b.iter().position(u8::is_ascii_digit).map(|d| {
            let len = b[d..].iter().position(|c| !(c.is_ascii_digit() || *c == b',')).unwrap_or(b.len() - d);
            &s[d..d + len]
        });
        return Some((&s[noun_start..], n));
    }
    groups_by_captures(re, para, m)
}

fn groups_by_captures<'h>(re: &regex::Regex, para: &'h str, m: regex::Match<'h>) -> Option<(&'h str, Option<&'h str>)> {
    let c = re.captures_at(para, m.start())?;
    Some((c.name("noun")?.as_str(), c.name("n").map(|n| n.as_str())))
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

    /// The groups read from an ASCII match are those of the capture search.
    fn check_groups(text: &str) {
        for re in [PATTERN.pick(false), PATTERN.pick(true)] {
            for m in re.find_iter(text) {
                assert_eq!(groups(re, text, m), groups_by_captures(re, text, m), "{:?} in {text:?}", m.as_str());
            }
        }
    }

    #[test]
    fn groups_without_captures() {
        check_groups(
            "The office reviewed 1,200 cases, 12,345,67 apples and more than 300 criminal immigrants; thousands of \
             voters, 2019 voters, 1,000,000 people, 3 million refugees, tens of thousands of well-paid workers, \
             dozens of state-run agencies and 5\tcats, 2019\u{a0}voters, Gascón’s 40 vaqueros.",
        );
    }

    const VOCAB: &[&str] = &[
        "1",
        "2019",
        "1,200",
        ",",
        "300",
        "more than",
        "nearly",
        "thousands of",
        "dozens",
        "of",
        "million",
        "hundred",
        "cases",
        "voters",
        "well-paid",
        "state",
        "-",
        "run",
        "years",
        "immigrants",
        "ó",
        "\t",
        "\u{a0}",
        "No.",
        "$",
    ];

    proptest::proptest! {
        #[test]
        fn groups_agree_with_the_capture_search(words in proptest::collection::vec(proptest::sample::select(VOCAB), 0..12)) {
            check_groups(&words.join(" "));
        }
    }
}
