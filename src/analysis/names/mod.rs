//! Names: which entity each capitalised stretch of prose refers to.
//!
//! Two phases, so one document can be re-analysed alone:
//! 1. `discover` reads one document and reports the names it introduces
//!    (and acronyms it defines) that the knowledge base does not know;
//! 2. `lexicon` merges those introductions over the corpus, in document
//!    order (the first introduction wins), learns aliases, and matches every
//!    surface form — knowledge-base and discovered alike — through one
//!    Aho-Corasick automaton, whole words, leftmost-longest, tolerant of the
//!    possessive.

pub mod discover;
pub mod lexicon;

use super::text::TextRange;

/// An entity of the lexicon: a knowledge-base entry or a discovered name.
/// Indices are valid for the lexicon they came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityRef {
    Kb(usize),
    Discovered(usize),
}

/// One mention of an entity in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// The name as written, without a possessive `’s`.
    pub range: TextRange,
    pub entity: EntityRef,
    /// Inside a longer mention of another entity (`Los Angeles` in `Los
    /// Angeles District Attorney`): counted and found, but the outer one is
    /// what the editor highlights.
    pub nested: bool,
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

/// Curly apostrophes folded to straight ones, for comparing names.
pub fn fold_apostrophes(s: &str) -> String {
    s.replace('’', "'")
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
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("George Gascón"), "george-gascon");
        assert_eq!(slug("Matt O’Brien"), "matt-obrien");
        assert_eq!(slug("U.S."), "u-s");
    }
}
