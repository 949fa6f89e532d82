//! The knowledge base: `[[entity]]` tables from one or more TOML files,
//! parsed with spans so every entity knows where its entry, id and name
//! are, and every problem is reported at its place.
//!
//! Invariants:
//! - ids are unique across all files (a duplicate is an error at the second
//!   one, which is dropped);
//! - a surface form (name, alias, learned alias) names exactly one entity:
//!   a form claimed by two entities is reported and used for neither, never
//!   picked silently;
//! - a file that is not TOML yields `Err` with its diagnostics, so callers
//!   keep their last good knowledge base.
//!
//! Learned aliases: a person's surname (`Krasner` for `Larry Krasner`).
//! Acronyms (`IRLI` for `Immigration Reform Law Institute (IRLI)`) are
//! learned from the corpus text, in `names::lexicon`.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use super::config::toml_error;
use super::diagnostic::{Diagnostic, Severity};
use super::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Person,
    Organization,
    Place,
    Law,
    Event,
    Other,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Place,
        EntityKind::Law,
        EntityKind::Event,
        EntityKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
            EntityKind::Law => "law",
            EntityKind::Event => "event",
            EntityKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        Some(match s {
            "person" => EntityKind::Person,
            "organization" | "organisation" => EntityKind::Organization,
            "place" => EntityKind::Place,
            "law" => EntityKind::Law,
            "event" => EntityKind::Event,
            "other" => EntityKind::Other,
            _ => return None,
        })
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an entity is written down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitySpans {
    /// Index of the knowledge-base file in [`KnowledgeBase::files`].
    pub file: usize,
    /// From the `[[entity]]` header to the end of the table's last line.
    pub entry: TextRange,
    /// The id's string value, quotes included.
    pub id: TextRange,
    /// The name's string value, quotes included.
    pub name: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    /// Aliases written in the file.
    pub aliases: Vec<String>,
    /// Aliases factls learned (a person's surname).
    pub learned: Vec<String>,
    pub description: Option<String>,
    pub sources: Vec<String>,
    pub spans: EntitySpans,
}

impl Entity {
    /// Every surface form: name, aliases, learned aliases.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.learned.iter().map(String::as_str))
    }
}

/// One knowledge-base file as read.
#[derive(Clone, Debug)]
pub struct KbFile {
    /// Path as configured, relative to the corpus root (or absolute).
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Debug, Default)]
pub struct KnowledgeBase {
    pub entities: Vec<Entity>,
    pub files: Vec<KbFile>,
    by_id: HashMap<String, usize>,
}

/// Result of parsing one file: its entities, and diagnostics about values.
pub struct ParsedKbFile {
    pub entities: Vec<Entity>,
    pub diagnostics: Vec<Diagnostic>,
}

const FIELDS: [&str; 6] = ["id", "name", "kind", "aliases", "description", "sources"];

/// Parses one knowledge-base file. `file` is its index in the final base.
pub fn parse_file(text: &str, file: usize) -> Result<ParsedKbFile, Vec<Diagnostic>> {
    let raw: RawKb = toml::from_str(text).map_err(|e| vec![toml_error("kb-syntax", text, &e)])?;
    let headers = entity_headers(text);
    let mut diagnostics = Vec::new();
    let mut entities = Vec::new();
    let raw_entities = raw.entity.unwrap_or_default();
    let use_headers = headers.len() == raw_entities.len();
    for (i, raw) in raw_entities.into_iter().enumerate() {
        let entry = if use_headers {
            headers[i].clone()
        } else {
            let at = raw.id.as_ref().map(|s| s.span()).unwrap_or(0..0);
            line_around(text, at)
        };
        diagnostics.extend(unknown_fields(text, entry.clone()));
        let header = entry.start..line_end(text, entry.start);
        let (Some(id), Some(name)) = (raw.id, raw.name) else {
            diagnostics.push(Diagnostic::new(
                header,
                Severity::Error,
                "kb-missing-field",
                "entity has no `id` or no `name`: both are required",
            ));
            continue;
        };
        let id_text = id.get_ref().trim().to_string();
        if id_text.is_empty() || name.get_ref().trim().is_empty() {
            diagnostics.push(Diagnostic::new(
                if id_text.is_empty() { id.span() } else { name.span() },
                Severity::Error,
                "kb-missing-field",
                "entity id and name must not be empty",
            ));
            continue;
        }
        let kind = match &raw.kind {
            None => EntityKind::Other,
            Some(k) => EntityKind::parse(k.get_ref()).unwrap_or_else(|| {
                diagnostics.push(Diagnostic::new(
                    k.span(),
                    Severity::Error,
                    "kb-unknown-kind",
                    format!(
                        "unknown kind `{}` for `{id_text}` (expected person, organization, place, law, event or other)",
                        k.get_ref()
                    ),
                ));
                EntityKind::Other
            }),
        };
        let name_text = name.get_ref().trim().to_string();
        let learned = match kind {
            EntityKind::Person => surname(&name_text).into_iter().collect(),
            _ => Vec::new(),
        };
        let aliases: Vec<String> = raw
            .aliases
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.into_inner().trim().to_string())
            .filter(|a| !a.is_empty() && *a != name_text)
            .collect();
        let learned = learned.into_iter().filter(|l| !aliases.contains(l)).collect();
        entities.push(Entity {
            id: id_text,
            name: name_text,
            kind,
            aliases,
            learned,
            description: raw.description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
            sources: raw.sources.unwrap_or_default(),
            spans: EntitySpans { file, entry, id: id.span(), name: name.span() },
        });
    }
    Ok(ParsedKbFile { entities, diagnostics })
}

impl KnowledgeBase {
    /// Merges parsed files (in configured order) into one base, reporting
    /// duplicate ids and ambiguous aliases in the file where they occur.
    /// `texts[i]` is the text of file `i`, used to place alias diagnostics.
    pub fn build(files: Vec<(String, ParsedKbFile)>, texts: &[&str]) -> KnowledgeBase {
        let mut kb = KnowledgeBase::default();
        for (index, (path, parsed)) in files.into_iter().enumerate() {
            kb.files.push(KbFile { path, diagnostics: parsed.diagnostics });
            for entity in parsed.entities {
                if let Some(&first) = kb.by_id.get(&entity.id) {
                    let first_path = kb.files[kb.entities[first].spans.file].path.clone();
                    let line = texts
                        .get(kb.entities[first].spans.file)
                        .map(|t| t[..kb.entities[first].spans.id.start.min(t.len())].lines().count())
                        .unwrap_or(0);
                    kb.files[index].diagnostics.push(Diagnostic::new(
                        entity.spans.id.clone(),
                        Severity::Error,
                        "kb-duplicate-id",
                        format!("duplicate entity id `{}` (first defined in {first_path}:{line})", entity.id),
                    ));
                    continue;
                }
                kb.by_id.insert(entity.id.clone(), kb.entities.len());
                kb.entities.push(entity);
            }
        }
        kb.resolve_ambiguity(texts);
        kb
    }

    /// Drops every surface form that two entities claim, with a diagnostic.
    fn resolve_ambiguity(&mut self, texts: &[&str]) {
        let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in self.entities.iter().enumerate() {
            for form in e.forms() {
                let list = owners.entry(form.to_string()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        let mut ambiguous: Vec<(String, Vec<usize>)> = owners.into_iter().filter(|(_, v)| v.len() > 1).collect();
        ambiguous.sort();
        for (form, owners) in ambiguous {
            let ids: Vec<String> = owners.iter().map(|&i| format!("`{}`", self.entities[i].id)).collect();
            for &i in &owners {
                let e = &mut self.entities[i];
                let declared = e.name == form || e.aliases.contains(&form);
                e.aliases.retain(|a| *a != form);
                e.learned.retain(|a| *a != form);
                let text = texts.get(e.spans.file).copied().unwrap_or("");
                let range = find_quoted(text, e.spans.entry.clone(), &form).unwrap_or(e.spans.name.clone());
                let (severity, message) = if declared {
                    (
                        Severity::Warning,
                        format!("ambiguous alias `{form}`: it names {}; used for none of them", ids.join(" and ")),
                    )
                } else {
                    (
                        Severity::Information,
                        format!(
                            "learned alias `{form}` would name {}; not used: list it in `aliases` of one of them",
                            ids.join(" and ")
                        ),
                    )
                };
                self.files[e.spans.file].diagnostics.push(Diagnostic::new(
                    range,
                    severity,
                    "kb-ambiguous-alias",
                    message,
                ));
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &self.entities[i])
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }
}

/// A person's surname: the last word of a multi-word name, skipping
/// generational suffixes.
pub fn surname(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let words: Vec<&str> = match words.split_last() {
        Some((last, rest)) if ["Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV"].contains(last) => rest.to_vec(),
        _ => words,
    };
    if words.len() < 2 {
        return None;
    }
    let last = words.last()?.trim_end_matches(',');
    let starts_upper = last.chars().next().is_some_and(char::is_uppercase);
    (starts_upper && last.chars().count() > 1).then(|| last.to_string())
}

/// The byte range of each `[[entity]]` table: header to the last non-blank
/// line before the next table header.
fn entity_headers(text: &str) -> Vec<TextRange> {
    let mut tables: Vec<(usize, bool)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let is_entity = compact.starts_with("[[entity]]");
            tables.push((offset, is_entity));
        }
        offset += line.len();
    }
    let mut out = Vec::new();
    for (i, &(start, is_entity)) in tables.iter().enumerate() {
        if !is_entity {
            continue;
        }
        let next = tables.get(i + 1).map(|t| t.0).unwrap_or(text.len());
        let body = &text[start..next];
        let trimmed = body.trim_end();
        out.push(start..start + trimmed.len());
    }
    out
}

fn line_end(text: &str, from: usize) -> usize {
    text[from.min(text.len())..].find(['\n', '\r']).map(|i| from + i).unwrap_or(text.len())
}

fn line_around(text: &str, at: TextRange) -> TextRange {
    let start = text[..at.start.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0);
    start..line_end(text, at.start)
}

/// Keys in an entity's table that factls does not know.
fn unknown_fields(text: &str, entry: TextRange) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut offset = entry.start;
    for line in text[entry.clone()].split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if let Some(eq) = t.find('=') {
            let key = t[..eq].trim();
            let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if plain && !FIELDS.contains(&key) {
                let start = offset + indent;
                out.push(Diagnostic::new(
                    start..start + key.len(),
                    Severity::Warning,
                    "kb-unknown-field",
                    format!("unknown field `{key}` (expected one of {})", FIELDS.join(", ")),
                ));
            }
        }
        offset += line.len();
    }
    out
}

/// The range of `"form"` (quotes included) inside `within`.
fn find_quoted(text: &str, within: TextRange, form: &str) -> Option<TextRange> {
    let within = within.start.min(text.len())..within.end.min(text.len());
    let hay = &text[within.clone()];
    for quote in ['"', '\''] {
        let needle = format!("{quote}{form}{quote}");
        if let Some(i) = hay.find(&needle) {
            let start = within.start + i;
            return Some(start..start + needle.len());
        }
    }
    None
}

#[derive(Deserialize)]
struct RawKb {
    entity: Option<Vec<RawEntity>>,
}

#[derive(Deserialize)]
struct RawEntity {
    id: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    aliases: Option<Vec<Spanned<String>>>,
    description: Option<String>,
    sources: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> KnowledgeBase {
        let parsed = parse_file(text, 0).expect("parses");
        KnowledgeBase::build(vec![("entities.toml".into(), parsed)], &[text])
    }

    const TWO: &str = r#"[[entity]]
id = "larry-krasner"
name = "Larry Krasner"
kind = "person"
aliases = ["DA Krasner"]

[[entity]]
id = "irli"
name = "Immigration Reform Law Institute"
kind = "organization"
aliases = ["IRLI"]
"#;

    #[test]
    fn entities_know_their_spans_and_learn_surnames() {
        let kb = build(TWO);
        let k = kb.get("larry-krasner").expect("entity");
        assert_eq!(&TWO[k.spans.id.clone()], "\"larry-krasner\"");
        assert_eq!(&TWO[k.spans.name.clone()], "\"Larry Krasner\"");
        assert_eq!(&TWO[k.spans.entry.clone()], &TWO[..TWO.find("\n\n").expect("blank")]);
        assert_eq!(k.learned, vec!["Krasner".to_string()]);
        assert_eq!(kb.get("irli").expect("irli").learned, Vec::<String>::new());
        assert!(kb.files[0].diagnostics.is_empty());
    }

    #[test]
    fn duplicate_id_unknown_kind_and_shared_alias_are_reported_in_place() {
        let text = r#"[[entity]]
id = "a"
name = "Alpha One"
kind = "planet"
aliases = ["AO"]

[[entity]]
id = "a"
name = "Alpha Two"

[[entity]]
id = "b"
name = "Beta"
aliases = ["AO"]
"#;
        let kb = build(text);
        let d: Vec<(&str, &str)> =
            kb.files[0].diagnostics.iter().map(|d| (d.code.as_str(), &text[d.range.clone()])).collect();
        assert_eq!(
            d,
            vec![
                ("kb-unknown-kind", "\"planet\""),
                ("kb-duplicate-id", "\"a\""),
                ("kb-ambiguous-alias", "\"AO\""),
                ("kb-ambiguous-alias", "\"AO\""),
            ]
        );
        assert_eq!(kb.entities.len(), 2);
        assert!(kb.entities.iter().all(|e| !e.aliases.contains(&"AO".to_string())));
        assert_eq!(kb.get("a").map(|e| e.kind), Some(EntityKind::Other));
        assert_eq!(kb.files[0].diagnostics[1].message, "duplicate entity id `a` (first defined in entities.toml:2)");
    }

    #[test]
    fn broken_toml_is_reported_at_its_line() {
        let text = "[[entity]]\nid = \"x\"\nname = \"Unclosed\n";
        let diags = parse_file(text, 0).err().expect("broken");
        assert_eq!(diags[0].code, "kb-syntax");
        let line = text[..diags[0].range.start].matches('\n').count();
        assert_eq!(line, 2);
    }

    #[test]
    fn surnames() {
        assert_eq!(surname("Larry Krasner").as_deref(), Some("Krasner"));
        assert_eq!(surname("Martin Luther King Jr.").as_deref(), Some("King"));
        assert_eq!(surname("Matt O’Brien").as_deref(), Some("O’Brien"));
        assert_eq!(surname("Madonna"), None);
    }
}
