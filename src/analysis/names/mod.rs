//! Names: which entity each capitalised stretch of prose refers to.
//!
//! Two phases, so one document can be re-analysed alone:
//! 1. `discover` reads one document and reports the names it introduces
//!    (and acronyms it defines) that the knowledge base does not know;
//! 2. `lexicon` merges those introductions over the corpus, in document
//!    order (the first introduction wins), learns aliases, and matches every
//!    surface form — knowledge-base and discovered alike — as whole words,
//!    leftmost-longest, tolerant of the possessive; `forms` finds them a
//!    word at a time.

pub mod discover;
pub mod forms;
pub mod lexicon;

use std::borrow::Cow;

use super::text::TextRange;

/// An entity of the lexicon: a knowledge-base entry or a discovered name.
/// Indices are valid for the lexicon they came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityRef {
    Kb(usize),
    Discovered(usize),
}

/// One mention of an entity in a document: the name as written, without a
/// possessive `’s`. Sixteen bytes (offsets as `u32`): a corpus keeps every
/// mention of every document.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    start: u32,
    end: u32,
    /// The entity's index, the top bit set for a discovered name.
    entity: u32,
    /// Inside a longer mention of another entity (`Los Angeles` in `Los
    /// Angeles District Attorney`): counted and found, but the outer one is
    /// what the editor highlights.
    pub nested: bool,
}

const DISCOVERED: u32 = 1 << 31;

impl Mention {
    /// `None` when an offset or the entity's index does not fit in 31/32
    /// bits (a document over 4 GiB, two billion entities).
    pub fn new(range: TextRange, entity: EntityRef, nested: bool) -> Option<Mention> {
        let (index, tag) = match entity {
            EntityRef::Kb(i) => (i, 0),
            EntityRef::Discovered(i) => (i, DISCOVERED),
        };
        let index = u32::try_from(index).ok().filter(|i| i & DISCOVERED == 0)?;
        Some(Mention {
            start: u32::try_from(range.start).ok()?,
            end: u32::try_from(range.end).ok()?,
            entity: index | tag,
            nested,
        })
    }

    pub fn range(&self) -> TextRange {
        self.start as usize..self.end as usize
    }

    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }

    pub fn entity(&self) -> EntityRef {
        let index = (self.entity & !DISCOVERED) as usize;
        if self.entity & DISCOVERED == 0 { EntityRef::Kb(index) } else { EntityRef::Discovered(index) }
    }
}

impl std::fmt::Debug for Mention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mention")
            .field("range", &self.range())
            .field("entity", &self.entity())
            .field("nested", &self.nested)
            .finish()
    }
}

/// FxHash (as in rustc): a multiply and a rotate per eight bytes. For
/// tables of fixed words only; keys read from documents keep std's
/// SipHash, which a hostile document cannot make collide.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak; hash tables index by them.
        self.hash.rotate_left(26)
    }
}

pub type FxBuildHasher = std::hash::BuildHasherDefault<FxHasher>;

/// Curly apostrophes folded to straight ones, for comparing names: `s`
/// itself when it has none (most names: no allocation). Inline: it is
/// asked for every capitalised run of a corpus, and out of line its call
/// cost discovery more than the fold (the sixteenth session).
#[inline]
pub fn fold_apostrophes(s: &str) -> Cow<'_, str> {
    // `’` is E2 80 99: a byte search (memchr) rules most names out.
    if s.as_bytes().contains(&0xE2) && s.contains('’') { Cow::Owned(s.replace('’', "'")) } else { Cow::Borrowed(s) }
}

/// A discovered name's id: lowercase ASCII words joined by dashes.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '.') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{EntityRef, Mention, fold_apostrophes, slug};

    #[test]
    fn apostrophes_fold_and_a_name_without_one_is_not_copied() {
        for (name, folded) in [("O’Brien", "O'Brien"), ("Ngũgĩ’s “Weep” — ’’", "Ngũgĩ's “Weep” — ''"), ("’", "'")]
        {
            assert!(matches!(fold_apostrophes(name), Cow::Owned(f) if f == folded), "{name}");
        }
        // Other characters with an E2 byte (dashes, curly double quotes),
        // and none.
        for name in ["Obrien", "O'Brien", "A — B “C”", "Gascón", ""] {
            assert!(matches!(fold_apostrophes(name), Cow::Borrowed(f) if f == name), "{name}");
        }
    }

    #[test]
    fn mentions_pack_into_sixteen_bytes_and_keep_what_they_say() {
        assert_eq!(std::mem::size_of::<Mention>(), 16);
        let m = Mention::new(7..19, EntityRef::Discovered(42), true).expect("fits");
        assert_eq!(
            (m.range(), m.start(), m.end(), m.entity(), m.nested),
            (7..19, 7, 19, EntityRef::Discovered(42), true)
        );
        let m = Mention::new(0..4, EntityRef::Kb(0), false).expect("fits");
        assert_eq!(m.entity(), EntityRef::Kb(0));
        // What does not fit is left out rather than wrapped.
        assert_eq!(Mention::new(0..(1 << 33), EntityRef::Kb(1), false), None);
        assert_eq!(Mention::new(0..4, EntityRef::Kb(1 << 31), false), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("George Gascón"), "george-gascon");
        assert_eq!(slug("Matt O’Brien"), "matt-obrien");
        assert_eq!(slug("U.S."), "u-s");
    }
}
