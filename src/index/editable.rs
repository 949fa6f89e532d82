//! An open document's text as the editor edits it: a rope that takes
//! incremental changes in line/column positions of any encoding.
//!
//! Invariant: applying a sequence of changes gives the same text as the
//! editor has, as long as the editor's positions are valid; invalid ones
//! (past a line's end, past the document's end, inside a surrogate pair) are
//! clamped exactly as `LineIndex` clamps them, never a panic.

use ropey::Rope;

use crate::analysis::text::{Encoding, LineCol};

#[derive(Clone, Debug, Default)]
pub struct EditableText {
    rope: Rope,
}

impl EditableText {
    pub fn new(text: &str) -> EditableText {
        EditableText { rope: Rope::from_str(text) }
    }

    /// Replaces `range` (start, end) with `text`; `None` replaces everything.
    pub fn apply(&mut self, range: Option<(LineCol, LineCol)>, text: &str, enc: Encoding) {
        match range {
            None => self.rope = Rope::from_str(text),
            Some((start, end)) => {
                let a = self.char_index(start, enc);
                let b = self.char_index(end, enc);
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                self.rope.remove(a..b);
                self.rope.insert(a, text);
            }
        }
    }

    /// The character index of a position, clamped.
    fn char_index(&self, pos: LineCol, enc: Encoding) -> usize {
        let rope = &self.rope;
        let line = pos.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let slice = rope.line(line);
        // Content without the terminator.
        let mut content_chars = slice.len_chars();
        if content_chars > 0 && slice.char(content_chars - 1) == '\n' {
            content_chars -= 1;
        }
        if content_chars > 0 && slice.char(content_chars - 1) == '\r' {
            content_chars -= 1;
        }
        let want = pos.col as usize;
        let mut col = 0;
        let mut chars = 0;
        for c in slice.chars().take(content_chars) {
            let width = match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if col + width > want {
                break;
            }
            col += width;
            chars += 1;
        }
        line_start + chars
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn utf16_edits_after_astral_characters() {
        let mut t = EditableText::new("📰 Krasner’s office\r\nline two");
        // "📰" is two UTF-16 units: column 3 is the K.
        t.apply(Some((lc(0, 3), lc(0, 10))), "Gascón", Encoding::Utf16);
        assert_eq!(t.text(), "📰 Gascón’s office\r\nline two");
        // Past the end of a line clamps before "\r\n".
        t.apply(Some((lc(0, 99), lc(0, 99))), "!", Encoding::Utf16);
        assert_eq!(t.text(), "📰 Gascón’s office!\r\nline two");
        // Inside the surrogate pair lands on the character's start.
        t.apply(Some((lc(0, 1), lc(0, 1))), "x", Encoding::Utf16);
        assert_eq!(t.text(), "x📰 Gascón’s office!\r\nline two");
        // Past the end of the document appends.
        t.apply(Some((lc(9, 0), lc(9, 0))), ".", Encoding::Utf8);
        assert_eq!(t.text(), "x📰 Gascón’s office!\r\nline two.");
    }

    #[test]
    fn lone_cr_is_a_line_break() {
        let mut t = EditableText::new("a\rb\rc");
        t.apply(Some((lc(2, 0), lc(2, 1))), "C", Encoding::Utf16);
        assert_eq!(t.text(), "a\rb\rC");
    }
}
