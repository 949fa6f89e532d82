//! Which words a document may hold, without reading its text: a Bloom
//! filter of its capitalised words (names, acronyms), made the first time
//! a search of the corpus asks (`Corpus::documents_holding`, after an edit
//! that changes names).
//!
//! A text holds a form as whole words only where it holds the form's
//! first word as a word of its own (a longest run of letters and digits,
//! as [`forms`](crate::analysis::names::forms) cuts them): a filter that
//! has no such word rules the text out, and only the texts it cannot rule
//! out are read. Never a false "no"; a false "maybe" costs a read.

use std::hash::BuildHasher;

use crate::analysis::chars;
use crate::analysis::names::forms::word_end;

/// The capitalised words of a text (their first character an ASCII
/// capital, or past ASCII and no lowercase letter), as a Bloom filter of
/// about ten bits a word, three bits each (about one false "maybe" in a
/// hundred).
#[derive(Clone, Debug)]
pub struct WordFilter {
    /// A power of two bits.
    bits: Box<[u64]>,
}

/// Bits a word, and bits set for each.
const BITS_PER_WORD: usize = 10;
const PROBES: u32 = 3;

/// Fixed: a filter is asked with the hash it was made with.
fn hash(word: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x0b10_0f11_7e25_0001).hash_one(word)
}

impl WordFilter {
    pub fn new(text: &str) -> WordFilter {
        let mut hashes: Vec<u64> = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Lowercase text is ruled out eight bytes at a time.
            i = chars::skip_to_maybe_capital(bytes, i, bytes.len());
            let eight = &bytes[i..(i + 8).min(bytes.len())];
            let Some(k) = eight.iter().position(|&b| b.is_ascii_uppercase() || b >= 0x80) else {
                i += eight.len();
                continue;
            };
            let start = i + k;
            let end = if text.is_char_boundary(start) { word_end(text, start) } else { start };
            if end == start {
                // Inside a character, or no letter or digit.
                i = start + 1;
                continue;
            }
            let word = &text[start..end];
            if keeps(word) && !text[..start].chars().next_back().is_some_and(char::is_alphanumeric) {
                hashes.push(hash(word));
            }
            i = end;
        }
        hashes.sort_unstable();
        hashes.dedup();
        let len = (hashes.len() * BITS_PER_WORD).next_power_of_two().max(64) / 64;
        let mut bits = vec![0u64; len].into_boxed_slice();
        let mask = (len * 64 - 1) as u64;
        for h in hashes {
            for bit in probes(h, mask) {
                bits[(bit / 64) as usize] |= 1 << (bit % 64);
            }
        }
        WordFilter { bits }
    }

    /// Whether the text may hold `word` (one of [`first_word`]'s).
    pub fn may_hold(&self, word: &str) -> bool {
        let mask = (self.bits.len() * 64 - 1) as u64;
        probes(hash(word), mask).all(|bit| self.bits[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }
}

/// Whether a filter keeps `word`: it starts with an ASCII capital, or
/// with a character past ASCII that is no lowercase letter.
fn keeps(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_uppercase() || (!c.is_ascii() && !c.is_lowercase()))
}

/// The bits of a word's hash (double hashing from its two halves).
fn probes(h: u64, mask: u64) -> impl Iterator<Item = u64> {
    let (a, b) = (h, (h >> 32) | 1);
    (0..PROBES).map(move |k| a.wrapping_add(u64::from(k).wrapping_mul(b)) & mask)
}

/// The word a [`WordFilter`] is asked for `form`: its first, when the form
/// starts with a word a filter keeps; `None` otherwise (every text must be
/// read for it).
pub fn first_word(form: &str) -> Option<&str> {
    let word = form.get(..word_end(form, 0))?;
    keeps(word).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_holds_every_word_it_keeps_and_rules_out_most_others() {
        let text = "Mayor Jane Roe’s office (HFN) paid 3M; O’Brien and de Blasio said so on eBay. Éric left.";
        let filter = WordFilter::new(text);
        for form in ["Jane Roe", "Roe", "HFN", "O’Brien", "O'Brien", "Éric", "Mayor"] {
            let word = first_word(form).expect("a word it keeps");
            assert!(filter.may_hold(word), "{form}");
        }
        // Not a word inside another (`eBay`), nor one that starts with a
        // lowercase letter or a digit: every text is read for those.
        assert!(!filter.may_hold("Bay") && !filter.may_hold("B"));
        assert_eq!(first_word("de Blasio"), None);
        assert_eq!(first_word("3M"), None);
        assert_eq!(first_word("élan"), None);
        assert_eq!(first_word("#MeToo"), None);
        assert_eq!(first_word("O’Brien"), Some("O"));
        // Of a thousand words it does not hold, few are "maybe" (ten bits a
        // word and three probes: about one in a hundred).
        let maybe = (0..1000).filter(|i| filter.may_hold(&format!("Absent{i}"))).count();
        assert!(maybe < 60, "{maybe} false maybes");
        // The 50 KB kind of document: the filter grows with its words.
        let long: String = (0..5000).map(|i| format!("Name{i} said so. ")).collect();
        let filter = WordFilter::new(&long);
        assert!((0..5000).all(|i| filter.may_hold(&format!("Name{i}"))));
        let maybe = (0..1000).filter(|i| filter.may_hold(&format!("Absent{i}"))).count();
        assert!(maybe < 60, "{maybe} false maybes");
    }
}
