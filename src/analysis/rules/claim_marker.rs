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
    // The bytes markers start with, in both cases: the default markers
    // start with `[` or `{`, so one memchr pass finds every place where
    // one may stand (with more than three such bytes, a table of them).
    let mut is_first = [false; 256];
    let mut firsts = [0u8; 3];
    let mut count = 0;
    for first in input.markers.iter().filter_map(|m| m.as_bytes().first()) {
        for b in [first.to_ascii_lowercase(), first.to_ascii_uppercase()] {
            if !is_first[b as usize] {
                is_first[b as usize] = true;
                if count < 3 {
                    firsts[count] = b;
                }
                count += 1;
            }
        }
    }
    // Each marker's matches do not overlap one another: where it may match
    // next (set at its first match).
    let mut next: Vec<usize> = Vec::new();
    let mut at_place = |at: usize, out: &mut Vec<TextRange>| {
        for (k, marker) in input.markers.iter().enumerate() {
            let needle = marker.as_bytes();
            if needle.is_empty() || next.get(k).is_some_and(|&n| at < n) {
                continue;
            }
            if bytes.get(at..at + needle.len()).is_some_and(|b| b.eq_ignore_ascii_case(needle)) {
                next.resize(input.markers.len(), 0);
                next[k] = at + needle.len();
                out.push(input.paragraph.start + at..input.paragraph.start + at + needle.len());
            }
        }
    };
    // ASCII-case-insensitive, left to right (as a search in the lowercased
    // paragraph would be), without copying it; at one place, in the
    // markers' order.
    match firsts[..count.min(3)] {
        _ if count > 3 => (0..bytes.len()).filter(|&at| is_first[bytes[at] as usize]).for_each(|at| at_place(at, out)),
        [] => {}
        [a] => memchr::memchr_iter(a, bytes).for_each(|at| at_place(at, out)),
        [a, b] => memchr::memchr2_iter(a, b, bytes).for_each(|at| at_place(at, out)),
        [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).for_each(|at| at_place(at, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    /// Each marker's non-overlapping matches in the lowercased paragraph,
    /// left to right, sorted by start (markers in order at one start).
    fn by_lowercasing(markers: &[String], text: &str) -> Vec<TextRange> {
        let lower = text.to_ascii_lowercase();
        let mut out: Vec<TextRange> = Vec::new();
        for m in markers.iter().filter(|m| !m.is_empty()) {
            out.extend(lower.match_indices(&m.to_ascii_lowercase()).map(|(i, s)| i..i + s.len()));
        }
        out.sort_by_key(|r| r.start);
        out
    }

    fn with_markers(markers: &[String], text: &str) -> Vec<TextRange> {
        let input =
            RuleInput { text, paragraph: 0..text.len(), quotes: &[], markers, unicode_words: false, ascii_twin: None };
        let mut out = Vec::new();
        find(&input, &mut out);
        out
    }

    proptest::proptest! {
        /// Markers that share a first byte, overlap, repeat, differ in
        /// case, or start with more than three bytes.
        #[test]
        fn markers_are_found_as_in_the_lowercased_text(
            markers in proptest::collection::vec("[\\[{(cCnN]{0,1}[cCnNx\\]]{0,3}", 0..6),
            text in "[\\[{(cCnNx\\] é]{0,40}",
        ) {
            proptest::prop_assert_eq!(with_markers(&markers, &text), by_lowercasing(&markers, &text));
        }
    }

    #[test]
    fn markers() {
        assert_eq!(
            run(&RULE, "It grew.[citation needed] It fell [CN] and {{citation needed}} and [claim]."),
            vec!["[citation needed]", "[CN]", "{{citation needed}}", "[claim]"]
        );
    }
}
