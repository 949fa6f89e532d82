//! `factls.toml`: which files make the corpus, where the knowledge base and
//! the sources live, which claim rules run at which severity, the explicit
//! claim markers, and custom rules. Also the overlay of editor settings.
//!
//! Parsing never fails as a whole unless the TOML itself is broken: a bad
//! value is a diagnostic at its place and the default is kept; an invalid
//! custom regex disables that one rule and names it. Custom regexes are
//! compiled with a size limit so a hostile config cannot exhaust memory.
//!
//! ```toml
//! [corpus]
//! include = ["**/*.txt", "**/*.md"]
//! exclude = ["drafts/**"]
//! knowledge-base = ["entities.toml"]
//! sources = ["sources.md"]
//!
//! [claims]
//! markers = ["[claim]", "[citation needed]", "[cn]", "{{citation needed}}"]
//!
//! [rules]
//! count = "off"
//! quotation = "error"
//!
//! [[custom-rule]]
//! id = "anonymous-source"
//! pattern = '\bsources? (close to|familiar with)\b'
//! message = "anonymous source"
//! severity = "warning"
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::diagnostic::{Diagnostic, Severity};
use super::rules;
use super::text::{ceil_char_boundary, floor_char_boundary};

/// The file name that marks a corpus root and holds the configuration.
pub const CONFIG_FILE: &str = "factls.toml";

/// Largest compiled size of one custom regex.
const CUSTOM_REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Largest custom pattern accepted, in bytes.
const CUSTOM_PATTERN_MAX_LEN: usize = 4096;

/// A rule is off, or on at a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

impl RuleLevel {
    pub fn parse(s: &str) -> Option<RuleLevel> {
        if s == "off" || s == "none" {
            return Some(RuleLevel::Off);
        }
        Severity::parse(s).map(RuleLevel::On)
    }
}

/// A rule written by the user in `[[custom-rule]]`.
#[derive(Clone, Debug)]
pub struct CustomRule {
    /// Shared with every claim of the rule (`RuleName::Custom`).
    pub id: Arc<str>,
    pub regex: Regex,
    pub message: String,
    pub severity: Severity,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub knowledge_base: Vec<String>,
    pub sources: Vec<String>,
    pub markers: Vec<String>,
    /// Overrides of rule levels by rule id; rules not named keep their
    /// default severity.
    pub rules: BTreeMap<String, RuleLevel>,
    pub custom_rules: Vec<CustomRule>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: vec!["**/*.txt".into(), "**/*.md".into(), "**/*.markdown".into()],
            exclude: Vec::new(),
            knowledge_base: vec!["entities.toml".into()],
            sources: vec!["sources.md".into()],
            markers: ["[claim]", "[citation needed]", "[cn]", "{{citation needed}}"].map(String::from).to_vec(),
            rules: BTreeMap::new(),
            custom_rules: Vec::new(),
        }
    }
}

impl Config {
    /// The level of a rule after overrides.
    pub fn level(&self, rule: &str, default: Severity) -> RuleLevel {
        self.rules.get(rule).copied().unwrap_or(RuleLevel::On(default))
    }

    /// Parses `factls.toml`. `Err` carries the diagnostics of a file that is
    /// not TOML at all (the caller keeps its last good config); `Ok` may
    /// still carry diagnostics about single values.
    pub fn parse(text: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| vec![toml_error("config-syntax", text, &e)])?;
        let mut diags = Vec::new();
        let mut config = Config::default();
        if let Some(corpus) = raw.corpus {
            for (target, globs) in [(&mut config.include, corpus.include), (&mut config.exclude, corpus.exclude)] {
                let Some(globs) = globs else { continue };
                target.clear();
                for g in globs {
                    match globset::Glob::new(g.get_ref()) {
                        Ok(_) => target.push(g.into_inner()),
                        Err(e) => diags.push(Diagnostic::new(
                            g.span(),
                            Severity::Error,
                            "config-invalid-glob",
                            format!("invalid glob `{}`: {}", g.get_ref(), e.kind()),
                        )),
                    }
                }
            }
            set_list(&mut config.knowledge_base, corpus.knowledge_base);
            set_list(&mut config.sources, corpus.sources);
        }
        if let Some(claims) = raw.claims
            && let Some(markers) = claims.markers
        {
            config.markers = markers.into_iter().filter(|m| !m.trim().is_empty()).collect();
        }
        let known: Vec<&str> = rules::builtin_ids().collect();
        for (id, level) in raw.rules.unwrap_or_default() {
            match RuleLevel::parse(level.get_ref()) {
                Some(l) => {
                    config.rules.insert(id.clone(), l);
                }
                None => diags.push(Diagnostic::new(
                    level.span(),
                    Severity::Error,
                    "config-invalid-severity",
                    format!(
                        "rule `{id}`: unknown level `{}` (expected off, error, warning, information or hint)",
                        level.get_ref()
                    ),
                )),
            }
            if !known.contains(&id.as_str()) && !raw.custom_rule.iter().flatten().any(|c| c.id.get_ref() == &id) {
                diags.push(Diagnostic::new(
                    level.span(),
                    Severity::Warning,
                    "config-unknown-rule",
                    format!("unknown rule `{id}`"),
                ));
            }
        }
        for custom in raw.custom_rule.unwrap_or_default() {
            let id = custom.id.get_ref().clone();
            let severity = match &custom.severity {
                None => Severity::Warning,
                Some(s) => match Severity::parse(s.get_ref()) {
                    Some(sev) => sev,
                    None => {
                        diags.push(Diagnostic::new(
                            s.span(),
                            Severity::Error,
                            "config-invalid-severity",
                            format!("custom rule `{id}`: unknown severity `{}`", s.get_ref()),
                        ));
                        Severity::Warning
                    }
                },
            };
            if known.contains(&id.as_str()) {
                diags.push(Diagnostic::new(
                    custom.id.span(),
                    Severity::Error,
                    "config-duplicate-rule",
                    format!("custom rule `{id}` has the id of a built-in rule"),
                ));
                continue;
            }
            match compile_custom(custom.pattern.get_ref()) {
                Ok(regex) => config.custom_rules.push(CustomRule {
                    id: Arc::from(id),
                    regex,
                    message: custom.message.map(|m| m.into_inner()).unwrap_or_else(|| "custom claim".into()),
                    severity,
                }),
                Err(e) => diags.push(Diagnostic::new(
                    custom.pattern.span(),
                    Severity::Error,
                    "config-invalid-regex",
                    format!("custom rule `{id}`: invalid regex: {e}"),
                )),
            }
        }
        Ok((config, diags))
    }

    /// Applies editor settings (LSP `initializationOptions` or
    /// `workspace/didChangeConfiguration`) on top of the file's config.
    /// Returns messages for values it could not use.
    pub fn apply_settings(&mut self, settings: &serde_json::Value) -> Vec<String> {
        let mut problems = Vec::new();
        let settings = settings.get("factls").unwrap_or(settings);
        if let Some(rules) = settings.get("rules").and_then(|r| r.as_object()) {
            for (id, level) in rules {
                match level.as_str().and_then(RuleLevel::parse) {
                    Some(l) => {
                        self.rules.insert(id.clone(), l);
                    }
                    None => problems.push(format!("setting factls.rules.{id}: unknown level {level}")),
                }
            }
        }
        for (key, target) in [("knowledgeBase", &mut self.knowledge_base), ("sources", &mut self.sources)] {
            if let Some(list) = settings.get(key).and_then(|v| v.as_array()) {
                *target = list.iter().filter_map(|v| v.as_str().map(String::from)).collect();
            }
        }
        problems
    }
}

fn set_list(target: &mut Vec<String>, value: Option<Vec<String>>) {
    if let Some(v) = value {
        *target = v;
    }
}

/// Compiles a custom rule's pattern with size limits.
pub fn compile_custom(pattern: &str) -> Result<Regex, String> {
    if pattern.len() > CUSTOM_PATTERN_MAX_LEN {
        return Err(format!("pattern is {} bytes, more than the limit of {CUSTOM_PATTERN_MAX_LEN}", pattern.len()));
    }
    if pattern.is_empty() {
        return Err("pattern is empty".into());
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(CUSTOM_REGEX_SIZE_LIMIT)
        .dfa_size_limit(CUSTOM_REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!("compiled regex exceeds the size limit of {limit} bytes"),
            e => {
                // The regex crate's message ends with a line `error: unclosed
                // group`; keep only what follows `error: `.
                let last = e.to_string().lines().last().unwrap_or("invalid").trim().to_string();
                last.strip_prefix("error: ").map(str::to_string).unwrap_or(last)
            }
        })
}

/// A TOML syntax or type error as a diagnostic at its place.
pub fn toml_error(code: &'static str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let range = e.span().unwrap_or(0..0);
    let start = floor_char_boundary(text, range.start);
    let range = start..ceil_char_boundary(text, range.end).max(start);
    let message = e.message().trim().trim_end_matches('.').to_string();
    // The `toml` crate gives an empty message for some errors (a lone
    // carriage return among them).
    let message = match message.is_empty() {
        false => lowercase_first(&message),
        true if text[range.start..].starts_with('\r') => {
            "a carriage return not followed by a line feed is not allowed here in TOML".to_string()
        }
        true => "invalid TOML".to_string(),
    };
    Diagnostic::new(range, Severity::Error, code, message)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawConfig {
    corpus: Option<RawCorpus>,
    claims: Option<RawClaims>,
    rules: Option<BTreeMap<String, Spanned<String>>>,
    custom_rule: Option<Vec<RawCustomRule>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawCorpus {
    include: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    knowledge_base: Option<Vec<String>>,
    sources: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaims {
    markers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomRule {
    id: Spanned<String>,
    pattern: Spanned<String>,
    message: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_custom_regex_names_the_rule_and_keeps_the_others() {
        let text = "[[custom-rule]]\nid = \"bad\"\npattern = \"(unclosed\"\n\n[[custom-rule]]\nid = \"good\"\npattern = \"sources say\"\n";
        let (config, diags) = Config::parse(text).expect("valid toml");
        assert_eq!(config.custom_rules.len(), 1);
        assert_eq!(&*config.custom_rules[0].id, "good");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "config-invalid-regex");
        assert!(diags[0].message.starts_with("custom rule `bad`: invalid regex"), "{}", diags[0].message);
        assert_eq!(&text[diags[0].range.clone()], "\"(unclosed\"");
    }

    #[test]
    fn huge_regex_is_refused() {
        let pattern = format!("(?:{}){{1000}}", "[a-z]".repeat(100));
        assert!(compile_custom(&pattern).is_err());
        assert_eq!(
            compile_custom("(a{1000}){1000}").err().as_deref(),
            Some("compiled regex exceeds the size limit of 1048576 bytes")
        );
    }

    #[test]
    fn rule_levels_and_unknown_levels() {
        let text = "[rules]\ncount = \"off\"\nquotation = \"loud\"\n";
        let (config, diags) = Config::parse(text).expect("valid toml");
        assert_eq!(config.rules.get("count"), Some(&RuleLevel::Off));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "config-invalid-severity");
        assert_eq!(&text[diags[0].range.clone()], "\"loud\"");
    }

    #[test]
    fn invalid_globs_are_reported_at_their_place_and_dropped() {
        let text = "[corpus]\ninclude = [\"**/*.txt\", \"a[\"]\n";
        let (config, diags) = Config::parse(text).expect("valid toml");
        assert_eq!(config.include, vec!["**/*.txt".to_string()]);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "config-invalid-glob");
        assert_eq!(&text[diags[0].range.clone()], "\"a[\"");
    }

    #[test]
    fn broken_toml_is_an_error_at_its_line() {
        let text = "[rules]\ncount = \n";
        let diags = Config::parse(text).expect_err("broken");
        assert_eq!(diags[0].code, "config-syntax");
        assert!(diags[0].range.start >= 8, "{:?}", diags[0].range);
    }
}
