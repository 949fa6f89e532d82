//! Knowledge-base files as nearly all are written, read without the TOML
//! crate: `[[entity]]` tables whose keys are bare and one to a line, whose
//! values are strings or one-line arrays of strings, with comments and
//! blank lines between.
//!
//! Anything else — another table, a key outside a table, a dotted or
//! quoted key, a number or boolean, a multi-line string or array, an
//! inline table, an escape other than TOML 1.0's, a key given twice, a
//! value of the wrong type for a known field, a control character — makes
//! [`entities`] give up (`None`), and the caller parses the text with
//! `toml`, which reads it or reports the error where it is.
//!
//! Invariant: where [`entities`] gives `Some`, `toml` parses the same text
//! into the same tables, values and spans (a proptest below compares the
//! two on generated files, valid and broken).
//!
//! Why: a knowledge base of 10,000 entities is 1.2 MB of TOML, read at
//! every start and after every keystroke in it; `toml` reads it in about
//! 150 M instructions (tokens, a document tree, then serde from the tree),
//! this in about a tenth of that.

use toml::Spanned;

use super::{FIELDS, RawEntity};

/// The entity tables of `text`, in order, or `None` when it is not in the
/// form this reader knows; `tables` is about how many there are. Each
/// entity comes with the ranges of its keys that are no field
/// ([`RawEntity::unknown`]).
pub(super) fn entities(text: &str, tables: usize) -> Option<Vec<RawEntity>> {
    let mut r = Reader { text, bytes: text.as_bytes(), at: 0 };
    let mut out: Vec<RawEntity> = Vec::with_capacity(tables);
    // The table being read, and the keys it has (fields as bits).
    let mut table: Option<(RawEntity, u8)> = None;
    loop {
        r.skip_blanks();
        match r.peek() {
            None => break,
            Some(b'\n') => r.at += 1,
            Some(b'\r') => r.newline()?,
            Some(b'#') => r.comment()?,
            Some(b'[') => {
                r.header()?;
                r.end_of_line()?;
                if let Some((done, _)) = table.take() {
                    out.push(done);
                }
                table = Some((empty_entity(), 0));
            }
            Some(b) if is_key_byte(b) => {
                let (entity, known) = table.as_mut()?;
                let key_start = r.at;
                let key = r.key()?;
                r.skip_blanks();
                r.expect(b'=')?;
                r.skip_blanks();
                let value = r.value()?;
                r.end_of_line()?;
                let bit = match FIELDS.iter().position(|f| *f == key) {
                    Some(i) => 1u8 << i,
                    None => {
                        let others = entity.unknown.get_or_insert_with(Vec::new);
                        if others.iter().any(|k| &text[k.clone()] == key) {
                            return None; // defined twice
                        }
                        others.push(key_start..key_start + key.len());
                        continue;
                    }
                };
                if *known & bit != 0 {
                    return None; // defined twice
                }
                *known |= bit;
                match (key, value) {
                    ("id", Value::String(s)) => entity.id = Some(s),
                    ("name", Value::String(s)) => entity.name = Some(s),
                    ("kind", Value::String(s)) => entity.kind = Some(s),
                    ("description", Value::String(s)) => entity.description = Some(s.into_inner()),
                    ("aliases", Value::Array(a)) => entity.aliases = Some(a),
                    ("sources", Value::Array(a)) => {
                        entity.sources = Some(a.into_iter().map(Spanned::into_inner).collect())
                    }
                    _ => return None, // a value of the wrong type: `toml` says so
                }
            }
            Some(_) => return None,
        }
    }
    if let Some((done, _)) = table {
        out.push(done);
    }
    Some(out)
}

fn empty_entity() -> RawEntity {
    RawEntity {
        id: None,
        name: None,
        kind: None,
        aliases: None,
        description: None,
        sources: None,
        // The reader knows every key of its tables: an empty list, not
        // `None`, which would send the table's lines to be read for them.
        unknown: Some(Vec::new()),
    }
}

enum Value {
    String(Spanned<String>),
    Array(Vec<Spanned<String>>),
}

/// A byte of a bare key (`A-Za-z0-9_-`).
pub(super) fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A control character that TOML allows in no comment or string (tab is
/// allowed).
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7F
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.bytes.get(self.at + k).copied()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// `\r\n` (a lone `\r` is no line break in TOML).
    fn newline(&mut self) -> Option<()> {
        self.expect(b'\r')?;
        self.expect(b'\n')
    }

    /// `#` to the end of the line (the line break left).
    fn comment(&mut self) -> Option<()> {
        self.expect(b'#')?;
        while let Some(b) = self.peek() {
            if b == b'\n' || (b == b'\r' && self.peek_at(1) == Some(b'\n')) {
                break;
            }
            if is_control(b) {
                return None;
            }
            self.at += 1;
        }
        Some(())
    }

    /// After a header or a value: blanks, maybe a comment, then a line
    /// break or the end.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_blanks();
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.at += 1;
                Some(())
            }
            Some(b'\r') => self.newline(),
            Some(b'#') => self.comment(),
            Some(_) => None,
        }
    }

    /// `[[entity]]`, with blanks allowed inside the brackets.
    fn header(&mut self) -> Option<()> {
        self.expect(b'[')?;
        self.expect(b'[')?;
        self.skip_blanks();
        for &b in b"entity" {
            self.expect(b)?;
        }
        self.skip_blanks();
        self.expect(b']')?;
        self.expect(b']')
    }

    /// A bare key, followed by neither a dot nor anything but blanks and
    /// `=` (checked by the caller).
    fn key(&mut self) -> Option<&'a str> {
        let start = self.at;
        while self.peek().is_some_and(is_key_byte) {
            self.at += 1;
        }
        (self.at > start).then(|| &self.text[start..self.at])
    }

    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' | b'\'' => self.string().map(Value::String),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_blanks();
                if self.expect(b']').is_some() {
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.string()?);
                    self.skip_blanks();
                    match self.peek()? {
                        b']' => {
                            self.at += 1;
                            return Some(Value::Array(items));
                        }
                        b',' => {
                            self.at += 1;
                            self.skip_blanks();
                            if self.expect(b']').is_some() {
                                return Some(Value::Array(items));
                            }
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// A one-line basic (`"…"`) or literal (`'…'`) string, its span with
    /// the quotes.
    fn string(&mut self) -> Option<Spanned<String>> {
        let start = self.at;
        let quote = self.peek()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        if self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote) {
            return None; // multi-line
        }
        self.at += 1;
        let mut value = String::new();
        loop {
            // To the closing quote or (in a basic string) an escape; no
            // line break or other control character on the way.
            let rest = &self.bytes[self.at..];
            let stop = if quote == b'"' { memchr::memchr2(quote, b'\\', rest) } else { memchr::memchr(quote, rest) }?;
            if rest[..stop].iter().any(|&b| is_control(b)) {
                return None;
            }
            value.push_str(&self.text[self.at..self.at + stop]);
            self.at += stop;
            if rest[stop] == quote {
                self.at += 1;
                return Some(Spanned::new(start..self.at, value));
            }
            value.push(self.escape()?);
        }
    }

    /// A TOML 1.0 escape (`\x..` and `\e` of TOML 1.1 are left to `toml`).
    fn escape(&mut self) -> Option<char> {
        self.expect(b'\\')?;
        let b = self.peek()?;
        self.at += 1;
        Some(match b {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' | b'U' => {
                let digits = if b == b'u' { 4 } else { 8 };
                let hex = self.text.get(self.at..self.at + digits)?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                self.at += digits;
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::RawKb;
    use super::*;

    /// What a table holds, spans included (`Spanned` compares values only).
    type Seen = (
        Option<(std::ops::Range<usize>, String)>,
        Option<(std::ops::Range<usize>, String)>,
        Option<(std::ops::Range<usize>, String)>,
        Option<Vec<(std::ops::Range<usize>, String)>>,
        Option<String>,
        Option<Vec<String>>,
    );

    fn seen(entities: Vec<RawEntity>) -> Vec<Seen> {
        let s = |v: Spanned<String>| (v.span(), v.into_inner());
        entities
            .into_iter()
            .map(|e| {
                (
                    e.id.map(s),
                    e.name.map(s),
                    e.kind.map(s),
                    e.aliases.map(|a| a.into_iter().map(s).collect()),
                    e.description,
                    e.sources,
                )
            })
            .collect()
    }

    fn by_toml(text: &str) -> Option<Vec<Seen>> {
        let raw: RawKb = toml::from_str(text).ok()?;
        Some(seen(raw.entity.unwrap_or_default()))
    }

    /// Where the reader reads a text, `toml` reads the same; returns
    /// whether the reader read it.
    fn same(text: &str) -> bool {
        match entities(text, 0) {
            Some(e) => {
                assert_eq!(Some(seen(e)), by_toml(text), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn a_knowledge_base_as_written_is_read_as_toml_reads_it() {
        let text = "# People\n\n[[entity]]\nid = \"larry-krasner\"   # the DA\nname = \"Larry Krasner\"\nkind = 'person'\n\
                    aliases = [\"Krasner\", 'DA Krasner',]\ndescription = \"Philadelphia \\\"DA\\\" \\u00e9\\U0001F4F0\\t\"\n\
                    sources = []\nwebsite = \"x\"\n\r\n[[ entity ]]\r\nid=\"gascón\"\r\nname = \"George Gascón\"\r\naliases = [ ]";
        assert!(same(text));
        let read = entities(text, 2).expect("read");
        assert_eq!(read.len(), 2);
        let id = read[0].id.as_ref().expect("id");
        assert_eq!((&text[id.span()], id.get_ref().as_str()), ("\"larry-krasner\"", "larry-krasner"));
        assert_eq!(read[0].description.as_deref(), Some("Philadelphia \"DA\" é📰\t"));
    }

    #[test]
    fn what_the_reader_leaves_to_toml() {
        for text in [
            "title = \"x\"\n[[entity]]\nid = \"a\"", // a key outside a table
            "[[entity]]\nid = \"a\"\nid = \"b\"",    // a key twice
            "[[entity]]\nx = \"a\"\nx = \"b\"",      // an unknown key twice
            "[[entity]]\nid = 5",                    // a number
            "[[entity]]\nid = [\"a\"]",              // the wrong type
            "[[entity]]\naliases = \"a\"",           // the wrong type
            "[[entity]]\nname = \"\"\"a\"\"\"",      // multi-line
            "[[entity]]\nname = '''a'''",            // multi-line
            "[[entity]]\naliases = [\n\"a\"]",       // a multi-line array
            "[[entity]]\nname = \"a\\e\"",           // a TOML 1.1 escape
            "[[entity]]\nname = \"a\\q\"",           // no escape at all
            "[[entity]]\nname = \"a\\ud800\"",       // a surrogate
            "[[entity]]\nname = \"a",                // unterminated
            "[[entity]]\nname = \"a\" \"b\"",        // two values
            "[[entity]]\na.b = \"x\"",               // a dotted key
            "[[entity]]\n\"id\" = \"x\"",            // a quoted key
            "[other]\nid = \"x\"",                   // another table
            "[[entity]]\nid = { a = \"b\" }",        // an inline table
            "[[entity]]\nname = \"a\u{1}\"",         // a control character
            "[[entity]]\r\rid = \"a\"",              // a lone CR
            "\u{feff}[[entity]]\nid = \"a\"",        // a byte-order mark
            "[[entity]]\nid\u{a0}= \"a\"",           // a no-break space
        ] {
            assert!(entities(text, 1).is_none(), "{text:?}");
        }
    }

    /// Lines of knowledge bases as written, and as the reader reads them.
    const LINES: &[&str] = &[
        "[[entity]]\n",
        "[[ entity ]]\r\n",
        "[[entity]] # c\n",
        "id = \"a\"\n",
        "id = 'b'\n",
        "name = \"N \\\"q\\\" \\u00e9\"\n",
        "name = \"\"\n",
        "kind = \"person\"\n",
        "aliases = [\"A\", 'B',]\n",
        "aliases = []\n",
        "sources = [\"https://x\"]\n",
        "description = \"d\" # note\n",
        "other = \"o\"\n",
        "other = ['o', \"p\"]\n",
        "# comment\n",
        "\n",
        "\r\n",
    ];

    /// Pieces that break a line, or make it something the reader leaves
    /// to `toml`.
    const BREAKS: &[&str] = &[
        "[entity]\n",
        "[[entity]\n",
        "kind = 3\n",
        "aliases = [\"A\"\n",
        "other = [1]\n",
        "x.y = \"z\"\n",
        "\r",
        "\t",
        " ",
        "=",
        "\"",
        "'",
        "\\",
        "é",
        "#",
        "\u{1}",
    ];

    fn piece() -> impl Strategy<Value = &'static str> {
        prop_oneof![12 => prop::sample::select(LINES), 1 => prop::sample::select(BREAKS)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Generated files, valid and broken: wherever the reader reads
        /// one, `toml` reads the same tables, values and spans.
        #[test]
        fn the_reader_reads_what_toml_reads(pieces in prop::collection::vec(piece(), 0..24)) {
            same(&pieces.concat());
        }

        /// And a file parses to the same entities and diagnostics (unknown
        /// fields among them) either way, whole or in chunks.
        #[test]
        fn a_file_parses_alike_with_the_reader_or_toml_alone(
            pieces in prop::collection::vec(piece(), 0..24),
            chunk in prop_oneof![Just(usize::MAX), 1usize..64],
        ) {
            let text = pieces.concat();
            let with_reader = super::super::parse_file_in_chunks(&text, 0, chunk);
            let by_toml = super::super::parse_with(&text, 0, chunk, super::super::Reader::Toml);
            prop_assert_eq!(with_reader, by_toml, "{:?}", text);
        }
    }
}
