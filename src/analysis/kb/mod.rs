//! The knowledge base: `[[entity]]` tables from one or more TOML files,
//! parsed with spans so every entity knows where its entry, id and name
//! are, and every problem is reported at its place. A file in the form
//! nearly all are written in is read by `plain.rs`, the rest by `toml`
//! (which also reports every syntax error).
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

mod plain;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::config::toml_error;
use super::diagnostic::{Diagnostic, Severity};
use super::names::lexicon::{KbForms, KbPatterns, kb_forms};
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
    by_id: HashMap<String, usize, foldhash::fast::RandomState>,
    /// Every form, apostrophe-folded, → the first entity that names it.
    /// Shared by a base built over one with the same names
    /// ([`KnowledgeBase::build_over`]).
    forms: Arc<KbForms>,
    /// The same forms indexed for the search of texts: every lexicon
    /// over this knowledge base shares it.
    patterns: Arc<KbPatterns>,
}

/// Result of parsing one file: its entities, and diagnostics about values.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedKbFile {
    pub entities: Vec<Entity>,
    pub diagnostics: Vec<Diagnostic>,
}

const FIELDS: [&str; 6] = ["id", "name", "kind", "aliases", "description", "sources"];

/// Bytes of entity tables parsed together, one chunk per task.
const CHUNK_BYTES: usize = 64 * 1024;

/// Parses one knowledge-base file. `file` is its index in the final base.
///
/// A large file is parsed in chunks of whole `[[entity]]` tables on all
/// cores: the `toml` crate builds a document tree of about twenty times
/// the text, so one chunk at a time also keeps that peak small.
pub fn parse_file(text: &str, file: usize) -> Result<ParsedKbFile, Vec<Diagnostic>> {
    parse_file_in_chunks(text, file, CHUNK_BYTES)
}

/// [`parse_file`] with chunks of at least `chunk_bytes` (`usize::MAX`: the
/// whole file at once). The result is the same for every chunk size.
///
/// Chunks start only at `[[entity]]` header lines, and only when every
/// table header is one: then no key or table can be defined twice across
/// chunks. A header line that is really inside a multi-line string or
/// array leaves the chunk before it unterminated, so that chunk fails; any
/// failing chunk sends the whole file through one parse, which reports the
/// error where the whole file has it.
pub fn parse_file_in_chunks(text: &str, file: usize, chunk_bytes: usize) -> Result<ParsedKbFile, Vec<Diagnostic>> {
    parse_with(text, file, chunk_bytes, Reader::PlainFirst)
}

/// Which reader reads a file's tables.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// `plain.rs`, and `toml` where it gives up.
    PlainFirst,
    /// `toml` alone (what the plain reader is compared with in tests).
    #[cfg(test)]
    Toml,
}

fn parse_with(text: &str, file: usize, chunk_bytes: usize, reader: Reader) -> Result<ParsedKbFile, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let tables = table_lines(text);
    let headers = entity_tables(text, &tables);
    let chunks = chunks(text, &tables, &headers, chunk_bytes);
    if chunks.len() > 1 {
        let parsed: Option<Vec<ParsedKbFile>> = chunks
            .par_iter()
            .map(|(bytes, tables)| {
                let raws = raw_entities(&text[bytes.clone()], tables.len(), reader)
                    .ok()?
                    .into_iter()
                    .map(|r| r.shifted(bytes.start))
                    .collect();
                Some(convert(text, raws, &headers[tables.clone()], file))
            })
            .collect();
        if let Some(parsed) = parsed {
            let mut all = ParsedKbFile {
                entities: Vec::with_capacity(parsed.iter().map(|p| p.entities.len()).sum()),
                diagnostics: Vec::new(),
            };
            for p in parsed {
                all.entities.extend(p.entities);
                all.diagnostics.extend(p.diagnostics);
            }
            return Ok(all);
        }
    }
    let raws = raw_entities(text, headers.len(), reader).map_err(|e| vec![toml_error("kb-syntax", text, &e)])?;
    Ok(convert(text, raws, &headers, file))
}

/// The `[[entity]]` tables of `text` (about `tables` of them): read by
/// `plain.rs` where the file is in the form nearly every knowledge base
/// has, else by `toml`.
fn raw_entities(text: &str, tables: usize, reader: Reader) -> Result<Vec<RawEntity>, toml::de::Error> {
    if reader == Reader::PlainFirst
        && let Some(entities) = plain::entities(text, tables)
    {
        return Ok(entities);
    }
    let raw: RawKb = toml::from_str(text)?;
    Ok(raw.entity.unwrap_or_default())
}

/// Byte ranges of the chunks, each with the range of its entries in
/// `headers`; a single chunk when the file cannot be split safely.
fn chunks(
    text: &str,
    tables: &[(usize, bool)],
    headers: &[TextRange],
    chunk_bytes: usize,
) -> Vec<(TextRange, std::ops::Range<usize>)> {
    if headers.len() < 2 || text.len() <= chunk_bytes || tables.iter().any(|&(_, is_entity)| !is_entity) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (mut start, mut first) = (0, 0);
    for (i, h) in headers.iter().enumerate().skip(1) {
        if h.start - start >= chunk_bytes {
            out.push((start..h.start, first..i));
            (start, first) = (h.start, i);
        }
    }
    out.push((start..text.len(), first..headers.len()));
    out
}

/// Entities and diagnostics from the raw tables of one file (or of one
/// chunk of it, `headers` being the chunk's entity tables).
fn convert(text: &str, raws: Vec<RawEntity>, headers: &[TextRange], file: usize) -> ParsedKbFile {
    let mut diagnostics = Vec::new();
    let mut entities = Vec::new();
    let use_headers = headers.len() == raws.len();
    for (i, raw) in raws.into_iter().enumerate() {
        let entry = if use_headers {
            headers[i].clone()
        } else {
            let at = raw.id.as_ref().map(|s| s.span()).unwrap_or(0..0);
            line_around(text, at)
        };
        match raw.unknown.as_deref() {
            // Keys outside the table's lines are not its own.
            Some(keys) if use_headers => {
                diagnostics.extend(keys.iter().map(|k| unknown_field(&text[k.clone()], k.clone())))
            }
            _ => diagnostics.extend(unknown_fields(text, entry.clone())),
        }
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
        let (id_span, name_span) = (id.span(), name.span());
        let id_text = trimmed(id.into_inner());
        let name_text = trimmed(name.into_inner());
        if id_text.is_empty() || name_text.is_empty() {
            diagnostics.push(Diagnostic::new(
                if id_text.is_empty() { id_span } else { name_span },
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
        let learned = match kind {
            EntityKind::Person => surname(&name_text).into_iter().collect(),
            _ => Vec::new(),
        };
        let aliases: Vec<String> = raw
            .aliases
            .unwrap_or_default()
            .into_iter()
            .map(|a| trimmed(a.into_inner()))
            .filter(|a| !a.is_empty() && *a != name_text)
            .collect();
        let learned = learned.into_iter().filter(|l| !aliases.contains(l)).collect();
        entities.push(Entity {
            id: id_text,
            name: name_text,
            kind,
            aliases,
            learned,
            description: raw.description.map(trimmed).filter(|d| !d.is_empty()),
            sources: raw.sources.unwrap_or_default(),
            spans: EntitySpans { file, entry, id: id_span, name: name_span },
        });
    }
    ParsedKbFile { entities, diagnostics }
}

impl KnowledgeBase {
    /// Merges parsed files (in configured order) into one base, reporting
    /// duplicate ids and ambiguous aliases in the file where they occur.
    /// `texts[i]` is the text of file `i`, used to place alias diagnostics.
    pub fn build(files: Vec<(String, ParsedKbFile)>, texts: &[&str]) -> KnowledgeBase {
        KnowledgeBase::build_over(files, texts, &[])
    }

    /// [`KnowledgeBase::build`], sharing the forms and their index with
    /// the first of `previous` that has the same names
    /// ([`KnowledgeBase::names_as`]): they are made of the names alone,
    /// and making them is most of a build's time, so an edit of a
    /// description, a source or an entry's place costs the parse alone.
    pub fn build_over(
        files: Vec<(String, ParsedKbFile)>,
        texts: &[&str],
        previous: &[&KnowledgeBase],
    ) -> KnowledgeBase {
        let mut kb = KnowledgeBase::default();
        let count = files.iter().map(|(_, p)| p.entities.len()).sum();
        kb.entities.reserve_exact(count);
        kb.by_id.reserve(count);
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
        if let Some(same) = previous.iter().find(|p| kb.names_as(p)) {
            kb.forms = same.forms.clone();
            kb.patterns = same.patterns.clone();
        } else {
            kb.forms = Arc::new(kb_forms(&kb));
            kb.patterns = Arc::new(KbPatterns::new(&kb.forms));
        }
        kb
    }

    /// Every form, apostrophe-folded, → the first entity that names it:
    /// what discovery and the lexicon look names up in.
    pub fn forms(&self) -> &KbForms {
        &self.forms
    }

    /// [`KnowledgeBase::forms`] indexed for the lexicon.
    pub fn patterns(&self) -> &KbPatterns {
        &self.patterns
    }

    /// Drops every surface form that two entities claim, with a diagnostic.
    fn resolve_ambiguity(&mut self, texts: &[&str]) {
        // Each form's first owner and whether another has it too; the
        // owners listed for the shared forms alone (a list for every form
        // was an allocation for every form, on every keystroke in an open
        // knowledge-base file).
        let count = self.entities.iter().map(|e| 1 + e.aliases.len() + e.learned.len()).sum();
        let mut first: HashMap<&str, (usize, bool), foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(count, Default::default());
        for (i, e) in self.entities.iter().enumerate() {
            for form in e.forms() {
                let (owner, shared) = first.entry(form).or_insert((i, false));
                *shared |= *owner != i;
            }
        }
        let mut owners: HashMap<&str, Vec<usize>, foldhash::fast::RandomState> =
            first.into_iter().filter(|(_, (_, shared))| *shared).map(|(f, _)| (f, Vec::new())).collect();
        if owners.is_empty() {
            return;
        }
        for (i, e) in self.entities.iter().enumerate() {
            for form in e.forms() {
                if let Some(list) = owners.get_mut(form).filter(|l| !l.contains(&i)) {
                    list.push(i);
                }
            }
        }
        let mut ambiguous: Vec<(String, Vec<usize>)> = owners.into_iter().map(|(f, v)| (f.to_string(), v)).collect();
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

    /// Whether `other` has the entities of this one, in the same order and
    /// files, with the same ids, names, kinds and aliases (declared and
    /// learned): what documents read of a knowledge base. Descriptions,
    /// sources and where the entries are written may differ.
    pub fn names_as(&self, other: &KnowledgeBase) -> bool {
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(a, b)| a.path == b.path)
            && self.entities.len() == other.entities.len()
            && self.entities.iter().zip(&other.entities).all(|(a, b)| {
                a.id == b.id
                    && a.name == b.name
                    && a.kind == b.kind
                    && a.aliases == b.aliases
                    && a.learned == b.learned
                    && a.spans.file == b.spans.file
            })
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

/// Every line that starts a table (first non-blank character `[`): its
/// offset, and whether it is an `[[entity]]` header.
///
/// Found from the brackets (a fiftieth of a knowledge base's bytes) rather
/// than line by line: this runs on every keystroke in an open file.
fn table_lines(text: &str) -> Vec<(usize, bool)> {
    let bytes = text.as_bytes();
    let mut tables: Vec<(usize, bool)> = Vec::new();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'[', &bytes[from..]) {
        let at = from + i;
        let line = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
        let next = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n + 1);
        if text[line..at].chars().all(char::is_whitespace) {
            let mut compact = text[at..next].chars().filter(|c| !c.is_whitespace());
            let is_entity = "[[entity]]".chars().all(|c| compact.next() == Some(c));
            tables.push((line, is_entity));
        }
        from = next;
    }
    tables
}

/// The byte range of each `[[entity]]` table: header to the last non-blank
/// line before the next table header.
fn entity_tables(text: &str, tables: &[(usize, bool)]) -> Vec<TextRange> {
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

/// `s` without leading and trailing whitespace; `s` itself (no copy) when
/// it has none, as nearly every value of a knowledge base.
fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_string() }
}

fn line_end(text: &str, from: usize) -> usize {
    text[from.min(text.len())..].find(['\n', '\r']).map(|i| from + i).unwrap_or(text.len())
}

fn line_around(text: &str, at: TextRange) -> TextRange {
    let start = text[..at.start.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0);
    start..line_end(text, at.start)
}

/// The warning for a key of an entity's table that is no field.
fn unknown_field(key: &str, range: TextRange) -> Diagnostic {
    Diagnostic::new(
        range,
        Severity::Warning,
        "kb-unknown-field",
        format!("unknown field `{key}` (expected one of {})", FIELDS.join(", ")),
    )
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
            let bare = !key.is_empty() && key.bytes().all(plain::is_key_byte);
            if bare && !FIELDS.contains(&key) {
                let start = offset + indent;
                out.push(unknown_field(key, start..start + key.len()));
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
    /// The ranges of the table's keys that are no field, where the reader
    /// knows them ([`plain`] does; `toml` does not, and the table's lines
    /// are read for them instead, [`unknown_fields`]).
    #[serde(skip)]
    unknown: Option<Vec<TextRange>>,
}

impl RawEntity {
    /// The entity with its spans moved `by` bytes on (parsed from a chunk
    /// that starts there).
    fn shifted(self, by: usize) -> RawEntity {
        let shift = |s: Spanned<String>| {
            let span = s.span();
            Spanned::new(span.start + by..span.end + by, s.into_inner())
        };
        RawEntity {
            id: self.id.map(shift),
            name: self.name.map(shift),
            kind: self.kind.map(shift),
            aliases: self.aliases.map(|a| a.into_iter().map(shift).collect()),
            unknown: self.unknown.map(|u| u.into_iter().map(|r| r.start + by..r.end + by).collect()),
            ..self
        }
    }
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

    /// [`table_lines`] as it was written first, line by line.
    fn table_lines_by_line(text: &str) -> Vec<(usize, bool)> {
        let mut tables: Vec<(usize, bool)> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with('[') {
                let mut compact = t.chars().filter(|c| !c.is_whitespace());
                let is_entity = "[[entity]]".chars().all(|c| compact.next() == Some(c));
                tables.push((offset, is_entity));
            }
            offset += line.len();
        }
        tables
    }

    proptest::proptest! {
        #[test]
        fn table_lines_are_found_as_line_by_line(text in "([ \t\r\n\u{a0}\u{2028}x=\\[\\]]|entity|\\[\\[ entity\\]\\]){0,40}") {
            proptest::prop_assert_eq!(table_lines(&text), table_lines_by_line(&text));
        }
    }

    #[test]
    fn a_base_with_the_same_names_shares_their_forms_and_one_with_other_names_makes_its_own() {
        let first = build(TWO);
        let over = |text: &str| {
            let parsed = parse_file(text, 0).expect("parses");
            KnowledgeBase::build_over(
                vec![("entities.toml".into(), parsed)],
                &[text],
                &[&KnowledgeBase::default(), &first],
            )
        };
        let described = TWO.replace("aliases = [\"IRLI\"]", "aliases = [\"IRLI\"]\ndescription = \"A think tank.\"");
        let kb = over(&described);
        assert!(Arc::ptr_eq(&kb.forms, &first.forms));
        assert!(std::ptr::eq(kb.patterns(), first.patterns()));
        assert_eq!(kb.get("irli").and_then(|e| e.description.as_deref()), Some("A think tank."));
        // A new alias, a new name, the same names in another order: forms of
        // their own, as a base built afresh has them.
        for text in [
            TWO.replace("[\"IRLI\"]", "[\"IRLI\", \"the Institute\"]"),
            TWO.replace("Larry Krasner", "Lawrence Krasner"),
            format!(
                "{}\n{}",
                &TWO[TWO.find("\n[[entity]]").expect("two")..],
                &TWO[..TWO.find("\n[[entity]]").expect("two")]
            ),
        ] {
            let kb = over(&text);
            assert!(!Arc::ptr_eq(&kb.forms, &first.forms), "{text}");
            assert!(!std::ptr::eq(kb.patterns(), first.patterns()), "{text}");
            assert_eq!(*kb.forms, *build(&text).forms, "{text}");
        }
    }

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
            kb.files[0].diagnostics.iter().map(|d| (d.code.as_ref(), &text[d.range.clone()])).collect();
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

    /// A form three entities give (one of them twice) is dropped from all
    /// three, each told of the others once; one an entity gives twice is
    /// its own; a surname two people would learn is learned by neither.
    #[test]
    fn forms_shared_by_several_entities_and_twice_by_one() {
        let text = r#"[[entity]]
id = "a"
name = "Ann Lee"
kind = "person"
aliases = ["AL", "Lee Ann", "Lee Ann"]

[[entity]]
id = "b"
name = "Bo Lee"
kind = "person"
aliases = ["AL"]

[[entity]]
id = "c"
name = "Al Council"
kind = "organization"
aliases = ["AL", "AL"]
"#;
        let kb = build(text);
        let d: Vec<(&str, &str, &str)> = kb.files[0]
            .diagnostics
            .iter()
            .map(|d| (d.code.as_ref(), &text[d.range.clone()], d.message.as_str()))
            .collect();
        assert_eq!(
            d,
            [
                (
                    "kb-ambiguous-alias",
                    "\"AL\"",
                    "ambiguous alias `AL`: it names `a` and `b` and `c`; used for none of them"
                ),
                (
                    "kb-ambiguous-alias",
                    "\"AL\"",
                    "ambiguous alias `AL`: it names `a` and `b` and `c`; used for none of them"
                ),
                (
                    "kb-ambiguous-alias",
                    "\"AL\"",
                    "ambiguous alias `AL`: it names `a` and `b` and `c`; used for none of them"
                ),
                (
                    "kb-ambiguous-alias",
                    "\"Ann Lee\"",
                    "learned alias `Lee` would name `a` and `b`; not used: list it in `aliases` of one of them"
                ),
                (
                    "kb-ambiguous-alias",
                    "\"Bo Lee\"",
                    "learned alias `Lee` would name `a` and `b`; not used: list it in `aliases` of one of them"
                ),
            ]
        );
        let forms = |id: &str| kb.get(id).map(|e| e.forms().map(String::from).collect::<Vec<_>>());
        assert_eq!(forms("a"), Some(vec!["Ann Lee".into(), "Lee Ann".into(), "Lee Ann".into()]));
        assert_eq!(forms("b"), Some(vec!["Bo Lee".into()]));
        assert_eq!(forms("c"), Some(vec!["Al Council".into()]));
    }

    #[test]
    fn broken_toml_is_reported_at_its_line() {
        let text = "[[entity]]\nid = \"x\"\nname = \"Unclosed\n";
        let diags = parse_file(text, 0).expect_err("broken");
        assert_eq!(diags[0].code, "kb-syntax");
        let line = text[..diags[0].range.start].matches('\n').count();
        assert_eq!(line, 2);
    }

    /// How many chunks `text` is cut into with chunks of one table.
    fn chunk_count(text: &str) -> usize {
        let tables = table_lines(text);
        chunks(text, &tables, &entity_tables(text, &tables), 1).len()
    }

    /// `text` parsed in chunks of one table, asserted equal to one parse
    /// of the whole file; with its entities' ids.
    fn parsed_in_chunks(text: &str) -> (ParsedKbFile, Vec<String>) {
        let parsed = parse_file_in_chunks(text, 0, 1).expect("parses");
        assert_eq!(Ok(&parsed), parse_file_in_chunks(text, 0, usize::MAX).as_ref());
        let ids = parsed.entities.iter().map(|e| e.id.clone()).collect();
        (parsed, ids)
    }

    #[test]
    fn chunks_of_tables_give_the_result_of_the_whole_file() {
        let text = concat!(
            "# preamble\nversion = 1\n\n",
            "[[entity]]\nid = \"a\"\nname = \"Anna Alder\"\nkind = \"person\"\n\n",
            "[[entity]]\nid = \"b\"\nname = \"Bo\"\ncolour = \"red\"\n\n",
            "[[entity]]\nid = \"c\"\nname = \"Cleo Carr\"\nkind = \"robot\"\naliases = [\"CC\"]\n",
        );
        assert_eq!(chunk_count(text), 3);
        let (parsed, ids) = parsed_in_chunks(text);
        assert_eq!(ids, ["a", "b", "c"]);
        let c = &parsed.entities[2];
        assert_eq!(&text[c.spans.name.clone()], "\"Cleo Carr\"");
        assert_eq!(&text[c.spans.entry.clone()], text[text.rfind("[[entity]]").expect("c")..].trim_end());
        let d: Vec<(&str, &str)> =
            parsed.diagnostics.iter().map(|d| (d.code.as_ref(), &text[d.range.clone()])).collect();
        assert_eq!(d, [("kb-unknown-field", "colour"), ("kb-unknown-kind", "\"robot\"")]);
    }

    #[test]
    fn a_header_line_inside_a_string_leaves_its_chunk_unterminated() {
        let text = concat!(
            "[[entity]]\nid = \"a\"\nname = \"A\"\n",
            "[[entity]]\nid = \"b\"\nname = \"B\"\ndescription = \"\"\"\n[[entity]]\nid = \"fake\"\n\"\"\"\n",
            "[[entity]]\nid = \"c\"\nname = \"C\"\n",
        );
        assert_eq!(chunk_count(text), 4);
        assert_eq!(parsed_in_chunks(text).1, ["a", "b", "c"]);
    }

    #[test]
    fn a_file_with_other_tables_or_a_broken_chunk_is_parsed_whole() {
        let other = "[[entity]]\nid = \"a\"\nname = \"A\"\n[meta]\nx = 1\n[[entity]]\nid = \"b\"\nname = \"B\"\n[meta]\ny = 2\n";
        assert_eq!(chunk_count(other), 0);
        // `[meta]` twice is an error only the whole file sees.
        let diags = parse_file_in_chunks(other, 0, 1).expect_err("duplicate table");
        assert_eq!(diags[0].code, "kb-syntax");
        let broken = "[[entity]]\nid = \"a\"\nname = \"A\"\n[[entity]]\nid = \"b\"\nname = \"B\n[[entity]]\nid = \"c\"\nname = \"C\"\n";
        assert_eq!(parse_file_in_chunks(broken, 0, 1), parse_file_in_chunks(broken, 0, usize::MAX));
        let diags = parse_file_in_chunks(broken, 0, 1).expect_err("unclosed string");
        assert_eq!(broken[..diags[0].range.start].matches('\n').count(), 5);
    }

    #[test]
    fn surnames() {
        assert_eq!(surname("Larry Krasner").as_deref(), Some("Krasner"));
        assert_eq!(surname("Martin Luther King Jr.").as_deref(), Some("King"));
        assert_eq!(surname("Matt O’Brien").as_deref(), Some("O’Brien"));
        assert_eq!(surname("Madonna"), None);
    }
}
