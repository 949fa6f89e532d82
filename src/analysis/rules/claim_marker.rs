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
    find,
};

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    let para = &input.text[input.paragraph.clone()];
    let lower = para.to_ascii_lowercase();
    let start = out.len();
    for marker in input.markers {
        let needle = marker.to_ascii_lowercase();
        if needle.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let at = from + i;
            out.push(input.paragraph.start + at..input.paragraph.start + at + needle.len());
            from = at + needle.len();
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
