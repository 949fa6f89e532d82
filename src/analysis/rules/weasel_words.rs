//! Rule `weasel-words` (warning): attributions to nobody in particular —
//! `some say`, `experts say`, `it is believed`, `studies show` — the
//! "unsupported attributions" of Wikipedia's Manual of Style (Words to
//! watch). Name who says it, or cite it.

use std::sync::LazyLock;

use super::{Rule, RuleInput, WordRegex, push_matches};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::TextRange;

pub static RULE: Rule = Rule {
    id: "weasel-words",
    default_severity: Severity::Warning,
    what: "weasel words",
    help: "name who says it or cite a source with [^key]",
    attributable: false,
    triggers: &[
        "people",
        "experts",
        "observers",
        "analysts",
        "critics",
        "scientists",
        "research",
        "commentators",
        "officials",
        "economists",
        "say",
        "argue",
        "believe",
        "claim",
        "contend",
        "said",
        "thought",
        "rumo",
        "suggested",
        "reported",
        "alleged",
        "held",
        "considered",
        "studies",
        "surveys",
        "polls",
        "evidence",
        "science",
        "widely",
        "commonly",
        "generally",
    ],
    find,
};

static PATTERN: LazyLock<WordRegex> = LazyLock::new(|| {
    WordRegex::new(
        r"(?i)\b(?:(?:some|many|most|several|certain)\s+(?:people|experts|observers|analysts|critics|scientists|researchers|commentators|officials|economists)\s+(?:say|said|argue|argued|believe|believed|claim|claimed|contend|think|suggest|agree|warn|feel)|(?:some|many)\s+(?:say|argue|believe|claim|contend)|(?:experts|critics|observers|analysts|scientists|researchers|commentators)\s+(?:say|said|argue|argued|believe|claim|claimed|contend|warn|agree|suggest)|it\s+(?:is|was|has\s+been)\s+(?:widely\s+|generally\s+|often\s+|commonly\s+|sometimes\s+)?(?:believed|said|thought|claimed|rumou?red|argued|suggested|reported|alleged|held|considered)|(?:studies|research|surveys|polls|evidence|science)\s+(?:show|shows|suggest|suggests|indicate|indicates|proves?|has\s+shown|have\s+shown)|(?:widely|commonly|generally)\s+(?:believed|regarded|considered|thought|seen|accepted)|there\s+is\s+(?:growing|mounting|increasing)\s+evidence|(?:many|some)\s+(?:would|might|could)\s+(?:say|argue))\b",
    )
    .map(WordRegex::matching_no_letters)
    .expect("weasel regex")
});

fn find(input: &RuleInput, out: &mut Vec<TextRange>) {
    push_matches(&PATTERN, input, 0, out);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run;
    use super::*;

    #[test]
    fn unsupported_attributions() {
        assert_eq!(
            run(&RULE, "Experts say it failed; it is widely believed that studies show harm, and some people say so."),
            vec!["Experts say", "it is widely believed", "studies show", "some people say"]
        );
        assert!(run(&RULE, "Some of the day, experts met; many people came.").is_empty());
    }
}
