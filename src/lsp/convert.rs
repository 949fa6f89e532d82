//! The one boundary between protocol positions and factls's byte offsets,
//! and between URIs and paths. Every conversion clamps (a position past a
//! line's end or inside a surrogate pair is moved, never trusted) and none
//! panics: `LineIndex` does the arithmetic in the negotiated encoding.

use std::path::{Path, PathBuf};

use tower_lsp::lsp_types::{self as lsp, PositionEncodingKind, Url};

use crate::analysis::SourceText;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::{Encoding, LineCol, LineCursor, TextRange};

pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn line_col(p: lsp::Position) -> LineCol {
    LineCol { line: p.line, col: p.character }
}

pub fn position(src: &SourceText, offset: usize, enc: Encoding) -> lsp::Position {
    lsp_position(src.lines.line_col(&src.text, offset, enc))
}

fn lsp_position(lc: LineCol) -> lsp::Position {
    lsp::Position { line: lc.line, character: lc.col }
}

pub fn range(src: &SourceText, r: &TextRange, enc: Encoding) -> lsp::Range {
    Ranges::new(src, enc).range(r)
}

/// [`range`] for many ranges of one document, quicker when they come in
/// order (see [`LineCursor`]).
pub struct Ranges<'a>(LineCursor<'a>);

impl<'a> Ranges<'a> {
    pub fn new(src: &'a SourceText, enc: Encoding) -> Ranges<'a> {
        Ranges(src.lines.cursor(&src.text, enc))
    }

    pub fn range(&mut self, r: &TextRange) -> lsp::Range {
        let (start, end) = self.0.range(r);
        lsp::Range { start: lsp_position(start), end: lsp_position(end) }
    }
}

pub fn offset(src: &SourceText, p: lsp::Position, enc: Encoding) -> usize {
    src.lines.offset(&src.text, line_col(p), enc)
}

pub fn text_range(src: &SourceText, r: lsp::Range, enc: Encoding) -> TextRange {
    let a = offset(src, r.start, enc);
    let b = offset(src, r.end, enc);
    a.min(b)..a.max(b)
}

/// A `file:` URI's path; other schemes (untitled buffers) have none.
pub fn path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok()
}

pub fn uri(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// The protocol's form of a diagnostic (taken, not copied: a document
/// can have hundreds, sent on every keystroke).
pub fn diagnostic(src: &SourceText, d: Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    let tags = (d.code == "unused-source").then(|| vec![lsp::DiagnosticTag::UNNECESSARY]);
    lsp::Diagnostic {
        range: range(src, &d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.into_owned())),
        source: Some("factls".into()),
        message: d.message,
        tags,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_positions_after_wide_characters() {
        let src = SourceText::new("📰 “Gascón” — Krasner’s\r\nnext");
        let k = src.text.find("Krasner").expect("name");
        assert_eq!(position(&src, k, Encoding::Utf16), lsp::Position { line: 0, character: 14 });
        assert_eq!(position(&src, k, Encoding::Utf8), lsp::Position { line: 0, character: k as u32 });
        assert_eq!(offset(&src, lsp::Position { line: 0, character: 14 }, Encoding::Utf16), k);
        // Inside the emoji's surrogate pair: the emoji's start.
        assert_eq!(offset(&src, lsp::Position { line: 0, character: 1 }, Encoding::Utf16), 0);
        // Past the line end: before "\r\n".
        let eol = src.text.find('\r').expect("cr");
        assert_eq!(offset(&src, lsp::Position { line: 0, character: 999 }, Encoding::Utf16), eol);
        // Past the last line: the end.
        assert_eq!(offset(&src, lsp::Position { line: 9, character: 0 }, Encoding::Utf16), src.text.len());
    }
}
