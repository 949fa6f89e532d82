//! Input generators for the property suites: text that looks like the
//! corpus (curly quotes, em dashes, accented and astral characters, every
//! line break, annotations, money figures, abbreviations, suppressions,
//! capitalised names) mixed with arbitrary strings, knowledge bases and
//! configurations mutated from valid ones, and editor edits.

use proptest::prelude::*;

use factls::analysis::text::{Encoding, LineCol};

use super::checks::Edit;

/// Pieces of corpus-like text; the generator strings them together.
pub const FRAGMENTS: &[&str] = &[
    "“",
    "”",
    "’",
    "‘",
    "\"",
    "'",
    "—",
    "–",
    "…",
    "Gascón",
    "George Gascón (D)",
    "📰",
    "👩‍👩‍👧",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\r\r\n",
    "[^key]",
    "[^a]",
    "[^",
    "]",
    "[^key]: https://example.org/a \"Title\", 2024-05-30\n",
    "\n[^a]:\n",
    "$1.7 million",
    "more than $40 million",
    "at least 20 percent",
    "3,000 people",
    "in 2023",
    "U.S.",
    "D.C.",
    "Inc.",
    "Mr.",
    "George W. Bush",
    "<!-- factls-ignore -->",
    "<!-- factls-ignore money-figure, quotation -->",
    "<!-- factls-ignore-next-line -->",
    "<!--",
    "-->",
    " date 2024-05-30 ",
    "```\n",
    "`[^key]`",
    "[claim]",
    "[cn]",
    "{{citation needed}}",
    "# ",
    "- ",
    "> ",
    "Larry Krasner",
    "Krasner’s",
    "Krasner's",
    "Immigration Reform Law Institute (IRLI)",
    "IRLI Executive Director Dale Wilcox said",
    "IRLI’s Matt O’Brien",
    "the investigation alleges",
    "an investigation from",
    "according to",
    "reportedly",
    "linked to",
    "Soros-backed",
    "some say",
    "it is believed",
    "the most common",
    "the largest",
    "world-renowned",
    "always",
    "everyone knows",
    "said",
    "https://example.org/x",
    "(",
    ")",
    ".",
    ". ",
    "!",
    "? ",
    ",",
    " ",
    "  ",
    "\t",
    "The",
    "In",
    "As of",
    "A",
    "\u{FEFF}",
    "\u{200B}",
    "e\u{301}",
    "İstanbul",
    "ǅemal",
    "ΣΑΣ",
    "ẞ",
    "ﬁ",
    "\u{2028}",
    "\u{85}",
];

/// A capitalised or lowercase word, sometimes accented.
fn word() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Z][a-z]{0,7}", "[a-z]{1,8}", "[A-Z]{2,5}", "[ÁÉÍÓÚÑÇŁŻ][a-záéíóúñ]{1,6}", "[0-9]{1,4}",]
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(String::from),
        3 => word(),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Corpus-like text: up to `max` pieces joined by nothing or a space.
pub fn corpus_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), any::<bool>()), 0..max).prop_map(|parts| {
        let mut out = String::new();
        for (p, space) in parts {
            out.push_str(&p);
            if space {
                out.push(' ');
            }
        }
        out
    })
}

/// Arbitrary strings, corpus-like text, and now and then a long line
/// (a piece repeated) so checkpointed lookups and long paragraphs are hit.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => corpus_text(60),
        2 => any::<String>(),
        1 => "(\\PC|\r|\n|\r\n){0,80}",
        1 => (corpus_text(8), 50..600usize).prop_map(|(s, n)| s.repeat(n).chars().take(5_000).collect()),
    ]
}

/// Bytes as a file could hold them: arbitrary, or text with a few bytes
/// changed (a BOM, a NUL, a cut multibyte character).
pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (corpus_text(30), any::<bool>(), prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3))
            .prop_map(|(text, bom, changes)| {
                let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
                bytes.extend_from_slice(text.as_bytes());
                for (at, b) in changes {
                    if !bytes.is_empty() {
                        let i = at.index(bytes.len());
                        bytes[i] = b;
                    }
                }
                bytes
            }),
    ]
}

/// A valid knowledge base exercising every field, a learned surname, an
/// acronym and an ambiguous alias.
pub const VALID_KB: &str = r#"# People and organisations of the seed corpus.
[[entity]]
id = "larry-krasner"
name = "Larry Krasner"
kind = "person"
aliases = ["Krasner", "DA Krasner"]
description = "Philadelphia District Attorney (D)."
sources = ["https://example.org/krasner"]

[[entity]]
id = "george-gascon"
name = "George Gascón"
kind = "person"
aliases = ["Gascón", "DA"]

[[entity]]
id = "irli"
name = "Immigration Reform Law Institute"
kind = "organization"
aliases = ['IRLI', "DA"]
colour = "blue"

[[entity]]
id = 'soros'
name = "George Soros"
kind = "person"
"#;

/// A valid configuration exercising every table.
pub const VALID_CONFIG: &str = r#"[corpus]
include = ["**/*.txt", "**/*.md"]
exclude = ["drafts/**"]
knowledge-base = ["entities.toml"]
sources = ["sources.md"]

[claims]
markers = ["[claim]", "[citation needed]", "[cn]", "{{citation needed}}"]

[rules]
count = "off"
quotation = "error"
money-figure = "hint"

[[custom-rule]]
id = "anonymous-source"
pattern = '\bsources? (close to|familiar with)\b'
message = "anonymous source"
severity = "warning"
"#;

/// Pieces a mutation inserts into TOML.
const TOML_PIECES: &[&str] = &[
    "[[entity]]\n",
    "[entity]\n",
    "[[custom-rule]]\n",
    "[rules]\n",
    "[corpus]\n",
    "id = \"x\"\n",
    "id = \"larry-krasner\"\n",
    "name = \"Gascón\"\n",
    "kind = \"robot\"\n",
    "kind = 3\n",
    "aliases = [\"Krasner\"]\n",
    "pattern = \"(unclosed\"\n",
    "pattern = \"\"\n",
    "severity = \"loud\"\n",
    "include = [\"[\"]\n",
    "count = \"sometimes\"\n",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "\n",
    "\r\n",
    "\r",
    "é",
    "📰",
    "’",
    "\u{FEFF}",
    "\\u",
    "\\",
    " ",
    "\t",
    "0x",
    "1979-05-27T07:32:00Z",
];

#[derive(Clone, Debug)]
enum Mutation {
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index, usize),
    DuplicateLine(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let insert = prop_oneof![
        3 => proptest::sample::select(TOML_PIECES).prop_map(String::from),
        1 => any::<String>(),
    ];
    prop_oneof![
        4 => (any::<prop::sample::Index>(), insert).prop_map(|(i, s)| Mutation::Insert(i, s)),
        2 => (any::<prop::sample::Index>(), 1..20usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

fn boundary(text: &str, at: &prop::sample::Index) -> usize {
    factls::analysis::text::floor_char_boundary(text, at.index(text.len() + 1))
}

fn mutate(base: &str, mutations: Vec<Mutation>) -> String {
    let mut text = base.to_string();
    for m in mutations {
        match m {
            Mutation::Insert(at, s) => {
                let at = boundary(&text, &at);
                text.insert_str(at, &s);
            }
            Mutation::Delete(at, n) => {
                let a = boundary(&text, &at);
                let b = factls::analysis::text::ceil_char_boundary(&text, a + n);
                text.replace_range(a..b, "");
            }
            Mutation::DuplicateLine(at) => {
                let at = boundary(&text, &at);
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                let line = text[start..end].to_string();
                text.insert_str(end, &line);
            }
            Mutation::Truncate(at) => {
                let at = boundary(&text, &at);
                text.truncate(at);
            }
        }
    }
    text
}

/// `base` with a few random mutations, or an arbitrary string.
pub fn toml_text(base: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(mutation(), 0..6).prop_map(move |m| mutate(base, m)),
        1 => any::<String>(),
        1 => prop::collection::vec(proptest::sample::select(TOML_PIECES), 0..30).prop_map(|p| p.concat()),
    ]
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![Just(Encoding::Utf8), Just(Encoding::Utf16), Just(Encoding::Utf32)]
}

/// A position near the text's lines: mostly small lines and columns (so
/// they land inside the text, inside characters and past line ends), now
/// and then anything.
pub fn position() -> impl Strategy<Value = LineCol> {
    prop_oneof![
        4 => (0..12u32, 0..40u32).prop_map(|(line, col)| LineCol { line, col }),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(line, col)| LineCol { line, col }),
    ]
}

/// Text an edit inserts: short, with multibyte characters and line breaks.
fn inserted() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => corpus_text(4),
        1 => "(\\PC|\r|\n){0,6}",
        1 => Just(String::new()),
        1 => prop_oneof![Just("\n"), Just("\r"), Just("\r\n"), Just("📰"), Just("é")].prop_map(String::from),
    ]
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let range = prop_oneof![
        20 => (position(), position()).prop_map(Some),
        1 => Just(None),
    ];
    (range, inserted(), encoding()).prop_map(|(range, text, encoding)| Edit { range, text, encoding })
}
