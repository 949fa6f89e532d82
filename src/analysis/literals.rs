//! Which groups of literals occur in a text: one pass of a small DFA.
//!
//! The claim rules' prefilter asks, for every paragraph of a corpus, which
//! of a few hundred trigger words occur in it (ASCII case ignored). An
//! Aho-Corasick search answers that and much more (where, which pattern),
//! and pays for it on every byte; [`LiteralSet`] answers only the question
//! asked: its DFA is the Aho-Corasick automaton of the literals, every
//! transition precomputed over byte classes, and each state carries the
//! groups of the literals that end there. A search is then a table lookup
//! and an `or` per byte.
//!
//! Invariant: [`LiteralSet::groups`] is the union of the groups of the
//! literals that occur in the haystack, compared ASCII-case-insensitively
//! (as an overlapping search of an `ascii_case_insensitive` Aho-Corasick
//! automaton finds them; a proptest compares the two).

/// Literals in groups (at most 32), compiled.
pub struct LiteralSet {
    /// Byte → its class (ASCII letters folded to lowercase; bytes in no
    /// literal share class 0).
    classes: [u8; 256],
    /// State × class → the next state's row (its index times the number
    /// of classes) shifted left once, the low bit set when literals end in
    /// it: the search loop reads one table per byte.
    next: Vec<u32>,
    stride: usize,
    /// State → the groups of the literals that end in it.
    out: Vec<u32>,
    /// The length of the longest literal.
    longest: usize,
}

impl LiteralSet {
    /// `literals`: (literal, group), groups below 32. Empty literals are
    /// ignored. `None` when the automaton would have more than 65,535
    /// states.
    pub fn new<'a>(literals: impl IntoIterator<Item = (&'a str, u32)>) -> Option<LiteralSet> {
        let literals: Vec<(Vec<u8>, u32)> = literals
            .into_iter()
            .filter(|(l, g)| !l.is_empty() && *g < 32)
            .map(|(l, g)| (l.as_bytes().to_ascii_lowercase(), g))
            .collect();
        let mut classes = [0u8; 256];
        let mut count = 1usize;
        for (l, _) in &literals {
            for &b in l {
                if classes[b as usize] == 0 {
                    classes[b as usize] = u8::try_from(count).ok()?;
                    count += 1;
                }
            }
        }
        for b in b'A'..=b'Z' {
            classes[b as usize] = classes[b.to_ascii_lowercase() as usize];
        }
        let stride = count;
        // The trie: `goto` has no transition where it holds 0 (no state
        // goes back to the root by a trie edge).
        let mut goto: Vec<u16> = vec![0; stride];
        let mut out: Vec<u32> = vec![0];
        for (l, g) in &literals {
            let mut s = 0usize;
            for &b in l {
                let c = classes[b as usize] as usize;
                if goto[s * stride + c] == 0 {
                    let new = out.len();
                    goto[s * stride + c] = u16::try_from(new).ok()?;
                    goto.extend(std::iter::repeat_n(0, stride));
                    out.push(0);
                }
                s = goto[s * stride + c] as usize;
            }
            out[s] |= 1 << g;
        }
        // Breadth first: failure links, outputs along them, and the full
        // transition table.
        let states = out.len();
        let mut next = vec![0u16; states * stride];
        let mut fail = vec![0usize; states];
        let mut queue = std::collections::VecDeque::new();
        for c in 0..stride {
            let t = goto[c] as usize;
            next[c] = t as u16;
            if t != 0 {
                queue.push_back(t);
            }
        }
        while let Some(s) = queue.pop_front() {
            out[s] |= out[fail[s]];
            for c in 0..stride {
                let t = goto[s * stride + c] as usize;
                if t == 0 {
                    next[s * stride + c] = next[fail[s] * stride + c];
                } else {
                    fail[t] = next[fail[s] * stride + c] as usize;
                    next[s * stride + c] = t as u16;
                    queue.push_back(t);
                }
            }
        }
        let next = next
            .iter()
            .map(|&t| {
                let t = t as usize;
                let row = u32::try_from(t * stride).ok()?;
                Some(row << 1 | u32::from(out[t] != 0))
            })
            .collect::<Option<Vec<u32>>>()?;
        if next.len() >= 1 << 31 {
            return None;
        }
        let longest = literals.iter().map(|(l, _)| l.len()).max().unwrap_or(1);
        Some(LiteralSet { classes, next, stride, out, longest })
    }

    /// The groups (bit `g` for group `g`) of the literals in `haystack`;
    /// the search may stop once every group of `all` is found.
    ///
    /// A walk of the DFA waits on each lookup for the one before: four
    /// walks over four parts of the haystack go at once, each part
    /// starting `longest - 1` bytes into the one before, so every
    /// occurrence lies whole inside one part.
    // The four walks step in lockstep: one index into four parts.
    #[allow(clippy::needless_range_loop)]
    pub fn groups(&self, haystack: &[u8], all: u32) -> u32 {
        const WAYS: usize = 4;
        let n = haystack.len();
        let quarter = n / WAYS;
        if quarter < 2 * self.longest + 8 {
            return self.walk(haystack, all);
        }
        let mut parts: [&[u8]; WAYS] = [&[]; WAYS];
        for (i, part) in parts.iter_mut().enumerate() {
            let start = (i * quarter).saturating_sub(self.longest - 1);
            let end = if i + 1 == WAYS { n } else { (i + 1) * quarter };
            *part = &haystack[start..end];
        }
        let common = parts.iter().map(|p| p.len()).min().unwrap_or(0);
        let mut rows = [0usize; WAYS];
        let mut found = 0u32;
        for k in 0..common {
            for w in 0..WAYS {
                let entry = self.next[rows[w] + self.classes[parts[w][k] as usize] as usize];
                rows[w] = (entry >> 1) as usize;
                if entry & 1 != 0 {
                    found |= self.out[rows[w] / self.stride];
                }
            }
            if k % 64 == 63 && found & all == all {
                return found;
            }
        }
        // The rest of the longer parts, one at a time.
        for w in 0..WAYS {
            let mut row = rows[w];
            for &b in &parts[w][common..] {
                let entry = self.next[row + self.classes[b as usize] as usize];
                row = (entry >> 1) as usize;
                if entry & 1 != 0 {
                    found |= self.out[row / self.stride];
                }
            }
        }
        found
    }

    /// One walk over `haystack`.
    fn walk(&self, haystack: &[u8], all: u32) -> u32 {
        let mut row = 0usize;
        let mut found = 0u32;
        for chunk in haystack.chunks(64) {
            for &b in chunk {
                let entry = self.next[row + self.classes[b as usize] as usize];
                row = (entry >> 1) as usize;
                if entry & 1 != 0 {
                    found |= self.out[row / self.stride];
                }
            }
            if found & all == all {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_automaton(literals: &[(&str, u32)], haystack: &str) -> u32 {
        let patterns: Vec<&str> = literals.iter().map(|(l, _)| *l).collect();
        let Ok(ac) = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&patterns) else {
            return 0;
        };
        ac.find_overlapping_iter(haystack).fold(0, |acc, m| acc | 1 << literals[m.pattern().as_usize()].1)
    }

    #[test]
    fn groups_of_words_symbols_and_overlaps() {
        let literals = [("said", 0), ("aid", 1), ("$", 2), ("€", 3), ("per cent", 4), ("most", 5), ("almost", 6)];
        let set = LiteralSet::new(literals.iter().copied()).expect("small");
        for (text, want) in [
            ("He SAID so", 0b11),
            ("20 Per Cent of €5", 0b11000),
            ("almost", 0b1100000),
            ("nothing here", 0),
            ("$", 0b100),
        ] {
            assert_eq!(set.groups(text.as_bytes(), u32::MAX), want, "{text}");
            assert_eq!(by_automaton(&literals, text), want, "{text}");
        }
    }

    proptest! {
        #[test]
        fn the_dfa_finds_the_groups_the_automaton_finds(
            literals in prop::collection::vec(("[aAbB$€é ]{1,4}", 0u32..32), 1..12),
            haystack in "[aAbBcC$€é ]{0,200}",
        ) {
            let literals: Vec<(&str, u32)> = literals.iter().map(|(l, g)| (l.as_str(), *g)).collect();
            let set = LiteralSet::new(literals.iter().copied()).expect("small");
            prop_assert_eq!(set.groups(haystack.as_bytes(), u32::MAX), by_automaton(&literals, &haystack));
        }
    }
}
