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
//! The speaker search asks where a few dozen cue words occur; the same
//! walk ([`LiteralSet::groups_and_occurrences`]) reports the literals of
//! the groups asked for as it meets their ends, so the cues are found in
//! the prefilter's pass.
//!
//! Invariants, compared ASCII-case-insensitively (as an overlapping search
//! of an `ascii_case_insensitive` Aho-Corasick automaton finds them;
//! proptests compare the two):
//! - [`LiteralSet::groups_and_occurrences`] gives the union of the groups
//!   of the literals that occur in the haystack, and every occurrence of
//!   a literal of the groups asked for, in the order of the automaton's
//!   overlapping search ([`LiteralSet::occurrences`]: of every literal).

/// The bit of a [`LiteralSet`] transition that says literals end in the
/// state it goes to.
const ENDS: u32 = 1 << 31;

/// Literals in groups (at most 32), compiled.
pub struct LiteralSet {
    /// Byte → its class (ASCII letters folded to lowercase; bytes in no
    /// literal share class 0).
    classes: [u8; 256],
    /// State × class → the next state's row (its index times the number
    /// of classes), with [`ENDS`] set when literals end in it: the search
    /// loop reads one table per byte. Padded to a power of two no larger
    /// than [`ENDS`]: [`LiteralSet::search`] masks its indexes (no bounds
    /// checks), and the mask clears [`ENDS`], so an entry plus a class is
    /// the next index as it is, with no shift.
    next: Vec<u32>,
    stride: usize,
    /// State → the groups of the literals that end in it.
    out: Vec<u32>,
    /// State `s` → its literals, `ends[ends_at[s]..ends_at[s + 1]]`:
    /// (index among the literals given, length, group), its own literal
    /// first, then those of its failure state (the automaton's order).
    ends_at: Vec<u32>,
    ends: Vec<(u32, u16, u8)>,
    /// The length of the longest literal.
    longest: usize,
}

impl LiteralSet {
    /// `literals`: (literal, group), groups below 32. Empty literals are
    /// ignored. `None` when the automaton would have more than 65,535
    /// states.
    pub fn new<'a>(literals: impl IntoIterator<Item = (&'a str, u32)>) -> Option<LiteralSet> {
        // (lowercased literal, group, index among those given)
        let literals: Vec<(Vec<u8>, u32, u32)> = literals
            .into_iter()
            .enumerate()
            .filter(|(_, (l, g))| !l.is_empty() && *g < 32)
            .map(|(i, (l, g))| Some((l.as_bytes().to_ascii_lowercase(), g, u32::try_from(i).ok()?)))
            .collect::<Option<_>>()?;
        let mut classes = [0u8; 256];
        let mut count = 1usize;
        for (l, _, _) in &literals {
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
        let mut own: Vec<Vec<(u32, u16, u8)>> = vec![Vec::new()];
        for (l, g, i) in &literals {
            let mut s = 0usize;
            for &b in l {
                let c = classes[b as usize] as usize;
                if goto[s * stride + c] == 0 {
                    let new = out.len();
                    goto[s * stride + c] = u16::try_from(new).ok()?;
                    goto.extend(std::iter::repeat_n(0, stride));
                    out.push(0);
                    own.push(Vec::new());
                }
                s = goto[s * stride + c] as usize;
            }
            out[s] |= 1 << g;
            own[s].push((*i, u16::try_from(l.len()).ok()?, *g as u8));
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
        // A state's failure state is shallower, so done before it.
        let mut ends_of: Vec<Vec<(u32, u16, u8)>> = vec![Vec::new(); states];
        while let Some(s) = queue.pop_front() {
            out[s] |= out[fail[s]];
            let mut ends = std::mem::take(&mut own[s]);
            ends.extend_from_slice(&ends_of[fail[s]]);
            ends_of[s] = ends;
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
        let mut next = next
            .iter()
            .map(|&t| {
                let t = t as usize;
                let row = u32::try_from(t * stride).ok().filter(|&r| r < ENDS)?;
                Some(if out[t] != 0 { row | ENDS } else { row })
            })
            .collect::<Option<Vec<u32>>>()?;
        // Rows below 2^24 (65,535 states of at most 256 classes): a row
        // plus a class never carries into `ENDS`.
        if next.len() > ENDS as usize {
            return None;
        }
        // A power of two long (the rest never read), so that the search
        // indexes it through a mask the compiler sees is in bounds.
        next.resize(next.len().next_power_of_two(), 0);
        let longest = literals.iter().map(|(l, _, _)| l.len()).max().unwrap_or(1);
        let mut ends_at = Vec::with_capacity(states + 1);
        ends_at.push(0);
        for e in &ends_of {
            ends_at.push(u32::try_from(ends_at[ends_at.len() - 1] as usize + e.len()).ok()?);
        }
        let ends = ends_of.concat();
        Some(LiteralSet { classes, next, stride, out, ends_at, ends, longest })
    }

    /// Pushes `(start, end, literal)` for every occurrence of every literal
    /// in `haystack` onto `out` (`literal` its index among those given to
    /// [`LiteralSet::new`]), in the order of an overlapping Aho-Corasick
    /// search: by end, and at one end the longest literal first.
    pub fn occurrences(&self, haystack: &[u8], out: &mut Vec<(usize, usize, usize)>) {
        self.groups_and_occurrences(haystack, u32::MAX, out);
    }

    /// The groups (bit `g` for group `g`) of the literals in `haystack`,
    /// and in the same walk [`LiteralSet::occurrences`] of the literals
    /// whose group is in `report`.
    pub fn groups_and_occurrences(&self, haystack: &[u8], report: u32, out: &mut Vec<(usize, usize, usize)>) -> u32 {
        let first = out.len();
        let mut found = 0u32;
        self.search(haystack, |end, state| {
            found |= self.out[state];
            if self.out[state] & report != 0 {
                let (from, to) = (self.ends_at[state] as usize, self.ends_at[state + 1] as usize);
                out.extend(
                    self.ends[from..to]
                        .iter()
                        .filter(|e| report & (1 << e.2) != 0)
                        .map(|&(literal, len, _)| (end - len as usize, end, literal as usize)),
                );
            }
        });
        // The walks report in turn; each end is reported by one of them,
        // its literals in order: a stable sort by end is the search's order.
        out[first..].sort_by_key(|o| o.1);
        found
    }

    /// Walks the DFA over `haystack` and calls `hit(end, state)` at every
    /// end of a literal, once per end.
    ///
    /// A walk of the DFA waits on each lookup for the one before: three
    /// walks over three parts of the haystack go at once, each part
    /// starting `longest - 1` bytes into the one before, so every
    /// occurrence lies whole inside one part. A part but the first reports
    /// only the ends past that overlap: the ones in it are its
    /// predecessor's.
    ///
    /// Three, not four: four walks' pointers, rows and tables outnumber
    /// x86-64's registers, and the rows spilled to the stack put a store
    /// and a load on each walk's chain of lookups (seeds 10,000's
    /// paragraphs: 100 ms with four walks, 70 ms with three, 80 ms with
    /// two; the eighteenth session).
    // The three walks step in lockstep: one index into three parts.
    #[allow(clippy::needless_range_loop)]
    fn search(&self, haystack: &[u8], mut hit: impl FnMut(usize, usize)) {
        const WAYS: usize = 3;
        let n = haystack.len();
        let share = n / WAYS;
        let overlap = self.longest - 1;
        // Every row plus class is below the table's length, a power of two:
        // masked, an index is the same, and provably in bounds.
        let mask = self.next.len() - 1;
        let next = &self.next[..=mask];
        let step = |row: usize, b: u8| next[(row + self.classes[b as usize] as usize) & mask];
        if share < 2 * self.longest + 8 {
            let mut row = 0usize;
            for (i, &b) in haystack.iter().enumerate() {
                let entry = step(row, b);
                row = entry as usize;
                if entry & ENDS != 0 {
                    hit(i + 1, (entry & !ENDS) as usize / self.stride);
                }
            }
            return;
        }
        let mut parts: [&[u8]; WAYS] = [&[]; WAYS];
        let mut starts = [0usize; WAYS];
        let mut skip = [0usize; WAYS];
        for (i, part) in parts.iter_mut().enumerate() {
            starts[i] = (i * share).saturating_sub(overlap);
            skip[i] = if i == 0 { 0 } else { overlap };
            let end = if i + 1 == WAYS { n } else { (i + 1) * share };
            *part = &haystack[starts[i]..end];
        }
        let common = parts.iter().map(|p| p.len()).min().unwrap_or(0);
        let mut rows = [0usize; WAYS];
        // The three parts' bytes side by side (zipped: no bounds checks).
        let columns = parts[0].iter().zip(parts[1]).zip(parts[2]);
        for (k, ((&b0, &b1), &b2)) in columns.enumerate() {
            // The three lookups first, then one test for an end among them
            // (rare): the walks do not wait on each other's branches.
            let bytes = [b0, b1, b2];
            let entries: [u32; WAYS] = std::array::from_fn(|w| step(rows[w], bytes[w]));
            for w in 0..WAYS {
                rows[w] = entries[w] as usize;
            }
            if entries.iter().fold(0, |acc, e| acc | e) & ENDS != 0 {
                for w in 0..WAYS {
                    if entries[w] & ENDS != 0 && k >= skip[w] {
                        hit(starts[w] + k + 1, (entries[w] & !ENDS) as usize / self.stride);
                    }
                }
            }
        }
        // The rest of the longer parts, one at a time.
        for w in 0..WAYS {
            let mut row = rows[w];
            for (k, &b) in parts[w].iter().enumerate().skip(common) {
                let entry = step(row, b);
                row = entry as usize;
                if entry & ENDS != 0 && k >= skip[w] {
                    hit(starts[w] + k + 1, (entry & !ENDS) as usize / self.stride);
                }
            }
        }
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

    /// (start, end, literal) of every occurrence, as the automaton's
    /// overlapping search reports them.
    fn occurrences_by_automaton(literals: &[&str], haystack: &str) -> Vec<(usize, usize, usize)> {
        let Ok(ac) = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(literals) else {
            return Vec::new();
        };
        ac.find_overlapping_iter(haystack).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect()
    }

    fn occurrences(set: &LiteralSet, haystack: &str) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        set.occurrences(haystack.as_bytes(), &mut found);
        found
    }

    #[test]
    fn occurrences_overlap_and_keep_the_literals_index() {
        let literals = ["said", "aid", "", "SAID", "per cent", "€"];
        let set = LiteralSet::new(literals.iter().map(|l| (*l, 0))).expect("small");
        // The empty literal (index 2) is never reported; the others keep their index.
        let want = vec![(3, 7, 0), (3, 7, 3), (4, 7, 1), (11, 19, 4), (23, 26, 5)];
        let text = "He Said 20 Per Cent of €5";
        assert_eq!(occurrences(&set, text), want);
        assert_eq!(occurrences_by_automaton(&["said", "aid", "xyzzy", "SAID", "per cent", "€"], text), want);
        assert_eq!(occurrences(&set, "nothing here"), vec![]);
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
            assert_eq!(set.groups_and_occurrences(text.as_bytes(), 0, &mut Vec::new()), want, "{text}");
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
            prop_assert_eq!(set.groups_and_occurrences(haystack.as_bytes(), 0, &mut Vec::new()), by_automaton(&literals, &haystack));
        }

        #[test]
        fn the_dfa_reports_the_occurrences_the_automaton_reports(
            literals in prop::collection::vec("[aAbB$€é ]{1,4}", 1..12),
            haystack in "[aAbBcC$€é ]{0,200}",
        ) {
            let literals: Vec<&str> = literals.iter().map(String::as_str).collect();
            let set = LiteralSet::new(literals.iter().map(|l| (*l, 0))).expect("small");
            prop_assert_eq!(occurrences(&set, &haystack), occurrences_by_automaton(&literals, &haystack));
        }

        #[test]
        fn one_walk_gives_the_groups_and_the_occurrences_of_the_groups_asked(
            literals in prop::collection::vec(("[aAbB$€é ]{1,4}", 0u32..4), 1..12),
            report in 0u32..16,
            haystack in "[aAbBcC$€é ]{0,200}",
        ) {
            let with_groups: Vec<(&str, u32)> = literals.iter().map(|(l, g)| (l.as_str(), *g)).collect();
            let plain: Vec<&str> = with_groups.iter().map(|(l, _)| *l).collect();
            let set = LiteralSet::new(with_groups.iter().copied()).expect("small");
            let mut found = Vec::new();
            let groups = set.groups_and_occurrences(haystack.as_bytes(), report, &mut found);
            prop_assert_eq!(groups, by_automaton(&with_groups, &haystack));
            let want: Vec<_> = occurrences_by_automaton(&plain, &haystack)
                .into_iter()
                .filter(|o| report & (1 << with_groups[o.2].1) != 0)
                .collect();
            prop_assert_eq!(found, want);
        }
    }
}
