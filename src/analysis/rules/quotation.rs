//! Rule `quotation` (warning; information when attributed): a quotation in
//! curly or straight double quotes. A quotation whose sentence names the
//! speaker (`“…,” Wilcox said`), or that continues an attributed quotation
//! in the next sentence of the same paragraph, is attributed. Scare quotes
//! — one or two quoted words with no speaker — are not claims.

use super::{Rule, RuleInput};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

/// Quotes of at most this many words need a speaker to count.
pub const SCARE_QUOTE_WORDS: usize = 2;

pub static RULE: Rule = Rule {
    id: "quotation",
    default_severity: Severity::Warning,
    what: "quotation",
    help: "name the speaker and cite a source with [^key]",
    attributable: true,
    triggers: &[],
    find,
};

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    // Scare quotes are filtered in `claims`, once the speaker is known.
    out.extend(input.quotes.iter().map(|q| q.range.clone()));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn curly_and_straight_quotes() {
        assert_eq!(
            run(&RULE, "“It is shocking,” he said, and \"we agree\" they said."),
            vec!["“It is shocking,”", "\"we agree\""]
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert!(run(&RULE, "Krasner’s office and the city’s taxpayers.").is_empty());
    }
}
