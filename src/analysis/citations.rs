//! Citation uses `[^key]` in prose. Definitions (`[^key]: …` at a line
//! start) are found by `source::definitions`; resolving a key against the
//! corpus's source files is the index's job, through the `Sources` trait.

use std::sync::LazyLock;

use regex::Regex;

use super::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitationUse {
    pub key: String,
    /// `[^key]`, brackets included.
    pub range: TextRange,
    /// Just `key`.
    pub key_range: TextRange,
}

static USE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[\^([^\]\s]+)\]").expect("citation regex"));

/// Citation uses outside `non_prose` (sorted ranges).
pub fn uses(text: &str, non_prose: &[TextRange]) -> Vec<CitationUse> {
    USE.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let key = c.get(1)?;
            let inside = non_prose.iter().any(|r| r.start <= whole.start() && whole.end() <= r.end);
            (!inside).then(|| CitationUse {
                key: key.as_str().to_string(),
                range: whole.range(),
                key_range: key.range(),
            })
        })
        .collect()
}

/// What the corpus knows about source keys, as seen by one document.
pub trait Sources {
    /// Whether `key` is defined in a source file of the corpus.
    fn is_defined(&self, key: &str) -> bool;
}

/// No source files at all.
pub struct NoSources;

impl Sources for NoSources {
    fn is_defined(&self, _key: &str) -> bool {
        false
    }
}

impl Sources for std::collections::HashSet<String> {
    fn is_defined(&self, key: &str) -> bool {
        self.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_skip_definitions() {
        let text = "A claim.[^a] Another[^b-2].\n[^a]: https://example.org\n";
        let def_line = text.find("[^a]:").expect("def")..text.len() - 1;
        let found = uses(text, &[def_line]);
        let found: Vec<(&str, &str)> = found.iter().map(|u| (u.key.as_str(), &text[u.range.clone()])).collect();
        assert_eq!(found, vec![("a", "[^a]"), ("b-2", "[^b-2]")]);
    }
}
