//! Positions in a document: byte offsets, character offsets and line/column
//! pairs in UTF-8, UTF-16 or UTF-32 (characters).
//!
//! Invariant: everything inside factls speaks byte offsets into the
//! document's text (a `&str` without its BOM). `LineIndex` is the one place
//! that turns those into line/column pairs and back; `src/lsp/convert.rs`
//! only wraps it in protocol types.
//!
//! Line breaks are the three the LSP recognises: `\n`, `\r\n` and a lone
//! `\r`. Conversions clamp: a column past the end of a line lands at the end
//! of the line (before its terminator), a line past the end lands at the end
//! of the text, and a UTF-16 column inside a surrogate pair lands on the
//! start of that character. Nothing here panics on any input.
//!
//! Cost: building is one pass over the bytes. A lookup is a binary search
//! plus a scan of at most `CHECKPOINT` bytes, so a 10 MB single line does not
//! make conversions quadratic. A [`LineCursor`] converts offsets that come
//! in order (a document's mentions, its diagnostics) counting on from the
//! one before on the same line.

use std::ops::Range;

/// How a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default).
    #[default]
    Utf16,
    /// Unicode scalar values ("characters").
    Utf32,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// A byte range into a document's text.
pub type TextRange = Range<usize>;

/// Distance between checkpoints inside a non-ASCII line.
const CHECKPOINT: usize = 4096;

#[derive(Clone, Debug)]
struct Checkpoint {
    byte: usize,
    /// Columns of `byte` from its line start.
    utf16: usize,
    chars: usize,
}

/// Line starts and enough extra data to convert offsets in any encoding.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// One entry per line: its first byte `<< 3`, [`ASCII`] when it is
    /// pure ASCII (so every encoding agrees and no character needs
    /// looking at), and the length of its terminator (0, 1 or 2) in the
    /// low two bits. One table, so that a conversion in a document no
    /// cache holds (a references answer across thousands of documents)
    /// costs one or two cache lines instead of three tables' worth.
    lines: Vec<u64>,
    /// Checkpoints inside non-ASCII lines longer than `CHECKPOINT`,
    /// sorted by byte.
    checkpoints: Vec<Checkpoint>,
    len: usize,
}

/// The bit of a [`LineIndex`] entry for a pure ASCII line.
const ASCII: u64 = 1 << 2;

/// A [`LineIndex`] entry (a text's offsets fit in 61 bits).
fn entry(start: usize, ascii: bool, terminator: usize) -> u64 {
    ((start as u64) << 3) | if ascii { ASCII } else { 0 } | terminator as u64
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        // Line breaks found with memchr, lines tested a word at a time: a
        // byte loop here cost as much as a rule pass.
        let mut start = 0;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if i < start {
                continue; // the `\n` of a `\r\n`
            }
            let next = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
            lines.push(entry(start, bytes[start..i].is_ascii(), next - i));
            start = next;
        }
        lines.push(entry(start, bytes[start..].is_ascii(), 0));
        let mut index = LineIndex { lines, checkpoints: Vec::new(), len: text.len() };
        index.checkpoints = index.build_checkpoints(text);
        index
    }

    /// Asks the memory, without waiting, for the entries [`LineIndex::line_of`]
    /// reads for `offset`: all of a short table, else the first probes of
    /// its binary search and the entry `offset` would have were the lines
    /// equally long. The table must already be in cache or on its way
    /// (see [`SourceText::prefetch`](crate::analysis::SourceText::prefetch)).
    /// A hint: it changes no result.
    pub fn prefetch(&self, offset: usize) {
        let (n, base) = (self.lines.len(), self.lines.as_ptr());
        // Eight entries a cache line.
        if n <= 32 {
            (0..n).step_by(8).chain(n.checked_sub(1)).for_each(|i| prefetch(base.wrapping_add(i)));
            return;
        }
        let guess = (offset.min(self.len) as u128 * n as u128 / self.len.max(1) as u128) as usize;
        for i in [n / 2, n / 4, n / 2 + n / 4, guess.min(n - 1)] {
            prefetch(base.wrapping_add(i));
        }
    }

    fn start(&self, line: usize) -> Option<usize> {
        self.lines.get(line).map(|e| (e >> 3) as usize)
    }

    /// Whether `line` is pure ASCII (a line past the end is not).
    fn ascii(&self, line: usize) -> bool {
        self.lines.get(line).is_some_and(|e| e & ASCII != 0)
    }

    fn build_checkpoints(&self, text: &str) -> Vec<Checkpoint> {
        let mut out = Vec::new();
        for line in 0..self.line_count() {
            let Range { start, end } = self.line_content(line);
            if self.ascii(line) || end - start <= CHECKPOINT {
                continue;
            }
            let (mut utf16, mut chars) = (0, 0);
            let mut next = start + CHECKPOINT;
            for (i, c) in text[start..end].char_indices() {
                let at = start + i;
                if at >= next {
                    out.push(Checkpoint { byte: at, utf16, chars });
                    next = at + CHECKPOINT;
                }
                utf16 += c.len_utf16();
                chars += 1;
            }
        }
        out
    }

    /// Number of lines; an empty text and a text ending in a newline both
    /// have a last, empty line.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Length of the indexed text in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte range of a line including its terminator.
    pub fn line_range(&self, line: usize) -> TextRange {
        let start = self.start(line).unwrap_or(self.len);
        let end = self.start(line + 1).unwrap_or(self.len);
        start..end
    }

    /// Byte range of a line without its terminator.
    pub fn line_content(&self, line: usize) -> TextRange {
        let Range { start, end } = self.line_range(line);
        let term = self.lines.get(line).map_or(0, |e| (e & 3) as usize);
        start..end - term
    }

    /// The line that holds a byte offset (an offset past the end belongs to
    /// the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        // The first line starts at 0, so at least one entry is <= offset.
        self.lines.partition_point(|e| (e >> 3) as usize <= offset).saturating_sub(1)
    }

    /// Byte offset → line/column in `enc`. The offset is clamped to the text
    /// and moved back to a character boundary.
    pub fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        self.locate(text, offset, enc).0
    }

    /// [`LineIndex::line_col`], and the offset it counted to: `offset`
    /// clamped to the text, moved back to a character boundary and to the
    /// end of its line's content.
    fn locate(&self, text: &str, offset: usize, enc: Encoding) -> (LineCol, usize) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let ascii = self.ascii(line);
        // Every byte of a pure ASCII line is a character boundary: the text
        // is not looked at. Elsewhere the boundary at or before `offset`
        // is in the same line (a line starts on a boundary).
        let offset = if ascii { offset } else { floor_char_boundary(text, offset) };
        let content = self.line_content(line);
        // An offset inside a "\r\n" terminator belongs at the line end.
        let offset = offset.min(content.end);
        let col = if ascii || enc == Encoding::Utf8 {
            offset - content.start
        } else {
            let (from, base16, base_chars) = self.checkpoint_before(content.start, offset);
            let base = if enc == Encoding::Utf16 { base16 } else { base_chars };
            base + units(&text[from..offset], enc)
        };
        (LineCol { line: line as u32, col: col as u32 }, offset)
    }

    /// A [`LineCursor`] over `text` (the text this index was built from).
    pub fn cursor<'a>(&'a self, text: &'a str, enc: Encoding) -> LineCursor<'a> {
        LineCursor { index: self, text, enc, last: None }
    }

    /// Line/column in `enc` → byte offset, clamped as the module header says.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_count() {
            return self.len;
        }
        let content = self.line_content(line);
        let want = pos.col as usize;
        if self.ascii(line) {
            return (content.start + want).min(content.end);
        }
        if enc == Encoding::Utf8 {
            let at = (content.start + want).min(content.end);
            return floor_char_boundary(text, at);
        }
        let (mut at, mut col) = self.checkpoint_for_col(line, content.start, want, enc);
        for c in text[at..content.end].chars() {
            let width = match enc {
                Encoding::Utf16 => c.len_utf16(),
                _ => 1,
            };
            if col + width > want {
                break;
            }
            col += width;
            at += c.len_utf8();
        }
        at
    }

    fn checkpoint_before(&self, line_start: usize, offset: usize) -> (usize, usize, usize) {
        let idx = self.checkpoints.partition_point(|c| c.byte <= offset);
        match idx.checked_sub(1).map(|i| &self.checkpoints[i]) {
            Some(c) if c.byte >= line_start => (c.byte, c.utf16, c.chars),
            _ => (line_start, 0, 0),
        }
    }

    fn checkpoint_for_col(&self, line: usize, line_start: usize, want: usize, enc: Encoding) -> (usize, usize) {
        let line_end = self.line_range(line).end;
        let lo = self.checkpoints.partition_point(|c| c.byte < line_start);
        let hi = self.checkpoints.partition_point(|c| c.byte < line_end);
        let cps = &self.checkpoints[lo..hi];
        let col_of = |c: &Checkpoint| if enc == Encoding::Utf16 { c.utf16 } else { c.chars };
        let idx = cps.partition_point(|c| col_of(c) <= want);
        match idx.checked_sub(1).map(|i| &cps[i]) {
            Some(c) => (c.byte, col_of(c)),
            None => (line_start, 0),
        }
    }
}

/// [`LineIndex::line_col`] for one text, quicker for offsets that come in
/// increasing order (a document's mentions in a references answer, its
/// diagnostics in a report): an offset on the line of the offset before it
/// and not before it is counted on from there, without looking the line
/// up again or counting from the line's start. Any other offset is looked
/// up as `line_col` does. Gives what `line_col` gives, in any order (a
/// property test compares the two).
pub struct LineCursor<'a> {
    index: &'a LineIndex,
    text: &'a str,
    enc: Encoding,
    /// The last offset converted (as [`LineIndex::locate`] moved it), its
    /// line's number, the end of that line's range (its terminator
    /// included) and the offset's column.
    last: Option<Last>,
}

#[derive(Clone, Copy)]
struct Last {
    offset: usize,
    line: usize,
    line_end: usize,
    col: usize,
}

impl LineCursor<'_> {
    pub fn line_col(&mut self, offset: usize) -> LineCol {
        let index = self.index;
        let offset = offset.min(index.len);
        if let Some(last) = self.last
            && offset >= last.offset
            && (offset < last.line_end || last.line + 1 == index.line_count())
            // Past a checkpoint, `line_col` counts less.
            && offset - last.offset <= CHECKPOINT
        {
            let content = index.line_content(last.line);
            let ascii = index.ascii(last.line);
            let to = if ascii { offset } else { floor_char_boundary(self.text, offset) }.min(content.end);
            let col = if ascii || self.enc == Encoding::Utf8 {
                to - content.start
            } else {
                last.col + units(&self.text[last.offset..to], self.enc)
            };
            self.last = Some(Last { offset: to, col, ..last });
            return LineCol { line: last.line as u32, col: col as u32 };
        }
        let (lc, to) = index.locate(self.text, offset, self.enc);
        let line = lc.line as usize;
        self.last = Some(Last { offset: to, line, line_end: index.line_range(line).end, col: lc.col as usize });
        lc
    }

    /// Both ends of a range (the end moved to the start if before it), as
    /// [`LineIndex::line_col`] gives them: the end counted on from the start
    /// when both lie on one line (most ranges: a name, a claim).
    pub fn range(&mut self, range: &TextRange) -> (LineCol, LineCol) {
        let start = self.line_col(range.start);
        (start, self.line_col(range.end.max(range.start)))
    }
}

/// Converts increasing byte offsets to character offsets in one pass.
pub struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        CharCounter { text, byte: 0, chars: 0 }
    }

    /// Character offset of `offset`. Offsets asked out of order restart the
    /// count from the beginning (correct, just slower).
    pub fn char_offset(&mut self, offset: usize) -> usize {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        if offset < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += count_units(&self.text[self.byte..offset]).1;
        self.byte = offset;
        self.chars
    }
}

/// The length of `s` in `enc`'s units.
fn units(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => count_units(s).0,
        Encoding::Utf32 => count_units(s).1,
    }
}

/// (UTF-16 code units, characters) of `s`, counted over bytes: every
/// byte but a continuation byte starts a character, and a four-byte one
/// needs two UTF-16 units. Counted in blocks of at most 255 bytes into
/// byte-wide counters, which the compiler vectorises 16 or 32 bytes a
/// step (with `usize` counters it took 4: a long references answer spent
/// most of its position conversion here).
fn count_units(s: &str) -> (usize, usize) {
    let (mut chars, mut astral) = (0, 0);
    for block in s.as_bytes().chunks(255) {
        let (mut c, mut a) = (0u8, 0u8);
        for &b in block {
            c += u8::from((b as i8) >= -0x40);
            a += u8::from(b >= 0xF0);
        }
        chars += usize::from(c);
        astral += usize::from(a);
    }
    (chars + astral, chars)
}

/// Asks the memory for the cache line at `p` without waiting for it: a
/// hint that changes no result (a no-op off x86-64).
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and cannot fault,
    // whatever the address; SSE, which has it, is part of x86-64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The greatest char boundary `<= offset` (`str::floor_char_boundary` is
/// not stable yet).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The least char boundary `>= offset`.
pub fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}
