//! Rule `claim-marker` (warning): an annotator's explicit marker —
//! `[claim]`, `[citation needed]`, `[cn]`, `{{citation needed}}`, or those
//! configured in `factls.toml` `[claims] markers` — says the sentence needs
//! a source. Matching ignores case.

use super::{Rule, RuleInput};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "claim-marker",
    default_severity: Severity::Warning,
    what: "claim marked",
    help: "an annotator asked for a source: cite one with [^key]",
    attributable: false,
    triggers: &[],
    find,
};

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let para = &input.text[input.paragraph.clone()];
    let bytes = para.as_bytes();
    let start = out.len();
    for marker in input.markers {
        // ASCII-case-insensitive, non-overlapping, left to right (as a
        // search in the lowercased paragraph would be), without copying it.
        let needle = marker.as_bytes();
        let Some(&first) = needle.first() else { continue };
        let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        let mut at = 0;
        while at + needle.len() <= bytes.len() {
            // The first byte of a marker (`[`, `{`) is found with memchr.
            let next = if lower == upper {
                memchr::memchr(first, &bytes[at..])
            } else {
                memchr::memchr2(lower, upper, &bytes[at..])
            };
            let Some(i) = next else { break };
            at += i;
            if at + needle.len() <= bytes.len() && bytes[at..at + needle.len()].eq_ignore_ascii_case(needle) {
                out.push(input.paragraph.start + at..input.paragraph.start + at + needle.len());
                at += needle.len();
            } else {
                at += 1;
            }
        }
    }
    out[start..].sort_by_key(|r| r.start);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(
            run(&RULE, "It grew.[citation needed] It fell [CN] and {{citation needed}} and [claim]."),
            vec!["[citation needed]", "[CN]", "{{citation needed}}", "[claim]"]
        );
    }
}
