//! Turning bytes into a document's text, and the parts of a text that are
//! not prose: the ` date YYYY-MM-DD ` header, source definitions, HTML
//! comments and fenced code.
//!
//! A UTF-8 byte-order mark is dropped (editors do the same, so offsets agree
//! with what the editor shows); invalid UTF-8 is an error that says where.

use std::sync::LazyLock;

use regex::Regex;

use super::text::TextRange;

/// Why a file's bytes are not a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    InvalidUtf8 { offset: usize },
    Binary { offset: usize },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::InvalidUtf8 { offset } => write!(f, "not valid UTF-8 (at byte {offset})"),
            DecodeError::Binary { offset } => write!(f, "binary file (NUL byte at {offset})"),
        }
    }
}

/// Decodes a file's bytes: strips a UTF-8 BOM, refuses NUL bytes (binary
/// files) and invalid UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    if let Some(offset) = memchr::memchr(0, &bytes) {
        return Err(DecodeError::Binary { offset });
    }
    String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 { offset: e.utf8_error().valid_up_to() })
}

/// Drops a leading BOM from text that arrived as a string (from an editor).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

/// The ` date YYYY-MM-DD ` header of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateHeader {
    /// The whole header, including the spaces around it.
    pub range: TextRange,
    /// The date itself.
    pub date_range: TextRange,
    pub date: String,
}

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*(?:\r\n|\n|\r|\z))").expect("header regex")
});

pub fn date_header(text: &str) -> Option<DateHeader> {
    let m = HEADER.captures(text)?;
    let whole = m.get(0)?;
    let date = m.get(1)?;
    Some(DateHeader { range: whole.range(), date_range: date.range(), date: date.as_str().to_string() })
}

/// A source definition line `[^key]: …`.
static DEFINITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]{0,3}\[\^([^\]\s]+)\]:[ \t]*(.*?)[ \t]*\r?$").expect("definition regex"));

/// A source definition in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub key: String,
    /// The whole line.
    pub range: TextRange,
    /// The `[^key]` label.
    pub label_range: TextRange,
    /// What follows the colon: URL, title, date.
    pub body: String,
    pub url: Option<String>,
}

static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'\)\]]+"#).expect("url regex"));

pub fn definitions(text: &str) -> Vec<Definition> {
    DEFINITION
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let key = c.get(1)?;
            let body = c.get(2)?.as_str().to_string();
            let label_start = key.start() - 2;
            Some(Definition {
                key: key.as_str().to_string(),
                range: whole.start()..whole.end(),
                label_range: label_start..key.end() + 1,
                url: URL.find(&body).map(|m| m.as_str().trim_end_matches(['.', ',', ';']).to_string()),
                body,
            })
        })
        .collect()
}

/// Inline URLs in a range of the text.
pub fn urls(text: &str) -> impl Iterator<Item = TextRange> + '_ {
    URL.find_iter(text).map(|m| m.range())
}

/// A Markdown code span on one line: `` `[^key]` ``.
static CODE_SPAN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`[^`\n\r]+`").expect("code span regex"));

/// The byte ranges that are not prose: the header, definition lines, HTML
/// comments, code spans and fenced code blocks. Sorted, non-overlapping.
pub fn non_prose(text: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    if let Some(h) = date_header(text) {
        out.push(h.range);
    }
    for d in definitions(text) {
        out.push(d.range);
    }
    // `memmem` skips ahead with SIMD where `str::find` compares along:
    // this runs over every byte of a corpus.
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&text.as_bytes()[from..], b"<!--") {
        let start = from + i;
        let end = memchr::memmem::find(&text.as_bytes()[start..], b"-->").map_or(text.len(), |j| start + j + 3);
        out.push(start..end);
        from = end;
    }
    for m in CODE_SPAN.find_iter(text) {
        out.push(m.range());
    }
    // Fences are rare: the text is searched for one (with SIMD) before it
    // is read line by line.
    if memchr::memmem::find(text.as_bytes(), b"```").is_some()
        || memchr::memmem::find(text.as_bytes(), b"~~~").is_some()
    {
        out.extend(fenced_blocks(text));
    }
    out.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<TextRange> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Fenced code blocks (```` ``` ```` or `~~~` lines); an unclosed one runs
/// to the end.
fn fenced_blocks(text: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut fence: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            match fence.take() {
                Some(start) => out.push(start..offset + line.len()),
                None => fence = Some(offset),
            }
        }
        offset += line.len();
    }
    if let Some(start) = fence {
        out.push(start..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_and_nul_and_bad_utf8_are_refused() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc".to_vec()), Ok("abc".to_string()));
        assert_eq!(decode(b"ab\0c".to_vec()), Err(DecodeError::Binary { offset: 2 }));
        assert_eq!(decode(b"ab\xFFc".to_vec()), Err(DecodeError::InvalidUtf8 { offset: 2 }));
    }

    #[test]
    fn fenced_blocks_are_not_prose_and_an_unclosed_one_runs_to_the_end() {
        let text = "Prose.\n  ```rust\nlet x = 1;\n```\nMore ``` inline.\n~~~\nopen";
        let fence = text.find("  ```").expect("fence");
        let close = text.find("```\nMore").expect("close") + 4;
        let open = text.find("~~~").expect("tilde");
        // Backticks inside a line neither open a fence nor make a code span.
        let spans: Vec<&str> = non_prose(text).iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(non_prose(text), vec![fence..close, open..text.len()], "{spans:?}");
        assert_eq!(non_prose("No fence here, `code` only."), vec![15..21]);
        assert_eq!(non_prose("a\n~~~\nb\n~~~\nc"), vec![2..12]);
    }

    #[test]
    fn header_is_metadata() {
        let text = " date 2024-05-30 Philadelphia District Attorney";
        let h = date_header(text).expect("header");
        assert_eq!(h.date, "2024-05-30");
        assert_eq!(&text[h.range.clone()], " date 2024-05-30 ");
        assert_eq!(date_header("The date 2024-05-30 was"), None);
    }

    #[test]
    fn definitions_are_found_at_line_start() {
        let text = "Text.[^a]\n\n[^a]: https://example.org/a \"Title\", 2024-05-30\r\nnot [^b]: here\n";
        let defs = definitions(text);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].key, "a");
        assert_eq!(&text[defs[0].label_range.clone()], "[^a]");
        assert_eq!(defs[0].url.as_deref(), Some("https://example.org/a"));
        assert_eq!(&text[defs[0].range.clone()], "[^a]: https://example.org/a \"Title\", 2024-05-30\r");
    }
}
